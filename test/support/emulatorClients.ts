/** An ARM emulator with the example's resource group, and the real SDK clients pointed at it. */
import {
  type ArmEmulator,
  DEFAULT_SUBSCRIPTION_ID,
  startArmEmulator,
} from '@azure-cluster-provisioner/arm-emulator';

import { createArmClients } from '../../src/resources/clients';
import type { ReconcileClients } from '../../src/resources/reconcile';

export async function emulatorWithClients(): Promise<{ emulator: ArmEmulator; clients: ReconcileClients }> {
  const emulator = await startArmEmulator({
    port: 0,
    timeScale: 0.001,
    resourceGroups: [{ name: 'rg-demo', location: 'eastus' }],
  });
  const clients = createArmClients({
    subscriptionId: DEFAULT_SUBSCRIPTION_ID,
    endpoint: emulator.url,
    caCertPem: emulator.caCertPem,
    credential: 'static',
    staticToken: 'test-token',
    pollIntervalMs: 5,
    // Our own retry is under test: the pipeline's must not hide the faults.
    maxRetries: 0,
  });
  return { emulator, clients };
}

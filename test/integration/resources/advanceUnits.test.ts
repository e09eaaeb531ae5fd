import type { ArmEmulator } from '@azure-cluster-provisioner/arm-emulator';
import { DEFAULT_APP_PRINCIPAL_ID } from '@azure-cluster-provisioner/arm-emulator';

import type { PlannedResource } from '../../../src/cluster/plan/types';
import {
  type AdvanceOptions,
  type AdvanceUnit,
  advanceUnits,
  startsLeftRunning,
} from '../../../src/resources/advanceUnits';
import type { ReconcileClients } from '../../../src/resources/reconcile';
import { resourceTypes } from '../../../src/resources/types/registry';
import { emulatorWithClients } from '../../support/emulatorClients';
import { examplePlan } from '../../support/examplePlan';

/** One batch call reads and starts many chains; a slow answer to one of them must not hold the rest. */
describe('advanceUnits: a start ARM is slow to answer', () => {
  let emulator: ArmEmulator;
  let clients: ReconcileClients;
  const plan = examplePlan(DEFAULT_APP_PRINCIPAL_ID);
  const byRole = (role: PlannedResource['role']): PlannedResource =>
    plan.resources.find((r) => r.role === role)!;
  const options: AdvanceOptions = {
    kind: 'apply',
    holdMs: 300,
    pollEveryMs: 20,
    maxPollReads: 50,
    timeScale: 0.001,
  };
  const writesTo = (r: PlannedResource, method: string): number =>
    emulator
      .operations()
      .filter((o) => o.method === method && o.write && o.path.toLowerCase() === r.id.toLowerCase()).length;

  beforeAll(async () => {
    ({ emulator, clients } = await emulatorWithClients());
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('returns the other chains at once, and the next call joins the slow start without writing again', async () => {
    const slow = byRole('controlPlaneNsg');
    const fast = byRole('workerNsg');
    const holdBack = 8000;
    emulator.faults.add({ method: 'PUT', path: `/networkSecurityGroups/${slow.name}$`, delayMs: holdBack });

    const t0 = Date.now();
    const first = await advanceUnits(resourceTypes, clients, [{ steps: [slow] }, { steps: [fast] }], {
      ...options,
      holdMs: 2000,
    });
    const firstMs = Date.now() - t0;
    // The fast chain is done and reported; the slow one comes back as "start it next".
    expect(first.units[1]).toMatchObject({ advanced: 1 });
    expect(first.units[0]).toMatchObject({ advanced: 0 });
    expect(first.units[0]?.outcome).toBeUndefined();
    expect(firstMs).toBeLessThan(holdBack);
    expect(startsLeftRunning()).toBe(1);

    // The next calls (the first before ARM answered) join the request in flight: one PUT in all.
    let unit: AdvanceUnit = { steps: [slow] };
    let advanced = 0;
    for (let call = 0; call < 100 && advanced === 0; call++) {
      const out = (await advanceUnits(resourceTypes, clients, [unit], options)).units[0];
      advanced = out?.advanced ?? 0;
      const outcome = out?.outcome;
      if (outcome && outcome.state !== 'pending') throw new Error(`unexpected outcome ${outcome.state}`);
      if (outcome) unit = { steps: [slow], pending: outcome.pending };
    }
    expect(advanced).toBe(1);
    expect(writesTo(slow, 'PUT')).toBe(1);
    expect(writesTo(fast, 'PUT')).toBe(1);
    expect(startsLeftRunning()).toBe(0);
  });

  it('reads an operation that was due when the call began even when the call may not hold (hold 0)', async () => {
    const vnet = byRole('vnet');
    const started = (
      await advanceUnits(resourceTypes, clients, [{ steps: [vnet] }], { ...options, holdMs: 0 })
    ).units[0];
    const outcome = started?.outcome;
    // A VNet's PUT is a long-running operation: the first call starts it and hands it back.
    expect(started?.advanced).toBe(0);
    expect(outcome?.state).toBe('pending');
    if (outcome?.state !== 'pending') return;
    // Let the operation end on the emulator's clock, then hand it over as due now, with no hold.
    const succeeded = (): boolean =>
      (emulator.resources() as { id: string; properties?: { provisioningState?: string } }[]).some(
        (r) =>
          r.id.toLowerCase() === vnet.id.toLowerCase() && r.properties?.provisioningState === 'Succeeded',
      );
    for (let i = 0; i < 200 && !succeeded(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(succeeded()).toBe(true);
    const read = await advanceUnits(resourceTypes, clients, [{ steps: [vnet], pending: outcome.pending }], {
      ...options,
      holdMs: 0,
    });
    expect(read.units[0]).toMatchObject({ advanced: 1 });
    expect(read.reads).toBeGreaterThan(0);
  });
});

/** The plan of `examples/iaas-cluster.yaml` (3 control-plane nodes and 6 workers over 3 zones). */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { planCluster } from '../../src/cluster/plan';
import type { Plan } from '../../src/cluster/plan/types';
import { parseClusterSpec } from '../../src/cluster/validate';

export const EXAMPLE_SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';

/**
 * `provisionerPrincipalId`: the principal that writes the vault's secrets (the emulator's app principal
 * when the plan is applied against it).
 */
export function examplePlan(provisionerPrincipalId?: string): Plan {
  const text = fs.readFileSync(path.join(__dirname, '../../examples/iaas-cluster.yaml'), 'utf8');
  const parsed = parseClusterSpec(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return planCluster(parsed.spec, {
    subscriptionId: EXAMPLE_SUBSCRIPTION_ID,
    ...(provisionerPrincipalId !== undefined ? { provisionerPrincipalId } : {}),
  });
}

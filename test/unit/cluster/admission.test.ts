import {
  admitDeletion,
  admitProvisioning,
  busyReason,
  zonesToCheck,
} from '../../../src/cluster/admission/admission';
import type { PreviousOperation } from '../../../src/cluster/admission/staleResources';
import { planCluster } from '../../../src/cluster/plan';
import type { Plan } from '../../../src/cluster/plan/types';
import { parseClusterSpec } from '../../../src/cluster/validate';

const SUB = '00000000-0000-0000-0000-000000000001';

function planOf(overrides: Record<string, unknown> = {}): Plan {
  const spec = {
    name: 'c1',
    type: 'iaas',
    resourceGroup: 'rg-demo',
    location: 'eastus',
    kubernetesVersion: '1.30',
    controlPlane: { count: 3 },
    nodePools: [{ name: 'a', count: 3, vmSize: 'Standard_D4s_v5' }],
    ssh: {
      publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host',
    },
    ...overrides,
  };
  const parsed = parseClusterSpec(JSON.stringify(spec));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return planCluster(parsed.spec, { subscriptionId: SUB });
}

const done = (plan: Plan, operation: 'provision' | 'delete' = 'provision'): PreviousOperation => ({
  input: { plan },
  operation,
  runtimeStatus: 'Completed',
});

describe('admission of cluster operations', () => {
  const plan = planOf();

  it('admits a new cluster with nothing to prune or keep', () => {
    expect(
      admitProvisioning({
        clusterName: 'c1',
        plan,
        controlPlaneCount: 3,
        previous: undefined,
        busy: undefined,
      }),
    ).toEqual({ ok: true, prune: [], existing: [] });
  });

  it('refuses while an operation or one of its zones runs', () => {
    const busy = busyReason({ name: 'provisionCluster', runtimeStatus: 'Running' }, []);
    expect(busy).toBe('provisionCluster, Running');
    expect(
      busyReason({ runtimeStatus: 'Failed' }, [
        { zone: '1', state: { runtimeStatus: 'Completed' } },
        { zone: '2', state: { runtimeStatus: 'Running' } },
      ]),
    ).toBe('zone 2: Running');
    expect(busyReason({ runtimeStatus: 'Completed' }, [{ zone: '1', state: undefined }])).toBeUndefined();
    expect(
      admitProvisioning({ clusterName: 'c1', plan, controlPlaneCount: 3, previous: undefined, busy }),
    ).toMatchObject({
      ok: false,
      code: 'OperationInProgress',
    });
    expect(admitDeletion({ clusterName: 'c1', busy })).toMatchObject({
      ok: false,
      code: 'OperationInProgress',
    });
    expect(admitDeletion({ clusterName: 'c1', busy: undefined })).toEqual({ ok: true });
  });

  it('checks the zones that had nodes', () => {
    expect(zonesToCheck(done(plan))).toEqual(['1', '2', '3']);
    expect(zonesToCheck(undefined)).toEqual([]);
  });

  it('refuses to move a cluster or shrink its control plane, and prunes what a smaller plan drops', () => {
    const moved = planOf({ location: 'westus2' });
    expect(
      admitProvisioning({
        clusterName: 'c1',
        plan: moved,
        controlPlaneCount: 3,
        previous: done(plan),
        busy: undefined,
      }),
    ).toMatchObject({ ok: false, code: 'ClusterExists' });
    const smaller = planOf({ controlPlane: { count: 1 } });
    expect(
      admitProvisioning({
        clusterName: 'c1',
        plan: smaller,
        controlPlaneCount: 1,
        previous: done(plan),
        busy: undefined,
      }),
    ).toMatchObject({ ok: false, code: 'ControlPlaneShrink' });
    const fewerWorkers = planOf({ nodePools: [{ name: 'a', count: 1, vmSize: 'Standard_D4s_v5' }] });
    const admitted = admitProvisioning({
      clusterName: 'c1',
      plan: fewerWorkers,
      controlPlaneCount: 3,
      previous: done(plan),
      busy: undefined,
    });
    if (!admitted.ok) throw new Error(admitted.message);
    expect(admitted.prune.map((r) => r.type).sort()).toEqual([
      'Microsoft.Compute/virtualMachines',
      'Microsoft.Compute/virtualMachines',
      'Microsoft.Network/networkInterfaces',
      'Microsoft.Network/networkInterfaces',
    ]);
    expect(admitted.existing.length).toBe(fewerWorkers.resources.filter((r) => r.owned).length);
    // After a completed delete, the name is free anywhere.
    expect(
      admitProvisioning({
        clusterName: 'c1',
        plan: moved,
        controlPlaneCount: 3,
        previous: done(plan, 'delete'),
        busy: undefined,
      }),
    ).toEqual({ ok: true, prune: [], existing: [] });
  });
});

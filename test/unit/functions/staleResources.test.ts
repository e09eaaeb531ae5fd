import { planCluster } from '../../../src/cluster/plan';
import type { Plan } from '../../../src/cluster/plan/types';
import { parseClusterSpec } from '../../../src/cluster/validate';
import type { ClusterOperationInput } from '../../../src/functions/shared/durableFunctions';
import {
  type PreviousOperation,
  relocationError,
  resourcesFromBefore,
  resourcesToPrune,
  resourcesToRollBack,
} from '../../../src/functions/shared/staleResources';

const SUB = '00000000-0000-0000-0000-000000000000';

function spec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'iaas',
    name: 'c1',
    resourceGroup: 'rg',
    location: 'eastus',
    kubernetesVersion: '1.33.2',
    controlPlane: { count: 3, vmSize: 'Standard_D4s_v5' },
    nodePools: [
      { name: 'a', count: 4, vmSize: 'Standard_D4s_v5' },
      { name: 'b', count: 2, vmSize: 'Standard_D4s_v5' },
    ],
    ssh: {
      publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHa5xZdozvfsW+V/nEdyuA1c+yvb99OQpv+dj3gw9/+S t@example',
    },
    ...overrides,
  };
}

function planOf(s: Record<string, unknown>): Plan {
  const parsed = parseClusterSpec(s);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return planCluster(parsed.spec, { subscriptionId: SUB });
}

function previous(
  plan: Plan,
  orchestrator: string,
  runtimeStatus: string,
  prune?: Plan['resources'],
): PreviousOperation {
  const input: ClusterOperationInput = {
    clusterName: 'c1',
    plan,
    onFailure: 'keep',
    spec: {},
    requestedAt: '2026-01-01T00:00:00Z',
    ...(prune ? { prune } : {}),
  };
  return { input, orchestrator, runtimeStatus };
}

const names = (rs: Plan['resources']): string[] => rs.map((r) => r.name).sort();

describe('resourcesToPrune', () => {
  const big = planOf(spec());
  const small = planOf(spec({ nodePools: [{ name: 'a', count: 2, vmSize: 'Standard_D4s_v5' }] }));

  it('is empty for a new cluster and for an unchanged spec', () => {
    expect(resourcesToPrune(undefined, big)).toEqual([]);
    expect(resourcesToPrune(previous(big, 'provisionCluster', 'Completed'), big)).toEqual([]);
  });

  it('lists the NICs and VMs of nodes a shrunk or removed pool no longer has', () => {
    const stale = resourcesToPrune(previous(big, 'provisionCluster', 'Completed'), small);
    expect(names(stale)).toEqual(
      names(
        big.resources.filter((r) => r.pool === 'b' || /-a-[23]-/.test(r.name) || /-a-[23]$/.test(r.name)),
      ),
    );
    expect(stale.every((r) => r.owned && (r.role === 'workerNic' || r.role === 'workerVm'))).toBe(true);
    expect(stale).toHaveLength(2 * 4);
  });

  it('carries over what an unfinished run was still to prune, but not after a completed one', () => {
    const stale = resourcesToPrune(previous(big, 'provisionCluster', 'Completed'), small);
    const interrupted = previous(small, 'provisionCluster', 'Failed', stale);
    expect(names(resourcesToPrune(interrupted, small))).toEqual(names(stale));
    expect(resourcesToPrune(previous(small, 'provisionCluster', 'Completed', stale), small)).toEqual([]);
  });

  it('is empty after a completed delete: nothing is left', () => {
    expect(resourcesToPrune(previous(big, 'deleteCluster', 'Completed'), small)).toEqual([]);
    expect(resourcesToPrune(previous(big, 'deleteCluster', 'Failed'), small)).toHaveLength(8);
  });
});

describe('relocationError', () => {
  const plan = planOf(spec());

  it('refuses another resource group or region for a cluster that exists', () => {
    const prev = previous(plan, 'provisionCluster', 'Completed');
    expect(relocationError(prev, planOf(spec({ resourceGroup: 'rg2' })))).toMatch(/resource group "rg"/);
    expect(relocationError(prev, planOf(spec({ location: 'westus2' })))).toMatch(/eastus/);
    expect(relocationError(prev, plan)).toBeUndefined();
    expect(relocationError(prev, planOf(spec({ resourceGroup: 'RG' })))).toBeUndefined();
  });

  it('allows anything once the cluster was deleted', () => {
    expect(
      relocationError(previous(plan, 'deleteCluster', 'Completed'), planOf(spec({ resourceGroup: 'rg2' }))),
    ).toBeUndefined();
  });
});

describe('rollback of a failed change', () => {
  const small = planOf(spec({ nodePools: [{ name: 'a', count: 2, vmSize: 'Standard_D4s_v5' }] }));
  const big = planOf(spec());

  it('keeps what an earlier operation planned, and what this run found already there', () => {
    const fromBefore = resourcesFromBefore(previous(small, 'provisionCluster', 'Completed'), big);
    expect(names(big.resources.filter((r) => fromBefore.includes(r.id)))).toEqual(
      names(small.resources.filter((r) => r.owned)),
    );
    const rollBack = resourcesToRollBack(big, fromBefore, []);
    expect(rollBack.every((r) => r.role === 'workerNic' || r.role === 'workerVm')).toBe(true);
    expect(rollBack).toHaveLength(2 * 4); // a-2, a-3, b-0, b-1: a NIC and a VM each
    const vnet = big.resources.find((r) => r.role === 'vnet')!;
    expect(resourcesToRollBack(big, undefined, [vnet.id]).map((r) => r.id)).not.toContain(vnet.id);
  });

  it('rolls back every owned resource of a first create, never a brought one', () => {
    expect(resourcesFromBefore(undefined, big)).toEqual([]);
    expect(resourcesFromBefore(previous(big, 'deleteCluster', 'Completed'), big)).toEqual([]);
    expect(resourcesToRollBack(big, [], [])).toEqual(big.resources.filter((r) => r.owned));
  });
});

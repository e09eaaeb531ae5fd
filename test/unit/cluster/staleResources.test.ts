import {
  controlPlaneShrinkError,
  existingNodesOf,
  type PreviousOperation,
  relocationError,
  resourcesFromBefore,
  resourcesThatMayExist,
  resourcesToPrune,
  resourcesToRollBack,
} from '../../../src/cluster/admission/staleResources';
import { planCluster } from '../../../src/cluster/plan';
import type { Plan } from '../../../src/cluster/plan/types';
import { parseClusterSpec } from '../../../src/cluster/validate';
import type { ClusterOperationInput } from '../../../src/functions/shared/durableFunctions';

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
  extra: { existing?: string[]; rolledBack?: boolean } = {},
): PreviousOperation {
  const input: ClusterOperationInput = {
    clusterName: 'c1',
    plan,
    onFailure: 'keep',
    spec: {},
    requestedAt: '2026-01-01T00:00:00Z',
    ...(prune ? { prune } : {}),
    ...(extra.existing ? { existing: extra.existing } : {}),
  };
  const operation = orchestrator === 'deleteCluster' ? 'delete' : 'provision';
  return { input, operation, runtimeStatus, ...(extra.rolledBack ? { rolledBack: true } : {}) };
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
    expect(
      resourcesToRollBack(big, undefined, [{ id: vnet.id, action: 'unchanged' }]).map((r) => r.id),
    ).not.toContain(vnet.id);
  });

  it('rolls back every owned resource of a first create, never a brought one', () => {
    expect(resourcesFromBefore(undefined, big)).toEqual([]);
    expect(resourcesFromBefore(previous(big, 'deleteCluster', 'Completed'), big)).toEqual([]);
    expect(resourcesToRollBack(big, [], [])).toEqual(big.resources.filter((r) => r.owned));
  });
});

describe('rollback after an earlier failed run', () => {
  const small = planOf(spec({ nodePools: [{ name: 'a', count: 2, vmSize: 'Standard_D4s_v5' }] }));
  const big = planOf(spec());
  const owned = big.resources.filter((r) => r.owned);

  it('counts nothing as existing after a first create that rolled back completely', () => {
    const rolledBack = previous(big, 'provisionCluster', 'Failed', undefined, { rolledBack: true });
    expect(resourcesThatMayExist(rolledBack)).toEqual([]);
    expect(resourcesFromBefore(rolledBack, big)).toEqual([]);
    expect(resourcesToRollBack(big, resourcesFromBefore(rolledBack, big), [])).toEqual(owned);
  });

  it('after a rolled-back change, keeps only what that run kept from before it', () => {
    const kept = small.resources.filter((r) => r.owned).map((r) => r.id);
    const rolledBack = previous(big, 'provisionCluster', 'Failed', undefined, {
      rolledBack: true,
      existing: kept,
    });
    expect(names(resourcesThatMayExist(rolledBack))).toEqual(names(small.resources.filter((r) => r.owned)));
    expect(resourcesFromBefore(rolledBack, big).sort()).toEqual([...kept].sort());
  });

  it('counts the whole previous plan when its rollback was incomplete or it kept what it made', () => {
    const incomplete = previous(big, 'provisionCluster', 'Failed');
    expect(resourcesThatMayExist(incomplete)).toHaveLength(owned.length);
    expect(resourcesThatMayExist(previous(big, 'deleteCluster', 'Failed'))).toHaveLength(owned.length);
    expect(resourcesThatMayExist(previous(big, 'deleteCluster', 'Completed'))).toEqual([]);
  });

  it('rolls back what this run created even when an earlier plan had it', () => {
    const all = owned.map((r) => r.id);
    const vm = owned.find((r) => r.role === 'workerVm')!;
    const nic = owned.find((r) => r.role === 'workerNic')!;
    const rollBack = resourcesToRollBack(big, all, [
      { id: vm.id, action: 'created' },
      { id: nic.id.toUpperCase(), action: 'created' },
    ]);
    expect(rollBack.map((r) => r.id).sort()).toEqual([vm.id, nic.id].sort());
  });
});

describe('existing nodes and the control plane', () => {
  const plan = planOf(spec());

  it('lists every VM as an existing node of its pool, with its zone', () => {
    const nodes = existingNodesOf(plan.resources);
    expect(Object.keys(nodes).sort()).toEqual(['a', 'b', 'controlPlane']);
    expect(nodes['controlPlane']).toHaveLength(3);
    expect(nodes['a']).toHaveLength(4);
    const vm = plan.resources.find((r) => r.role === 'workerVm' && r.pool === 'a')!;
    expect(nodes['a']).toContainEqual({ name: vm.node, ...(vm.zone ? { zone: vm.zone } : {}) });
  });

  it('refuses to shrink the control plane, allows growing', () => {
    expect(controlPlaneShrinkError(plan.resources, 3)).toBeUndefined();
    expect(controlPlaneShrinkError(plan.resources, 5)).toBeUndefined();
    expect(controlPlaneShrinkError(plan.resources, 1)).toMatch(/controlPlane\.count.*3 to 1.*etcd.*quorum/);
    expect(controlPlaneShrinkError([], 1)).toBeUndefined();
  });

  it('refuses another subscription for a cluster that exists, naming both', () => {
    const other = planOf(spec());
    other.cluster.subscriptionId = '11111111-1111-1111-1111-111111111111';
    const message = relocationError(previous(plan, 'provisionCluster', 'Completed'), other);
    expect(message).toMatch(/subscription "00000000-0000-0000-0000-000000000000"/);
    expect(message).toMatch(/11111111-1111-1111-1111-111111111111/);
    expect(
      relocationError(previous(plan, 'provisionCluster', 'Failed', undefined, { rolledBack: true }), other),
    ).toBeUndefined();
  });
});

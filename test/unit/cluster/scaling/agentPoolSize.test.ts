import {
  agentPoolBodyFor,
  agentPoolSizeOf,
  hasSize,
  plannedAgentPool,
} from '../../../../src/cluster/scaling/agentPoolSize';
import { applyRequest, nextStep, type NodePoolConfig } from '../../../../src/cluster/scaling/nodePoolState';
import { poolScalingView } from '../../../../src/cluster/scaling/poolScalingView';
import { aksNodeResourceOf } from '../../../../src/events/aksNodeResources';

const manual = {
  properties: {
    mode: 'User',
    vmSize: 'Standard_D4s_v5',
    count: 2,
    enableAutoScaling: false,
    vnetSubnetID: 's',
  },
};
const autoscaled = {
  properties: {
    mode: 'User',
    vmSize: 'Standard_D4s_v5',
    count: 2,
    enableAutoScaling: true,
    minCount: 1,
    maxCount: 6,
  },
};

describe('AKS agent pool size', () => {
  it('a pool the provisioner sizes gets its count; every other setting stays as planned', () => {
    expect(agentPoolBodyFor(manual, 4)).toEqual({ properties: { ...manual.properties, count: 4 } });
  });

  it('an autoscaled pool gets its floor (minCount), keeps maxCount, and is never sent a count', () => {
    const body = agentPoolBodyFor(autoscaled, 4);
    expect(body['properties']).toEqual({
      mode: 'User',
      vmSize: 'Standard_D4s_v5',
      enableAutoScaling: true,
      minCount: 4,
      maxCount: 6,
    });
    expect(agentPoolSizeOf(body)).toEqual({ autoscaled: true, count: 4, minCount: 4, maxCount: 6 });
  });

  it('reads sizes from wire bodies and flattened SDK models alike', () => {
    expect(agentPoolSizeOf(manual)).toEqual({ autoscaled: false, count: 2 });
    expect(agentPoolSizeOf({ count: 5, enableAutoScaling: true, minCount: 2, maxCount: 9 })).toEqual({
      autoscaled: true,
      count: 5,
      minCount: 2,
      maxCount: 9,
    });
  });

  it('compares what a decision writes: the count, or the window (the autoscaler moves the count)', () => {
    expect(hasSize({ count: 4, enableAutoScaling: false }, agentPoolBodyFor(manual, 4))).toBe(true);
    expect(hasSize({ count: 3, enableAutoScaling: false }, agentPoolBodyFor(manual, 4))).toBe(false);
    const live = { count: 5, enableAutoScaling: true, minCount: 4, maxCount: 6 };
    expect(hasSize(live, agentPoolBodyFor(autoscaled, 4))).toBe(true);
    expect(hasSize(live, agentPoolBodyFor(autoscaled, 3))).toBe(false);
  });

  it('finds the planned agent pool by name', () => {
    const id =
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c/agentPools/apps';
    const planned = {
      id,
      type: 'Microsoft.ContainerService/managedClusters/agentPools' as const,
      name: 'apps',
      role: 'agentPool' as const,
      dependsOn: [],
      owned: true,
      body: autoscaled,
    };
    expect(plannedAgentPool([planned], 'apps')).toBe(planned);
    expect(plannedAgentPool([planned], 'app')).toBeUndefined();
  });
});

describe('node pool state for AKS pools', () => {
  const config = (autoscaledPool: boolean): NodePoolConfig => ({
    clusterName: 'c',
    pool: 'apps',
    minCount: 1,
    maxCount: 6,
    zones: ['1', '2', '3'],
    nodes: [],
    generation: 'g1',
    agentPool: autoscaledPool
      ? { autoscaled: true, count: 2, minCount: 1, maxCount: 6 }
      : { autoscaled: false, count: 2 },
  });
  const clock = { now: '2026-12-02T01:00:00.000Z', nowMs: Date.parse('2026-12-02T01:00:00Z') };
  const request = (n: number) =>
    ({ op: 'setCount', source: { kind: 'request', id: `r${n}` }, count: n }) as const;

  it('a manual pool starts at its count and one step brings the count to the target', () => {
    const out = applyRequest(undefined, request(4), {
      ...clock,
      config: config(false),
      cooldownSeconds: 0,
      operationId: 'op',
    });
    expect(out.state.desired).toBe(4);
    expect(out.result.runner).toBe('start');
    const step = nextStep(out.state, 'op', clock);
    expect(step.next).toMatchObject({ kind: 'step', target: 4 });
    const done = nextStep(step.state, 'op', clock, { nodes: [], agentPool: { autoscaled: false, count: 4 } });
    expect(done.next.kind).toBe('done');
    expect(poolScalingView(done.state)).toMatchObject({
      desired: 4,
      actual: 4,
      agentPool: { enableAutoScaling: false, count: 4 },
      zones: {
        '1': { desired: 2, actual: 2 },
        '2': { desired: 1, actual: 1 },
        '3': { desired: 1, actual: 1 },
      },
    });
  });

  it('an autoscaled pool starts at its floor; the same floor needs no step whatever the count', () => {
    const out = applyRequest(undefined, request(1), {
      ...clock,
      config: config(true),
      cooldownSeconds: 0,
      operationId: 'op',
    });
    expect(out.state.desired).toBe(1);
    expect(out.result).toMatchObject({ applied: false, runner: 'none' });
    const raised = applyRequest(out.state, request(3), {
      ...clock,
      config: config(true),
      cooldownSeconds: 0,
      operationId: 'op2',
    });
    expect(raised.result.runner).toBe('start');
    expect(nextStep(raised.state, 'op2', clock).next).toMatchObject({ kind: 'step', target: 3 });
  });
});

describe("AKS's node resources", () => {
  it('are the node resource group (MC_…) and scale sets; the cluster’s own resources are not', () => {
    const sub = '/subscriptions/0/resourceGroups';
    expect(
      aksNodeResourceOf(`${sub}/MC_rg_demo_eastus/providers/Microsoft.Network/networkInterfaces/n1`),
    ).toEqual({ resourceGroup: 'MC_rg_demo_eastus', type: 'Microsoft.Network/networkInterfaces' });
    expect(
      aksNodeResourceOf(`${sub}/nodes-rg/providers/Microsoft.Compute/disks/d1`, ['Nodes-RG']),
    ).toBeDefined();
    expect(
      aksNodeResourceOf(`${sub}/rg/providers/Microsoft.Compute/virtualMachineScaleSets/aks-apps-1-vmss`),
    ).toBeDefined();
    expect(aksNodeResourceOf(`${sub}/rg/providers/Microsoft.Compute/virtualMachines/demo-general-1`)).toBe(
      undefined,
    );
    expect(aksNodeResourceOf('not an id')).toBeUndefined();
  });
});

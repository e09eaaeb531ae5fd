import { clusterTopology } from '../../../src/api/topology';
import { planCluster } from '../../../src/cluster/plan/planCluster';
import { parseClusterSpec } from '../../../src/cluster/validate';

function examplePlan() {
  const parsed = parseClusterSpec({
    type: 'iaas',
    name: 'demo',
    resourceGroup: 'rg',
    location: 'eastus',
    kubernetesVersion: '1.33',
    controlPlane: { count: 3 },
    nodePools: [{ name: 'general', count: 3, vmSize: 'Standard_D4s_v5' }],
    ssh: {
      publicKey:
        'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGkqd2YlEQ8aCr3ZgxbcXfPTP8DhfWwhIt1lqbuKMuQd demo@example',
    },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return planCluster(parsed.spec, { subscriptionId: '00000000-0000-0000-0000-000000000000' });
}

const base = { name: 'demo', instanceId: 'cluster-demo' };
const states = (t: ReturnType<typeof clusterTopology>) =>
  Object.fromEntries(t.zones.flatMap((z) => z.nodes.map((n) => [n.name, n.state])));

describe('clusterTopology', () => {
  const plan = examplePlan();

  it('puts every node in its zone column, control plane first, with the network around it', () => {
    const t = clusterTopology(
      { ...base, runtimeStatus: 'Completed', phase: 'Provisioned', operation: 'provision' },
      plan,
    );
    expect(t.zones.map((z) => z.zone)).toEqual(['1', '2', '3']);
    expect(t.zones.map((z) => z.nodes.map((n) => n.name))).toEqual([
      ['demo-cp-0', 'demo-general-0'],
      ['demo-cp-1', 'demo-general-1'],
      ['demo-cp-2', 'demo-general-2'],
    ]);
    expect(Object.values(states(t))).toEqual(Array(6).fill('ready'));
    expect(t.subnets.map((s) => [s.role, s.nsg])).toEqual([
      ['controlPlane', 'demo-control-plane-nsg'],
      ['worker', 'demo-workers-nsg'],
    ]);
    expect(t.loadBalancer).toMatchObject({ name: 'demo-api-lb', port: 6443, probe: 'Https /readyz :6443' });
    expect(t.failure).toBeUndefined();
  });

  it('while running: ready nodes from the progress entity, the rest provisioning', () => {
    const t = clusterTopology(
      { ...base, runtimeStatus: 'Running', phase: 'Provisioning', operation: 'provision' },
      plan,
      { '2': ['demo-general-1'] },
    );
    expect(states(t)).toMatchObject({
      'demo-general-1': 'ready',
      'demo-cp-1': 'provisioning',
      'demo-cp-0': 'provisioning',
    });
  });

  it('after a failure: the failing node is failed (matched by its VM or NIC id), unfinished ones pending, with a hint', () => {
    const vm = plan.resources.find(
      (r) => r.node === 'demo-general-2' && r.type === 'Microsoft.Compute/virtualMachines',
    );
    const t = clusterTopology(
      {
        ...base,
        runtimeStatus: 'Failed',
        phase: 'Failed',
        operation: 'provision',
        error: { resource: (vm?.id ?? '').toLowerCase(), code: 'SkuNotAvailable', message: 'not here' },
      },
      plan,
      { '1': ['demo-cp-0', 'demo-general-0'] },
    );
    expect(states(t)).toMatchObject({
      'demo-general-2': 'failed',
      'demo-cp-0': 'ready',
      'demo-cp-1': 'pending',
    });
    expect(t.failure?.hint).toMatch(/another vmSize/);
  });

  it('during and after deletion: deleting, then deleted', () => {
    const running = clusterTopology(
      { ...base, runtimeStatus: 'Running', phase: 'Deleting', operation: 'delete' },
      plan,
    );
    expect(new Set(Object.values(states(running)))).toEqual(new Set(['deleting']));
    const done = clusterTopology(
      { ...base, runtimeStatus: 'Completed', phase: 'Deleted', operation: 'delete' },
      plan,
    );
    expect(new Set(Object.values(states(done)))).toEqual(new Set(['deleted']));
  });

  it('shows the last scaling decision of each pool when the status carries one', () => {
    const t = clusterTopology(
      {
        ...base,
        runtimeStatus: 'Completed',
        phase: 'Provisioned',
        nodePools: [
          { name: 'general', lastDecision: { from: 3, to: 5, reason: 'DemandReported' } },
          { name: 'idle' },
        ],
      },
      plan,
    );
    expect(t.scaling).toEqual([{ pool: 'general', from: 3, to: 5, reason: 'DemandReported' }]);
  });
});

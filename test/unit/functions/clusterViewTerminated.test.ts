import type { DurableOrchestrationStatus } from 'durable-functions';

import { clusterView } from '../../../src/functions/shared/clusterView';

const status = (name: string, runtimeStatus: string, phase: string) =>
  ({
    name,
    instanceId: 'cluster-demo',
    input: {
      clusterName: 'demo',
      plan: { cluster: { resourceGroup: 'rg', location: 'eastus' }, resources: [] },
    },
    output: null,
    runtimeStatus,
    customStatus: {
      operation: name === 'deleteCluster' ? 'delete' : 'provision',
      phase,
      resources: { done: 3, total: 9 },
      zones: {},
    },
  }) as unknown as DurableOrchestrationStatus;

describe('a terminated operation: the phase follows the runtime status', () => {
  it.each([
    ['provisionCluster', 'Provisioning', 'Failed'],
    ['provisionCluster', 'Verifying', 'Failed'],
    ['provisionCluster', 'RollingBack', 'Failed'],
    ['deleteCluster', 'Deleting', 'DeleteFailed'],
  ])('%s terminated while %s reads %s, with a Terminated error', (name, phase, expected) => {
    const view = clusterView('demo', status(name, 'Terminated', phase));
    expect(view).toMatchObject({
      runtimeStatus: 'Terminated',
      phase: expected,
      error: { code: 'Terminated' },
    });
  });

  it('keeps a phase that already says how it ended, and a running one while it runs', () => {
    expect(clusterView('demo', status('provisionCluster', 'Terminated', 'Provisioned')).phase).toBe(
      'Provisioned',
    );
    expect(clusterView('demo', status('provisionCluster', 'Running', 'Provisioning')).phase).toBe(
      'Provisioning',
    );
  });
});

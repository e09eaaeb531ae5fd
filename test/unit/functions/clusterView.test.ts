import type { DurableOrchestrationStatus } from 'durable-functions';

import { apiServerEndpoint } from '../../../src/cluster/apiServer';
import {
  clusterInstanceId,
  clusterNameOf,
  resourceFailureFrom,
  zoneInstanceId,
} from '../../../src/functions/shared/clusterStatus';
import { clusterView } from '../../../src/functions/shared/clusterView';

const vmId = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/demo-cp-0';

function status(
  fields: Partial<Record<keyof DurableOrchestrationStatus, unknown>>,
): DurableOrchestrationStatus {
  return {
    name: 'provisionCluster',
    instanceId: 'cluster-demo',
    createdTime: new Date('2026-01-01T00:00:00Z'),
    lastUpdatedTime: new Date('2026-01-01T00:01:00Z'),
    input: {
      clusterName: 'demo',
      plan: { cluster: { resourceGroup: 'rg-demo', location: 'eastus' }, resources: [] },
    },
    output: null,
    runtimeStatus: 'Running',
    customStatus: undefined,
    history: undefined,
    ...fields,
  } as DurableOrchestrationStatus;
}

describe('instance ids', () => {
  it('derives one instance per cluster and one per zone under it', () => {
    expect(clusterInstanceId('demo')).toBe('cluster-demo');
    expect(zoneInstanceId('cluster-demo', '2')).toBe('cluster-demo:zone-2');
    expect(clusterNameOf('cluster-demo')).toBe('demo');
    expect(clusterNameOf('cluster-demo:zone-2')).toBeUndefined();
    expect(clusterNameOf('other')).toBeUndefined();
    expect(apiServerEndpoint('20.1.2.3')).toBe('https://20.1.2.3:6443');
  });
});

describe('resourceFailureFrom', () => {
  it('recovers the ARM code and resource from an activity failure as the durable runtime reports it', () => {
    const err = new Error(`ARM error QuotaExceeded on ${vmId}: over quota \n at stack`);
    expect(resourceFailureFrom(err, 'fallback')).toEqual({
      resource: vmId,
      code: 'QuotaExceeded',
      message: 'over quota',
    });
    expect(resourceFailureFrom(new Error('boom\nstack'), 'rg')).toEqual({
      resource: 'rg',
      code: 'ActivityFailed',
      message: 'boom',
    });
    expect(resourceFailureFrom(new Error('ARM error Conflict (no resource)'), 'rg')).toMatchObject({
      code: 'Conflict',
      resource: 'rg',
    });
  });
});

describe('clusterView', () => {
  it('shows the orchestrator custom status with runtime facts', () => {
    const view = clusterView(
      'demo',
      status({
        customStatus: {
          operation: 'provision',
          phase: 'Provisioning',
          resources: { done: 9, total: 31 },
          zones: { '1': { nodesReady: 0, nodesTotal: 4 } },
        },
      }),
    );
    expect(view).toEqual({
      name: 'demo',
      instanceId: 'cluster-demo',
      runtimeStatus: 'Running',
      operation: 'provision',
      phase: 'Provisioning',
      resources: { done: 9, total: 31 },
      zones: { '1': { nodesReady: 0, nodesTotal: 4 } },
      resourceGroup: 'rg-demo',
      location: 'eastus',
      createdTime: '2026-01-01T00:00:00.000Z',
      lastUpdatedTime: '2026-01-01T00:01:00.000Z',
    });
  });

  it('reports a failure the orchestrator could not record, from the orchestration output', () => {
    const view = clusterView(
      'demo',
      status({
        runtimeStatus: 'Failed',
        customStatus: { operation: 'provision', phase: 'Provisioning' },
        output: `Orchestrator function 'provisionCluster' failed: ARM error SkuNotAvailable on ${vmId}: not in zone 2`,
      }),
    );
    expect(view.phase).toBe('Failed');
    expect(view.error).toEqual({ resource: vmId, code: 'SkuNotAvailable', message: 'not in zone 2' });
  });

  it('accepts input and custom status as JSON text, and names a delete operation', () => {
    const view = clusterView(
      'demo',
      status({
        name: 'deleteCluster',
        runtimeStatus: 'Failed',
        input: JSON.stringify({
          plan: { cluster: { resourceGroup: 'rg', location: 'westeurope' }, resources: [] },
        }),
        customStatus: JSON.stringify({ phase: 'Deleting' }),
        output: 'something broke',
      }),
    );
    expect(view).toMatchObject({ operation: 'delete', phase: 'DeleteFailed', location: 'westeurope' });
    expect(view.error).toEqual({ resource: '', code: 'OrchestrationFailed', message: 'something broke' });
  });
});

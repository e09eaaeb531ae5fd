/** `status` of an IaaS cluster with a Flexible scale set pool prints its sets per zone and its member VMs. */
import type { ClusterStatusBody } from '../../../src/api/schemas';
import type { CliIo } from '../../../src/cli/io';
import { statusText } from '../../../src/cli/render';

const io: CliIo = {
  stdout: () => undefined,
  stderr: () => undefined,
  env: { NO_COLOR: '1' },
  readFile: () => '',
  isTty: false,
  sleep: () => Promise.resolve(),
  now: () => 0,
};

describe('statusText for a Flexible scale set pool', () => {
  it('shows the orchestration, each zone set and every member VM with its state', () => {
    const view: ClusterStatusBody = {
      name: 'fleet',
      instanceId: 'cluster-fleet',
      runtimeStatus: 'Completed',
      phase: 'Provisioned',
      scaleSetPools: {
        big: {
          orchestration: 'FlexibleScaleSet',
          desired: 3,
          actual: 3,
          ready: 2,
          zones: {
            '1': {
              scaleSet: 'fleet-big-z1',
              capacity: 2,
              provisioningState: 'Failed',
              nodes: 2,
              nodesReady: 1,
            },
            '2': {
              scaleSet: 'fleet-big-z2',
              capacity: 1,
              provisioningState: 'Succeeded',
              nodes: 1,
              nodesReady: 1,
            },
          },
          nodes: [
            { name: 'fleet-big-z1_0a1b2c3d', zone: '1', state: 'Succeeded', scaleSet: 'fleet-big-z1' },
            { name: 'fleet-big-z1_4e5f6a7b', zone: '1', state: 'Failed', scaleSet: 'fleet-big-z1' },
            { name: 'fleet-big-z2_8c9d0e1f', zone: '2', state: 'Succeeded', scaleSet: 'fleet-big-z2' },
          ],
        },
      },
    };
    const text = statusText(view, io);
    expect(text).toContain('node pool big (FlexibleScaleSet): 2/3 nodes ready');
    expect(text).toContain('zone 1: fleet-big-z1 capacity 2 Failed, 1/2 members ready');
    expect(text).toContain('fleet-big-z1_4e5f6a7b zone 1 Failed');
    expect(text.split('\n').filter((l) => /_[0-9a-f]{8} zone/.test(l))).toHaveLength(3);
  });
});

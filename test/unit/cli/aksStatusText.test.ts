/** `status` of an AKS cluster prints its FQDN and what AKS announced on Event Grid. */
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

describe('statusText for AKS', () => {
  it('lists each pool rolling state and the new versions', () => {
    const view: ClusterStatusBody = {
      name: 'aks1',
      instanceId: 'cluster-aks1',
      runtimeStatus: 'Completed',
      phase: 'Provisioned',
      fqdn: 'aks1-abc.hcp.eastus.azmk8s.io',
      aksEvents: {
        nodePools: {
          system: { state: 'Succeeded', at: '2026-12-02T10:00:00Z', eventId: 'a' },
          apps: { state: 'Failed', at: '2026-12-02T10:05:00Z', eventId: 'b' },
        },
        newKubernetesVersionAvailable: {
          latestSupportedKubernetesVersion: '1.33.2',
          latestStableKubernetesVersion: '1.33.2',
          lowestMinorKubernetesVersion: '1.32.6',
          latestPreviewKubernetesVersion: '1.34.0',
          at: '2026-12-02T10:00:00Z',
          eventId: 'c',
        },
        eventsReceived: 3,
      },
    };
    const lines = statusText(view, io).split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '  API server: aks1-abc.hcp.eastus.azmk8s.io',
        '  node pool apps: rolling Failed at 2026-12-02T10:05:00Z',
        '  node pool system: rolling Succeeded at 2026-12-02T10:00:00Z',
        '  new Kubernetes versions: latest supported 1.33.2, stable 1.33.2, lowest minor 1.32.6, preview 1.34.0 (at 2026-12-02T10:00:00Z)',
      ]),
    );
    // Pools in name order.
    expect(lines.findIndex((l) => l.includes('pool apps'))).toBeLessThan(
      lines.findIndex((l) => l.includes('pool system')),
    );
  });

  it('prints nothing about events for a cluster without any', () => {
    const text = statusText({ name: 'c', instanceId: 'cluster-c', runtimeStatus: 'Completed' }, io);
    expect(text).not.toMatch(/rolling|Kubernetes versions/);
  });
});

/**
 * AKS's Event Grid events reach the cluster's status: the emulator emits NodePoolRolling* and
 * NewKubernetesVersionAvailable for the cluster it creates and delivers them (as Event Grid does) to
 * the app's Event Grid function; events published by hand are recorded the same way, each event id
 * once, and an older event never overwrites a newer one.
 */
import { DEFAULT_SUBSCRIPTION_ID } from '@azure-cluster-provisioner/arm-emulator';
import { eventGridWebhookUrl } from '@azure-cluster-provisioner/functions-host';

import type { AksEventsView } from '../../../src/cluster/aksEventState';
import { ScalingFunctions } from '../../../src/functions/scaling/scalingFunctions';
import { type Environment, startEnvironment } from '../iaas/iaasHarness';
import { deliver } from '../iaas/scalingHarness';

const RG = `/subscriptions/${DEFAULT_SUBSCRIPTION_ID}/resourceGroups/rg-demo/providers`;
const clusterId = (name: string) => `${RG}/Microsoft.ContainerService/managedClusters/${name}`;

function spec(name: string): Record<string, unknown> {
  return {
    type: 'aks',
    name,
    resourceGroup: 'rg-demo',
    location: 'eastus',
    // Older than the newest version the emulator offers (1.33.2): AKS announces the newer one.
    kubernetesVersion: '1.32',
    nodePools: [
      { name: 'system', count: 1, vmSize: 'Standard_D4s_v5', zones: [1, 2, 3] },
      { name: 'apps', count: 2, vmSize: 'Standard_D4s_v5', zones: [1, 2] },
    ],
  };
}

function rolling(
  cluster: string,
  id: string,
  state: 'Started' | 'Succeeded' | 'Failed',
  pool: string,
  at: Date,
): Record<string, unknown> {
  return {
    id,
    topic: clusterId(cluster),
    subject: cluster,
    eventType: `Microsoft.ContainerService.NodePoolRolling${state}`,
    eventTime: at.toISOString(),
    dataVersion: '1',
    metadataVersion: '1',
    data: { nodePoolName: pool },
  };
}

describe('AKS Event Grid events in the cluster status', () => {
  let env: Environment;

  beforeAll(async () => {
    env = await startEnvironment(0.005);
    // As `npm start` does: the emulator's events go to the app's Event Grid function.
    env.emulator.addEventSubscriber(eventGridWebhookUrl(env.host, ScalingFunctions.nodeScalingEvents));
  });
  afterAll(async () => {
    await env?.close();
  });

  const aksEvents = async (name: string): Promise<AksEventsView | undefined> =>
    ((await env.api.cluster(name)) as { aksEvents?: AksEventsView }).aksEvents;

  async function waitFor(
    name: string,
    done: (view: AksEventsView) => boolean,
    timeoutMs = 30_000,
  ): Promise<AksEventsView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await env.host.eventGridIdle();
      const view = await aksEvents(name);
      if (view && done(view)) return view;
      if (Date.now() > deadline) throw new Error(`aksEvents of ${name}: ${JSON.stringify(view)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('shows what the emulator emitted, applies a redelivered event once and ignores an older one', async () => {
    expect((await env.api.request('POST', 'clusters', spec('aksev'))).status).toBe(202);
    const { final } = await env.api.waitForCluster('aksev', 120_000);
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });

    // The emulator's own events: both pools rolled out, a newer version is available.
    const emitted = await waitFor(
      'aksev',
      (v) =>
        v.nodePools.system?.state === 'Succeeded' &&
        v.nodePools.apps?.state === 'Succeeded' &&
        v.newKubernetesVersionAvailable !== undefined,
    );
    expect(emitted.newKubernetesVersionAvailable).toMatchObject({
      latestSupportedKubernetesVersion: '1.33.2',
      latestStableKubernetesVersion: '1.33.2',
      lowestMinorKubernetesVersion: '1.32.6',
      latestPreviewKubernetesVersion: '1.34.0',
    });
    const before = emitted.eventsReceived;
    const succeededAt = Date.parse(emitted.nodePools.apps?.at ?? '');

    // A new rollout of "apps" starts (later than the emulator's events), delivered twice.
    const later = new Date(succeededAt + 60_000);
    const started = rolling('aksev', 'roll-2-started', 'Started', 'apps', later);
    expect(await deliver(env, [started])).toBe(200);
    expect(await deliver(env, [started])).toBe(200);
    // An older failure of the same pool arrives late; then a marker on another pool.
    expect(
      await deliver(env, [
        rolling('aksev', 'roll-0-failed', 'Failed', 'apps', new Date(succeededAt - 60_000)),
      ]),
    ).toBe(200);
    expect(await deliver(env, [rolling('aksev', 'marker', 'Failed', 'system', later)])).toBe(200);
    const after = await waitFor('aksev', (v) => v.nodePools.system?.eventId === 'marker');
    // Three distinct events; the redelivery is not counted, the stale one changed nothing.
    expect(after.eventsReceived - before).toBe(3);
    expect(after.nodePools.apps).toEqual({
      state: 'Started',
      at: later.toISOString(),
      eventId: 'roll-2-started',
    });
    expect(after.nodePools.system).toMatchObject({ state: 'Failed', eventId: 'marker' });

    // NewKubernetesVersionAvailable as a CloudEvent: a newer one replaces, an older one does not.
    const versions = (supported: string, id: string, at: Date) => ({
      specversion: '1.0',
      id,
      source: clusterId('aksev'),
      subject: 'aksev',
      type: 'Microsoft.ContainerService.NewKubernetesVersionAvailable',
      time: at.toISOString(),
      data: {
        latestSupportedKubernetesVersion: supported,
        latestStableKubernetesVersion: supported,
        lowestMinorKubernetesVersion: '1.32.6',
      },
    });
    const newer = new Date(succeededAt + 120_000);
    expect(
      await deliver(env, [versions('1.34.1', 'v-new', newer)], 'application/cloudevents-batch+json'),
    ).toBe(200);
    expect(
      await deliver(
        env,
        [versions('1.33.9', 'v-old', new Date(succeededAt - 120_000))],
        'application/cloudevents-batch+json',
      ),
    ).toBe(200);
    const versionsView = await waitFor('aksev', (v) => v.eventsReceived - before === 5);
    expect(versionsView.newKubernetesVersionAvailable).toEqual({
      latestSupportedKubernetesVersion: '1.34.1',
      latestStableKubernetesVersion: '1.34.1',
      lowestMinorKubernetesVersion: '1.32.6',
      at: newer.toISOString(),
      eventId: 'v-new',
    });

    // The topology the status page draws carries them too.
    const topology = await env.api.request('GET', 'clusters/aksev/topology');
    expect((topology.json as { cluster: { aksEvents?: AksEventsView } }).cluster.aksEvents).toEqual(
      versionsView,
    );
  });

  it('acknowledges events for a cluster it does not know, and forgets a deleted cluster', async () => {
    const logs = env.logs.length;
    expect(await deliver(env, [rolling('nosuch', 'unknown-1', 'Started', 'apps', new Date())])).toBe(200);
    await env.host.eventGridIdle();
    expect(env.logs.slice(logs).join('\n')).toMatch(/ignored .*unknown-1.*not a managed cluster/);

    expect((await env.api.request('DELETE', 'clusters/aksev')).status).toBe(202);
    const { final } = await env.api.waitForCluster('aksev', 120_000);
    expect(final).toMatchObject({ phase: 'Deleted' });
    expect(await deliver(env, [rolling('aksev', 'after-delete', 'Started', 'apps', new Date())])).toBe(200);
    await env.host.eventGridIdle();
    expect(await aksEvents('aksev')).toBeUndefined();
  });
});

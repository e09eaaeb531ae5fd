/**
 * Elastic capacity end to end: HTTP and Event Grid deliveries on the local host → the pool's entity →
 * zone-balanced scale steps → the ARM emulator, with per-zone counts checked after every step.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { eventGridWebhookUrl } from '@azure-cluster-provisioner/functions-host';

import { ScalingFunctions } from '../../../src/functions/scaling/scalingFunctions';
import { armSettingsFromEnv, createArmClients } from '../../../src/resources/clients';
import { deleteResource } from '../../../src/resources/reconcile';
import { resourceTypes } from '../../../src/resources/types/registry';
import { appSettings, type Environment, exampleSpec, RESOURCE_GROUP, startEnvironment } from './iaasHarness';
import {
  actualPerZone,
  deliver,
  DEMAND,
  demandEvent,
  nicsOf,
  poolView,
  scaleCloudEvent,
  vmsPerZone,
  vmWrites,
  waitForPool,
  waitForScalingIdle,
} from './scalingHarness';

const CLUSTER = 'elastic';
const POOL = 'general';

describe('node pool scaling end to end', () => {
  let env: Environment;
  const t0 = Date.now();
  const at = (seconds: number) => new Date(t0 + seconds * 1000);

  beforeAll(async () => {
    env = await startEnvironment(0.01, { SCALE_IN_COOLDOWN_SECONDS: '0' });
    // As `npm start` does: ARM's resource events go to the app's Event Grid function.
    env.emulator.addEventSubscriber(eventGridWebhookUrl(env.host, ScalingFunctions.nodeScalingEvents));
    const spec = exampleSpec(CLUSTER, {
      nodePools: [
        { name: POOL, count: 3, minCount: 1, maxCount: 9, vmSize: 'Standard_D4s_v5', zones: [1, 2, 3] },
      ],
    });
    const created = await env.api.request('POST', 'clusters', spec);
    expect(created.status).toBe(202);
    const { final } = await env.api.waitForCluster(CLUSTER, 90_000);
    expect(final.runtimeStatus).toBe('Completed');
  }, 120_000);

  afterAll(async () => {
    await env?.close();
  });

  it('shows each pool with desired and actual nodes per zone before any scaling', async () => {
    const view = await poolView(env, CLUSTER, POOL);
    expect(view).toMatchObject({ minCount: 1, maxCount: 9, desired: 3, actual: 3, scaling: false });
    expect(actualPerZone(view)).toEqual({ '1': 1, '2': 1, '3': 1 });
    expect(vmsPerZone(env, CLUSTER, POOL)).toEqual({ '1': 1, '2': 1, '3': 1 });
  });

  it('scales up through the HTTP route, zone-balanced, NIC and VM like provisioning', async () => {
    const res = await env.api.request('POST', `clusters/${CLUSTER}/nodepools/${POOL}/scale`, { count: 5 });
    expect(res.status).toBe(202);
    const view = await waitForPool(env, CLUSTER, POOL, 5);
    expect(actualPerZone(view)).toEqual({ '1': 2, '2': 2, '3': 1 });
    expect(vmsPerZone(env, CLUSTER, POOL)).toEqual({ '1': 2, '2': 2, '3': 1 });
    expect(nicsOf(env, CLUSTER, POOL)).toHaveLength(5);
    expect(view.lastDecision).toMatchObject({
      source: { kind: 'request' },
      outcome: 'scaleOut',
      from: 3,
      to: 5,
    });
  });

  it('refuses counts outside the bounds (naming them), unknown pools and clusters, bad bodies', async () => {
    const route = `clusters/${CLUSTER}/nodepools/${POOL}/scale`;
    const high = await env.api.request('POST', route, { count: 10 });
    expect(high.status).toBe(400);
    expect(JSON.stringify(high.json)).toMatch(/minCount 1 and maxCount 9/);
    expect((await env.api.request('POST', route, { count: 'five' })).status).toBe(400);
    expect((await env.api.request('POST', route, '{')).status).toBe(400);
    expect(
      (await env.api.request('POST', `clusters/${CLUSTER}/nodepools/nope/scale`, { count: 2 })).status,
    ).toBe(404);
    expect(
      (await env.api.request('POST', `clusters/nope/nodepools/${POOL}/scale`, { count: 2 })).status,
    ).toBe(404);
  });

  it('scales down on newer demand, removing the named removable node first', async () => {
    expect(
      await deliver(env, [
        demandEvent(CLUSTER, POOL, 2, at(10), { removableNodes: [`${CLUSTER}-${POOL}-1`] }),
      ]),
    ).toBe(200);
    const view = await waitForPool(env, CLUSTER, POOL, 2);
    const names = (env.emulator.resources() as { type: string; name: string }[])
      .filter(
        (r) => r.type === 'Microsoft.Compute/virtualMachines' && r.name.startsWith(`${CLUSTER}-${POOL}-`),
      )
      .map((r) => r.name)
      .sort();
    expect(names).not.toContain(`${CLUSTER}-${POOL}-1`);
    expect(Object.values(vmsPerZone(env, CLUSTER, POOL)).every((n) => n === 1)).toBe(true);
    expect(actualPerZone(view)).toEqual(vmsPerZone(env, CLUSTER, POOL));
    expect(nicsOf(env, CLUSTER, POOL)).toHaveLength(2);
  });

  it('ignores a stale demand', async () => {
    const writes = vmWrites(env);
    expect(await deliver(env, [demandEvent(CLUSTER, POOL, 8, at(5))])).toBe(200);
    await waitForScalingIdle(env);
    const view = await poolView(env, CLUSTER, POOL);
    expect(view).toMatchObject({ desired: 2, actual: 2 });
    expect(vmWrites(env)).toBe(writes);
  });

  it('applies one ScaleRequested delivered three times once (CloudEvents)', async () => {
    const event = scaleCloudEvent(CLUSTER, POOL, 1, 'scale-once-1');
    expect(await deliver(env, [event], 'application/cloudevents-batch+json')).toBe(200);
    expect(await deliver(env, [event, event], 'application/cloudevents-batch+json')).toBe(200);
    const view = await waitForPool(env, CLUSTER, POOL, 3);
    expect(actualPerZone(view)).toEqual({ '1': 1, '2': 1, '3': 1 });
    expect(view.lastDecision).toMatchObject({ source: { kind: 'event', id: 'scale-once-1' }, to: 3 });
  });

  it('clamps demand above maxCount', async () => {
    expect(await deliver(env, [demandEvent(CLUSTER, POOL, 50, at(20))])).toBe(200);
    const view = await waitForPool(env, CLUSTER, POOL, 9);
    expect(view.lastDecision?.reason).toMatch(/50 is above maxCount 9: clamped/);
    expect(actualPerZone(view)).toEqual({ '1': 3, '2': 3, '3': 3 });
    expect(vmsPerZone(env, CLUSTER, POOL)).toEqual({ '1': 3, '2': 3, '3': 3 });
  }, 90_000);

  it('replaces a VM deleted behind its back (ARM event → repair)', async () => {
    const settings = armSettingsFromEnv(appSettings(env.emulator, path.join(env.tempDir, 'arm-ca.pem')));
    const clients = createArmClients(settings);
    const victim = `/subscriptions/${settings.subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Compute/virtualMachines/${CLUSTER}-${POOL}-4`;
    await deleteResource(resourceTypes, clients, { id: victim, type: 'Microsoft.Compute/virtualMachines' });
    expect(vmsPerZone(env, CLUSTER, POOL)['2']).toBe(2);
    const deadline = Date.now() + 60_000;
    while (vmsPerZone(env, CLUSTER, POOL)['2'] !== 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitForPool(env, CLUSTER, POOL, 9);
    expect(vmsPerZone(env, CLUSTER, POOL)).toEqual({ '1': 3, '2': 3, '3': 3 });
    expect((await poolView(env, CLUSTER, POOL)).lastDecision).toMatchObject({ outcome: 'repair' });
  }, 90_000);

  it('re-creates a control-plane VM deleted behind its back (ARM event → cluster repair)', async () => {
    const settings = armSettingsFromEnv(appSettings(env.emulator, path.join(env.tempDir, 'arm-ca.pem')));
    const clients = createArmClients(settings);
    const name = `${CLUSTER}-cp-0`;
    const exists = () =>
      (env.emulator.resources() as { type: string; name: string }[]).some(
        (r) => r.type === 'Microsoft.Compute/virtualMachines' && r.name === name,
      );
    const writes = env.api.writes();
    await deleteResource(resourceTypes, clients, {
      id: `/subscriptions/${settings.subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Compute/virtualMachines/${name}`,
      type: 'Microsoft.Compute/virtualMachines',
    });
    expect(exists()).toBe(false);
    const deadline = Date.now() + 60_000;
    while (!exists() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(exists()).toBe(true);
    await waitForScalingIdle(env);
    // The delete and the one PUT that re-created it, and the fresh join token's run command on a
    // remaining control-plane VM (PUT, then DELETE once it ran): nothing else was written.
    const since = env.emulator
      .operations()
      .filter((o) => o.write)
      .slice(writes);
    const runCommands = since.filter((o) => /\/runCommands\//i.test(o.path));
    expect(runCommands.map((o) => o.method)).toEqual(['PUT', 'DELETE']);
    expect(since.length - runCommands.length).toBe(2);
    expect(vmsPerZone(env, CLUSTER, POOL)).toEqual({ '1': 3, '2': 3, '3': 3 });
  }, 90_000);

  it('a shuffled burst of hundreds of demands ends at the newest one with few VM writes', async () => {
    const count = 300;
    // Demands jitter around the newest one (4..8 nodes; the newest says 6), sent in shuffled order.
    const events = Array.from({ length: count }, (_, i) =>
      demandEvent(CLUSTER, POOL, i === count - 1 ? 6 : 4 + (i % 5), at(100 + i)),
    );
    const want = 6;
    for (let i = events.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [events[i], events[j]] = [events[j]!, events[i]!];
    }
    const writes = vmWrites(env);
    const batches = [];
    for (let i = 0; i < events.length; i += 25) batches.push(deliver(env, events.slice(i, i + 25)));
    expect(new Set(await Promise.all(batches))).toEqual(new Set([200]));
    const view = await waitForPool(env, CLUSTER, POOL, want, 120_000);
    const burstWrites = vmWrites(env) - writes;
    // From 9 nodes to 6: each removed node is one VM delete (3); following the shuffled demands
    // would be dozens.
    expect(burstWrites).toBeGreaterThanOrEqual(3);
    expect(burstWrites).toBeLessThanOrEqual(9);
    expect(Object.values(actualPerZone(view)).reduce((a, b) => a + b, 0)).toBe(want);
  }, 180_000);

  it('refuses to scale a cluster while it is being created (409)', async () => {
    const spec = exampleSpec('elastic2', {
      network: { vnet: { cidr: '10.60.0.0/16' } },
      nodePools: [{ name: POOL, count: 1, minCount: 1, maxCount: 3, vmSize: 'Standard_D4s_v5', zones: [1] }],
    });
    expect((await env.api.request('POST', 'clusters', spec)).status).toBe(202);
    const res = await env.api.request('POST', `clusters/elastic2/nodepools/${POOL}/scale`, { count: 2 });
    expect(res.status).toBe(409);
    expect(JSON.stringify(res.json)).toMatch(/being provisioned/);
    expect((await env.api.waitForCluster('elastic2', 90_000)).final.runtimeStatus).toBe('Completed');
  }, 120_000);

  it('acknowledges unknown types and unknown clusters, rejects malformed deliveries with 400, and logs them', async () => {
    const unknown = { ...demandEvent(CLUSTER, POOL, 3, at(1000)), eventType: 'Contoso.Something' };
    expect(await deliver(env, [unknown])).toBe(200);
    expect(await deliver(env, [demandEvent('no-such-cluster', POOL, 3, at(1000))])).toBe(200);
    expect(await deliver(env, [demandEvent(CLUSTER, 'no-such-pool', 3, at(1000))])).toBe(200);
    expect(await deliver(env, 'not json')).toBe(400);
    expect(await deliver(env, [{ eventType: DEMAND, subject: 's', data: {} }])).toBe(400);
    const badData = demandEvent(CLUSTER, POOL, -4, at(1001), { id: 'bad-data-1' });
    expect(await deliver(env, [badData])).toBe(200);
    await waitForScalingIdle(env);
    const logs = env.logs.join('\n');
    expect(logs).toMatch(
      /rejected malformed event bad-data-1 .*data.requiredNodes must be between 0 and 1000/,
    );
    expect(logs).toMatch(/no cluster named \\?"no-such-cluster\\?"/);
    expect(logs).toMatch(/has no node pool \\?"no-such-pool\\?"/);
    // Nothing was dead-lettered: every event was answered.
    expect(fs.existsSync(env.host.deadLetterFile)).toBe(false);
  });

  it('applying the spec again sets the pool to its count, keeping scaled nodes in place and pruning the rest', async () => {
    const before = await poolView(env, CLUSTER, POOL);
    expect(before.actual).toBe(6);
    const spec = exampleSpec(CLUSTER, {
      nodePools: [
        { name: POOL, count: 4, minCount: 1, maxCount: 9, vmSize: 'Standard_D4s_v5', zones: [1, 2, 3] },
      ],
    });
    expect((await env.api.request('POST', 'clusters', spec)).status).toBe(202);
    expect((await env.api.waitForCluster(CLUSTER, 90_000)).final.runtimeStatus).toBe('Completed');
    const view = await poolView(env, CLUSTER, POOL);
    expect(view).toMatchObject({ desired: 4, actual: 4 });
    expect(Object.values(vmsPerZone(env, CLUSTER, POOL)).sort()).toEqual([1, 1, 2]);
    expect(actualPerZone(view)).toEqual(vmsPerZone(env, CLUSTER, POOL));
    expect(nicsOf(env, CLUSTER, POOL)).toHaveLength(4);
    // And scaling goes on from there.
    expect(
      (await env.api.request('POST', `clusters/${CLUSTER}/nodepools/${POOL}/scale`, { count: 5 })).status,
    ).toBe(202);
    expect(actualPerZone(await waitForPool(env, CLUSTER, POOL, 5))).toEqual(vmsPerZone(env, CLUSTER, POOL));
  }, 120_000);

  it('deleting the cluster deletes the nodes scaling added and ends the pool entity', async () => {
    expect((await env.api.request('DELETE', `clusters/${CLUSTER}`)).status).toBe(202);
    const { final } = await env.api.waitForCluster(CLUSTER, 90_000);
    expect(final.runtimeStatus).toBe('Completed');
    expect(env.api.clusterResources(CLUSTER)).toEqual([]);
    const entity = await fetch(
      `${env.host.url}/runtime/webhooks/durabletask/entities/nodePool/${CLUSTER}:${POOL}?code=${env.host.keys.systemKeys.durabletask_extension}`,
    );
    expect(entity.status).toBe(404);
    // Scaling a deleted cluster is refused.
    expect(
      (await env.api.request('POST', `clusters/${CLUSTER}/nodepools/${POOL}/scale`, { count: 2 })).status,
    ).toBe(404);
  }, 120_000);
});

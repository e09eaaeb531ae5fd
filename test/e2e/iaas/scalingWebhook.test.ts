/**
 * The Event Grid WebHook route (`POST /api/events/scaling`) over HTTP on the local host: handshakes,
 * malformed events refused with 400 naming the event and field (a batch applied whole or not at all),
 * exactly once per event id on redelivery; and finished `nodepool-*` orchestrations purged so the
 * host's instance list does not grow with every event, while the status keeps the last decision.
 */
import { durableManagementUrl } from '@azure-cluster-provisioner/functions-host';

import { type Environment, exampleSpec, FUNCTION_KEY, startEnvironment } from './iaasHarness';
import {
  DEMAND,
  demandEvent,
  poolView,
  scaleCloudEvent,
  vmsPerZone,
  vmWrites,
  waitForPool,
  waitForScalingIdle,
} from './scalingHarness';

const CLUSTER = 'hook';
const POOL = 'general';

describe('Event Grid webhook route and finished-instance purge', () => {
  let env: Environment;
  const t0 = Date.now();
  const at = (seconds: number) => new Date(t0 + seconds * 1000);

  async function post(
    events: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${env.host.url}/api/events/scaling?code=${FUNCTION_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification', ...headers },
      body: typeof events === 'string' ? events : JSON.stringify(events),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      // keep the text
    }
    return { status: res.status, json };
  }

  async function poolInstances(): Promise<string[]> {
    const res = await fetch(`${durableManagementUrl(env.host)}&instanceIdPrefix=nodepool-`);
    return ((await res.json()) as { instanceId: string }[]).map((i) => i.instanceId);
  }

  beforeAll(async () => {
    env = await startEnvironment(0.01, { SCALE_IN_COOLDOWN_SECONDS: '0', NODE_POOL_HISTORY_MINUTES: '0' });
    const spec = exampleSpec(CLUSTER, {
      nodePools: [
        { name: POOL, count: 2, minCount: 1, maxCount: 6, vmSize: 'Standard_D4s_v5', zones: [1, 2, 3] },
      ],
    });
    expect((await env.api.request('POST', 'clusters', spec)).status).toBe(202);
    expect((await env.api.waitForCluster(CLUSTER, 90_000)).final.runtimeStatus).toBe('Completed');
  }, 120_000);

  afterAll(async () => {
    await env?.close();
  });

  it('answers the Event Grid and CloudEvents subscription handshakes', async () => {
    const validation = await post(
      [
        {
          id: 'v1',
          eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
          subject: '',
          eventTime: new Date().toISOString(),
          dataVersion: '2',
          data: { validationCode: 'code-123' },
        },
      ],
      { 'aeg-event-type': 'SubscriptionValidation' },
    );
    expect(validation).toEqual({ status: 200, json: { validationResponse: 'code-123' } });
    const options = await fetch(`${env.host.url}/api/events/scaling?code=${FUNCTION_KEY}`, {
      method: 'OPTIONS',
      headers: { 'webhook-request-origin': 'eventgrid.azure.net' },
    });
    expect(options.status).toBe(200);
    expect(options.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'requiredNodes not a number',
      demandEvent(CLUSTER, POOL, 3, at(1), { id: 'bad-text' }),
      /bad-text \(ClusterProvisioner.NodePool.DemandReported\): data.requiredNodes must be a whole number \(got "x"\)/,
    ],
    [
      'requiredNodes negative',
      demandEvent(CLUSTER, POOL, -2, at(1), { id: 'bad-negative' }),
      /bad-negative .*data.requiredNodes must be between 0 and 1000 \(got -2\)/,
    ],
    [
      'clusterName missing',
      demandEvent(CLUSTER, POOL, 3, at(1), { id: 'bad-cluster' }),
      /bad-cluster .*data.clusterName must be a non-empty string/,
    ],
    [
      'observedAt not a date',
      demandEvent(CLUSTER, POOL, 3, at(1), { id: 'bad-time' }),
      /bad-time .*data.observedAt must be an RFC 3339 time/,
    ],
    [
      'delta not a whole number',
      scaleCloudEvent(CLUSTER, POOL, 1.5, 'bad-delta'),
      /bad-delta \(ClusterProvisioner.NodePool.ScaleRequested\): data.delta must be a whole number \(got 1.5\)/,
    ],
  ])(
    'refuses an event with %s: 400, a log line naming the event and field, nothing applied',
    async (what, event, log) => {
      const data = event['data'] as Record<string, unknown>;
      if (what === 'requiredNodes not a number') data['requiredNodes'] = 'x';
      if (what === 'clusterName missing') delete data['clusterName'];
      if (what === 'observedAt not a date') data['observedAt'] = 'yesterday';
      const writes = vmWrites(env);
      const res = await post([event]);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.json)).toMatch(/MalformedEvents/);
      expect(env.logs.join('\n')).toMatch(log);
      await waitForScalingIdle(env);
      expect(vmWrites(env)).toBe(writes);
      expect((await poolView(env, CLUSTER, POOL)).desired).toBe(2);
    },
  );

  it('a batch with a malformed event is refused whole; the valid event, delivered again alone, applies once', async () => {
    const valid = scaleCloudEvent(CLUSTER, POOL, 1, 'mixed-valid');
    const invalid = {
      ...scaleCloudEvent(CLUSTER, POOL, 1, 'mixed-invalid'),
      data: { nodePool: POOL, delta: 1 },
    };
    const writes = vmWrites(env);
    const res = await post([valid, invalid], { 'content-type': 'application/cloudevents-batch+json' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      rejected: [
        { index: 1, id: 'mixed-invalid', reason: expect.stringMatching(/data.clusterName/) as unknown },
      ],
    });
    expect(env.logs.join('\n')).toMatch(
      /rejected a delivery of 2 event\(s\) with 400: 1 malformed, none applied/,
    );
    await waitForScalingIdle(env);
    expect(vmWrites(env)).toBe(writes);
    expect((await poolView(env, CLUSTER, POOL)).desired).toBe(2);

    // Event Grid dead-letters a 400; the valid event published again applies, and only once.
    for (let i = 0; i < 3; i++) {
      expect((await post([valid], { 'content-type': 'application/cloudevents-batch+json' })).status).toBe(
        200,
      );
    }
    const view = await waitForPool(env, CLUSTER, POOL, 3);
    expect(Object.values(vmsPerZone(env, CLUSTER, POOL)).reduce((a, b) => a + b, 0)).toBe(3);
    expect(view.lastDecision).toMatchObject({ source: { kind: 'event', id: 'mixed-valid' }, from: 2, to: 3 });
  });

  it('refuses a body that is not JSON, and acknowledges unknown types', async () => {
    expect((await post('not json')).status).toBe(400);
    const unknown = { ...demandEvent(CLUSTER, POOL, 3, at(2)), eventType: 'Contoso.Other' };
    expect(await post([unknown])).toMatchObject({ status: 200, json: { accepted: 0, ignored: 1 } });
  });

  it('purges finished scale orchestrations: the instance list stays small, the status keeps the last decision', async () => {
    const sizes: number[] = [];
    for (let round = 0; round < 4; round++) {
      const events = Array.from({ length: 5 }, (_, i) =>
        demandEvent(CLUSTER, POOL, 2 + ((round + i) % 3), at(100 + round * 10 + i), {
          id: `purge-${round}-${i}`,
        }),
      );
      expect((await post(events)).status).toBe(200);
      await waitForScalingIdle(env);
      sizes.push((await poolInstances()).length);
    }
    const last = 2 + ((3 + 4) % 3);
    const view = await waitForPool(env, CLUSTER, POOL, last);
    expect(view.lastDecision?.source).toMatchObject({ kind: 'event', type: DEMAND });
    // Every round started at least five orchestrations; what remains never adds up.
    expect(Math.max(...sizes)).toBeLessThanOrEqual(6);
    // A delivery that starts nothing sweeps the rest.
    expect(
      (await post([{ ...demandEvent(CLUSTER, POOL, 3, at(1)), eventType: 'Contoso.Other' }])).status,
    ).toBe(200);
    expect(await poolInstances()).toEqual([]);
    // The HTTP route sweeps too, and the status still shows what was decided.
    const res = await env.api.request('POST', `clusters/${CLUSTER}/nodepools/${POOL}/scale`, { count: 2 });
    expect(res.status).toBe(202);
    const after = await waitForPool(env, CLUSTER, POOL, 2);
    expect(after.lastDecision).toMatchObject({ source: { kind: 'request' }, to: 2 });
  }, 120_000);
});

import { AZURE_THROTTLE_LIMITS } from '../src';
import { ArmThrottle } from '../src/armThrottle';
import { type Kit, LOCATION, rawRequest, RG, startKit, SUBSCRIPTION } from './armTestKit';

describe('ARM request throttling', () => {
  it('is a token bucket per subscription and kind, refilled on the emulator clock', () => {
    let now = 0;
    const throttle = new ArmThrottle(
      { writes: { burst: 2, perSecond: 10 } },
      () => 0.5,
      () => now,
    );
    expect(throttle.take('writes', 'sub-a')).toEqual({ allowed: true, remaining: 1 });
    expect(throttle.take('writes', 'sub-a')).toEqual({ allowed: true, remaining: 0 });
    // Empty: at time scale 0.5 ten tokens a second of Azure time is one token per 50 ms here.
    expect(throttle.take('writes', 'sub-a')).toEqual({ allowed: false, remaining: 0, retryAfterMs: 50 });
    expect(throttle.take('writes', 'SUB-B')).toMatchObject({ allowed: true }); // another subscription
    expect(throttle.take('reads', 'sub-a')).toBeUndefined(); // reads not limited here
    now += 50;
    expect(throttle.take('writes', 'sub-a')).toMatchObject({ allowed: true });
    expect(new ArmThrottle(AZURE_THROTTLE_LIMITS, () => 0).take('writes', 's')).toBeUndefined(); // scale 0: off
    expect(() => new ArmThrottle({ reads: { burst: 0, perSecond: 1 } }, () => 1)).toThrow(/throttle\.reads/);
  });

  describe('through the real SDK clients', () => {
    let kit: Kit | undefined;
    afterEach(async () => {
      await kit?.close();
      kit = undefined;
    });

    it('answers 429 with how long to wait once a burst is spent, and the SDK retries until every write lands', async () => {
      kit = await startKit(
        {
          // One token per 500 ms, so the burst is spent even when a loaded machine sends the twelve
          // PUTs slowly; NSGs that are ready at once.
          timeScale: 1,
          latencyMs: { 'Microsoft.Network/networkSecurityGroups': 0 },
          throttle: { writes: { burst: 4, perSecond: 2 } },
        },
        { maxRetries: 10 },
      );
      const names = Array.from({ length: 12 }, (_, i) => `nsg-${i}`);
      await Promise.all(
        names.map((name) =>
          kit!.clients.network.networkSecurityGroups.createOrUpdate(
            RG,
            name,
            { location: LOCATION },
            kit!.lro,
          ),
        ),
      );
      const listed = [];
      for await (const nsg of kit.clients.network.networkSecurityGroups.list(RG)) listed.push(nsg.name);
      expect(listed.sort()).toEqual([...names].sort());

      const puts = kit.emulator.operations().filter((o) => o.method === 'PUT');
      const throttled = puts.filter((o) => o.status === 429);
      expect(throttled.length).toBeGreaterThan(0);
      expect(puts.filter((o) => o.status < 300)).toHaveLength(names.length);

      // What a throttled request is told: ARM's code, when to come back, and how much is left.
      for (let i = 0; i < 6; i++) {
        const res = await rawRequest(
          kit,
          'PUT',
          `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Network/networkSecurityGroups/extra-${i}?api-version=2026-01-01`,
          { location: LOCATION },
        );
        if (res.status !== 429) continue;
        expect(res.json).toMatchObject({ error: { code: 'SubscriptionRequestsThrottled' } });
        expect(Number(res.headers['x-ms-retry-after-ms'])).toBeGreaterThan(0);
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(res.headers['x-ms-ratelimit-remaining-subscription-writes']).toBe('0');
        return;
      }
      throw new Error('six back-to-back writes after a spent burst were never throttled');
    });
  });
});

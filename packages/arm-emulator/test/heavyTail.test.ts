import { HEAVY_TAIL_LATENCY, type LatencyDraw } from '../src';
import { LatencyModel } from '../src/latencyModel';
import { id, type Kit, LOCATION, rawRequest, RG, startKit } from './armTestKit';

const VM = 'Microsoft.Compute/virtualMachines';
const NIC = 'Microsoft.Network/networkInterfaces';

/** The `q`-quantile of `values` (nearest rank). */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

describe('ARM emulator heavy-tailed latency model', () => {
  it('draws each type around its median and p99 (counts over many seeded draws)', () => {
    const model = new LatencyModel({}, 1, { model: 'heavy-tail', seed: 7 });
    const n = 20_000;
    for (const type of [VM, NIC, 'Microsoft.ContainerService/managedClusters']) {
      const dist = HEAVY_TAIL_LATENCY[type]!.write;
      const draws = Array.from({ length: n }, (_, i) => model.heavyTailMs(type, 'write', `/r/${i}`));
      // Counts, not times: about half below the median, about 1 % above the p99.
      const belowMedian = draws.filter((ms) => ms < dist.medianMs).length / n;
      const aboveP99 = draws.filter((ms) => ms > dist.p99Ms).length / n;
      expect(belowMedian).toBeGreaterThan(0.48);
      expect(belowMedian).toBeLessThan(0.52);
      expect(aboveP99).toBeGreaterThan(0.006);
      expect(aboveP99).toBeLessThan(0.014);
      expect(quantile(draws, 0.5) / dist.medianMs).toBeGreaterThan(0.95);
      expect(quantile(draws, 0.5) / dist.medianMs).toBeLessThan(1.05);
    }
  });

  it('gives VM creates a long tail: a few percent take several times the median', () => {
    const model = new LatencyModel({}, 1, { model: 'heavy-tail', seed: 11 });
    const median = HEAVY_TAIL_LATENCY[VM]!.write.medianMs;
    const n = 20_000;
    const draws = Array.from({ length: n }, (_, i) => model.heavyTailMs(VM, 'write', `/vm/${i}`));
    const overTwice = draws.filter((ms) => ms > 2 * median).length / n;
    const overThrice = draws.filter((ms) => ms > 3 * median).length / n;
    expect(overTwice).toBeGreaterThan(0.05);
    expect(overTwice).toBeLessThan(0.15);
    expect(overThrice).toBeGreaterThan(0.01);
    expect(overThrice).toBeLessThan(0.05);
  });

  it('replays: same seed, same draw per resource and operation whatever the order; another seed differs', () => {
    const ids = Array.from(
      { length: 200 },
      (_, i) => `/subscriptions/s/resourceGroups/rg/providers/${VM}/vm-${i}`,
    );
    const a = new LatencyModel({}, 1, { model: 'heavy-tail', seed: 42 });
    const b = new LatencyModel({}, 1, { model: 'heavy-tail', seed: 42 });
    const c = new LatencyModel({}, 1, { model: 'heavy-tail', seed: 43 });
    const inOrder = new Map(ids.map((rid) => [rid, a.draw(VM, 'write', rid).baseMs]));
    // Arrival order reversed and ids in another case: nothing changes.
    const reversed = new Map(
      [...ids].reverse().map((rid) => [rid, b.draw(VM, 'write', rid.toUpperCase()).baseMs]),
    );
    for (const rid of ids) expect(reversed.get(rid)).toBe(inOrder.get(rid));
    const other = ids.filter((rid) => c.draw(VM, 'write', rid).baseMs !== inOrder.get(rid));
    expect(other.length).toBeGreaterThan(190);
    // A second write of the same resource is a new draw; a delete is its own draw.
    const second = ids.filter((rid) => a.draw(VM, 'write', rid).baseMs !== inOrder.get(rid));
    expect(second.length).toBeGreaterThan(190);
    expect(a.draws().filter((d) => d.occurrence === 1)).toHaveLength(ids.length);
    // A new seed restarts the per-resource counts: setting 42 again replays the first run.
    a.setSeed(42);
    for (const rid of ids) expect(a.draw(VM, 'write', rid).baseMs).toBe(inOrder.get(rid));
  });

  it('keeps the fixed model, pins overridden types in both models, and scales by the time scale', () => {
    const fixed = new LatencyModel({}, 0.5, { seed: 1 });
    expect(fixed.model).toBe('fixed');
    expect(fixed.draw(VM, 'write', '/vm/a').durationMs).toBe(30_000);
    const tail = new LatencyModel({ [NIC]: 1000 }, 0.5, {
      model: 'heavy-tail',
      seed: 1,
      distributions: { [`${VM}:delete`]: { medianMs: 10_000, p99Ms: 10_000 } },
    });
    expect(tail.draw(NIC, 'write', '/nic/a')).toMatchObject({ baseMs: 1000, durationMs: 500 });
    expect(tail.draw(VM, 'delete', '/vm/a')).toMatchObject({ baseMs: 10_000, durationMs: 5_000 });
    const drawn = tail.draw(VM, 'write', '/vm/a');
    expect(drawn.durationMs).toBe(Math.round(drawn.baseMs * 0.5));
    expect(() => new LatencyModel({}, 1, { model: 'bumpy' as never })).toThrow(/latencyModel/);
    expect(() => new LatencyModel({}, 1, { seed: -1 })).toThrow(/seed/);
    expect(() => new LatencyModel({}, 1, { distributions: { [VM]: { medianMs: 10, p99Ms: 5 } } })).toThrow(
      /latencyDistributions/,
    );
  });

  describe('through the emulator', () => {
    let kit: Kit | undefined;
    afterEach(async () => {
      await kit?.close();
      kit = undefined;
    });

    const runOnce = async (seed: number): Promise<Map<string, number>> => {
      kit = await startKit({ timeScale: 0.001, latencyModel: 'heavy-tail', seed });
      const net = kit.clients.network;
      await net.virtualNetworks.beginCreateOrUpdateAndWait(
        RG,
        'vnet',
        {
          location: LOCATION,
          addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
          subnets: [{ name: 'nodes', addressPrefix: '10.0.1.0/24' }],
        },
        kit.lro,
      );
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          net.networkInterfaces.beginCreateOrUpdateAndWait(
            RG,
            `nic-${i}`,
            {
              location: LOCATION,
              ipConfigurations: [
                {
                  name: 'ip',
                  subnet: { id: id('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'nodes') },
                },
              ],
            },
            kit!.lro,
          ),
        ),
      );
      // The control API serves the same draws the bench reads.
      const res = await rawRequest(kit, 'GET', '/_emulator/latencies');
      expect(res.json).toMatchObject({ model: 'heavy-tail', seed, timeScale: 0.001 });
      const draws = (res.json as { value: LatencyDraw[] }).value;
      expect(draws).toEqual(kit.emulator.latencies());
      expect(draws.filter((d) => d.type === NIC)).toHaveLength(8);
      for (const d of draws) expect(d.operationId).toBeDefined();
      const out = new Map(draws.map((d) => [`${d.id.toLowerCase()}|${d.kind}`, d.baseMs]));
      await kit.close();
      kit = undefined;
      return out;
    };

    it('exposes every drawn latency, and the same seed draws the same for each resource under concurrency', async () => {
      const first = await runOnce(1234);
      const second = await runOnce(1234);
      expect([...second.entries()].sort()).toEqual([...first.entries()].sort());
      const third = await runOnce(4321);
      expect([...third.keys()].sort()).toEqual([...first.keys()].sort());
      expect([...third.entries()].filter(([k, v]) => first.get(k) !== v).length).toBeGreaterThan(5);
    });

    it('switches model and seed through the control API and describes the model', async () => {
      kit = await startKit({ timeScale: 0.001 });
      expect(kit.emulator.latency().model).toBe('fixed');
      const put = await rawRequest(kit, 'PUT', '/_emulator/settings', {
        latencyModel: 'heavy-tail',
        seed: 99,
      });
      expect(put.json).toMatchObject({
        latencyModel: 'heavy-tail',
        seed: 99,
        throttle: 'off',
        computeThrottle: 'off',
      });
      expect(kit.emulator.latency()).toMatchObject({ model: 'heavy-tail', seed: 99 });
      const bad = await rawRequest(kit, 'PUT', '/_emulator/settings', { seed: 'soon' });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.json)).toMatch(/settings\.seed/);
      const described = await rawRequest(kit, 'GET', '/_emulator/latency-model');
      expect(described.json).toMatchObject({
        model: 'heavy-tail',
        seed: 99,
        types: { [VM]: { fixedMs: { write: 60_000 }, write: HEAVY_TAIL_LATENCY[VM]!.write } },
      });
    });
  });
});

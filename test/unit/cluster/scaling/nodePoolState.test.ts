import fc from 'fast-check';

import {
  applyRequest,
  type Clock,
  MAX_PROCESSED_EVENT_IDS,
  nextStep,
  type NodePoolConfig,
  type NodePoolRequest,
  type NodePoolState,
  type PoolNode,
  retire,
  SCALE_IN_SETTLE_MS,
} from '../../../../src/cluster/scaling/nodePoolState';

const seed = process.env['FC_SEED'] ?? (process.env['CI'] ? '20261202' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });

const T0 = Date.parse('2026-12-02T01:00:00Z');
const at = (seconds: number): Clock => ({
  now: new Date(T0 + seconds * 1000).toISOString(),
  nowMs: T0 + seconds * 1000,
});
const nodes = (count: number): PoolNode[] =>
  Array.from({ length: count }, (_, i) => ({ name: `demo-pool1-${i}`, zone: String((i % 3) + 1) }));
const config: NodePoolConfig = {
  clusterName: 'demo',
  pool: 'pool1',
  minCount: 1,
  maxCount: 10,
  zones: ['1', '2', '3'],
  nodes: nodes(3),
};
const demand = (id: string, requiredNodes: number, observedSecond: number, removableNodes: string[] = []) =>
  ({
    op: 'demand',
    source: { kind: 'event', type: 'ClusterProvisioner.NodePool.DemandReported', id },
    requiredNodes,
    observedAt: at(observedSecond).now,
    observedAtMs: at(observedSecond).nowMs,
    removableNodes,
  }) satisfies NodePoolRequest;
const scaleBy = (id: string, delta: number) =>
  ({
    op: 'scaleBy',
    source: { kind: 'event', type: 'ClusterProvisioner.NodePool.ScaleRequested', id },
    delta,
  }) satisfies NodePoolRequest;
const setCount = (count: number) =>
  ({ op: 'setCount', source: { kind: 'request', id: 'req-1' }, count }) satisfies NodePoolRequest;

function run(
  requests: NodePoolRequest[],
  {
    cooldownSeconds = 0,
    second = 0,
    state,
  }: { cooldownSeconds?: number; second?: number; state?: NodePoolState } = {},
) {
  let s = state;
  const results = requests.map((request, i) => {
    const out = applyRequest(s, request, {
      ...at(second),
      config,
      cooldownSeconds,
      operationId: `op-${i}`,
    });
    s = out.state;
    return out.result;
  });
  return { state: s!, results };
}

describe('node pool state: requests', () => {
  it('starts from the provisioned nodes and a demand sets the desired size and names the runner', () => {
    const { state, results } = run([demand('e1', 5, 10)]);
    expect(state.desired).toBe(5);
    expect(results[0]).toMatchObject({
      applied: true,
      runner: 'start',
      decision: { outcome: 'scaleOut', from: 3, to: 5 },
    });
    expect(state.running?.operationId).toBe('op-0');
    expect(state.lastDecision?.source).toEqual({
      kind: 'event',
      type: 'ClusterProvisioner.NodePool.DemandReported',
      id: 'e1',
    });
  });

  it('ignores a demand observed before (or at) the newest one', () => {
    const { state, results } = run([demand('e1', 5, 10), demand('e2', 2, 5), demand('e3', 7, 10)]);
    expect(state.desired).toBe(5);
    expect(results[1]).toMatchObject({ applied: false, decision: { outcome: 'ignored' } });
    expect(results[1]?.decision.reason).toMatch(/stale demand/);
    expect(state.lastIgnored?.source).toMatchObject({ id: 'e3' });
  });

  it('clamps to [minCount, maxCount] and says so', () => {
    const high = run([demand('e1', 50, 10)]);
    expect(high.state.desired).toBe(10);
    expect(high.results[0]?.decision.reason).toMatch(/above maxCount 10: clamped/);
    expect(run([demand('e1', 0, 10)]).state.desired).toBe(1);
  });

  it('applies a ScaleRequested once however often it is delivered', () => {
    const { state, results } = run([scaleBy('s1', 2), scaleBy('s1', 2), scaleBy('s1', 2)]);
    expect(state.desired).toBe(5);
    expect(results.map((r) => r.applied)).toEqual([true, false, false]);
    expect(results[2]?.decision.reason).toMatch(/already applied/);
  });

  it('keeps a bounded list of processed event ids', () => {
    const many = Array.from({ length: MAX_PROCESSED_EVENT_IDS + 5 }, (_, i) =>
      scaleBy(`s${i}`, i % 2 === 0 ? 1 : -1),
    );
    const { state } = run(many);
    expect(state.processedEventIds).toHaveLength(MAX_PROCESSED_EVENT_IDS);
    expect(state.processedEventIds.at(-1)).toBe(`s${MAX_PROCESSED_EVENT_IDS + 4}`);
  });

  it('a second request while an operation runs retargets it instead of starting another', () => {
    const { state, results } = run([demand('e1', 6, 10), demand('e2', 8, 11)]);
    expect(results.map((r) => r.runner)).toEqual(['start', 'running']);
    expect(state.running?.operationId).toBe('op-0');
    expect(state.desired).toBe(8);
  });

  it('does not start anything when the size is already right', () => {
    const { state, results } = run([demand('e1', 3, 10)]);
    expect(results[0]).toMatchObject({ applied: false, runner: 'none', decision: { outcome: 'unchanged' } });
    expect(state.running).toBeUndefined();
  });

  it('delays a scale-in within the cooldown after a scale-out, but not an explicit count', () => {
    const out = run([demand('e1', 6, 10)], { cooldownSeconds: 300 });
    const grown = nextStep(out.state, 'op-0', at(1), undefined);
    const after = nextStep(grown.state, 'op-0', at(2), { nodes: nodes(6) });
    expect(after.next.kind).toBe('done');
    const shrink = applyRequest(after.state, demand('e2', 4, 20), {
      ...at(60),
      config,
      cooldownSeconds: 300,
      operationId: 'op-9',
    });
    expect(shrink.state.desired).toBe(4);
    expect(shrink.state.scaleInNotBefore).toBe(at(300).now);
    expect(shrink.result.decision.reason).toMatch(/cooldown/);
    expect(nextStep(shrink.state, 'op-9', at(61)).next).toEqual({ kind: 'wait', until: at(300).now });
    expect(nextStep(shrink.state, 'op-9', at(301)).next).toMatchObject({ kind: 'step', target: 4 });

    const explicit = applyRequest(after.state, setCount(4), {
      ...at(60),
      config,
      cooldownSeconds: 300,
      operationId: 'op-9',
    });
    expect(explicit.state.scaleInNotBefore).toBeUndefined();
    expect(nextStep(explicit.state, 'op-9', at(61)).next).toMatchObject({ kind: 'step', target: 4 });
  });

  it('cooldown 0 disables the delay', () => {
    const out = run([demand('e1', 6, 10), demand('e2', 4, 11)], { cooldownSeconds: 0 });
    expect(out.state.scaleInNotBefore).toBeUndefined();
  });

  it('a deleted node asks for a repair step even at the right size', () => {
    const { state, results } = run([
      {
        op: 'repair',
        source: { kind: 'event', type: 'Microsoft.Resources.ResourceDeleteSuccess', id: 'r1' },
        resourceUri: '/subscriptions/x/vm',
      },
    ]);
    expect(results[0]).toMatchObject({ runner: 'start', decision: { outcome: 'repair' } });
    expect(nextStep(state, 'op-0', at(1)).next).toMatchObject({ kind: 'step', target: 3, repair: true });
  });

  it('a retired pool ignores everything and stops its runner', () => {
    const running = run([demand('e1', 6, 10)]).state;
    const retired = retire(running);
    expect(retired).toMatchObject({ running: true, nodes: nodes(3) });
    const later = applyRequest(retired.state, demand('e2', 8, 20), {
      ...at(20),
      config,
      cooldownSeconds: 0,
      operationId: 'x',
    });
    expect(later.result.applied).toBe(false);
    expect(nextStep(retired.state, 'op-0', at(21)).next.kind).toBe('done');
  });
});

describe('node pool state: the runner loop', () => {
  it('an event-driven scale-in waits until the target has been quiet for the settle time; scale-out and explicit counts do not', () => {
    const down = run([demand('e1', 2, 10)], { second: 100 }).state;
    const settled = at(100).nowMs + SCALE_IN_SETTLE_MS;
    expect(nextStep(down, 'op-0', at(100)).next).toEqual({
      kind: 'wait',
      until: new Date(settled).toISOString(),
    });
    expect(
      nextStep(down, 'op-0', { now: new Date(settled).toISOString(), nowMs: settled }).next,
    ).toMatchObject({
      kind: 'step',
      target: 2,
    });
    const up = run([demand('e1', 5, 10)], { second: 100 }).state;
    expect(nextStep(up, 'op-0', at(100)).next).toMatchObject({ kind: 'step', target: 5 });
    const explicit = run([setCount(2)], { second: 100 }).state;
    expect(nextStep(explicit, 'op-0', at(100)).next).toMatchObject({ kind: 'step', target: 2 });
  });

  it('a scale-out that changes a target changed moments before (a burst) waits for quiet too', () => {
    const first = run([demand('e1', 5, 10)], { second: 100 }).state;
    const burst = applyRequest(first, demand('e2', 7, 11), {
      ...at(100.2),
      config,
      cooldownSeconds: 0,
      operationId: 'x',
    });
    expect(nextStep(burst.state, 'op-0', at(100.2)).next).toEqual({
      kind: 'wait',
      until: new Date(at(100.2).nowMs + SCALE_IN_SETTLE_MS).toISOString(),
    });
    const lone = applyRequest(first, demand('e2', 7, 11), {
      ...at(103),
      config,
      cooldownSeconds: 0,
      operationId: 'x',
    });
    expect(nextStep(lone.state, 'op-0', at(103)).next).toMatchObject({ kind: 'step', target: 7 });
  });

  it('only the recorded runner gets steps; a failed step stops it and keeps the target', () => {
    const { state } = run([demand('e1', 6, 10)]);
    expect(nextStep(state, 'intruder', at(1)).next.kind).toBe('done');
    const failed = nextStep(state, 'op-0', at(2), { nodes: nodes(4), error: 'QuotaExceeded' });
    expect(failed.next.kind).toBe('done');
    expect(failed.state).toMatchObject({
      desired: 6,
      nodes: nodes(4),
      lastError: { message: 'QuotaExceeded' },
    });
    expect(failed.state.running).toBeUndefined();
  });

  it('steps until the nodes match the newest target, then releases the pool', () => {
    let { state } = run([demand('e1', 6, 10, ['demo-pool1-1'])]);
    let r = nextStep(state, 'op-0', at(1));
    expect(r.next).toMatchObject({ kind: 'step', target: 6 });
    // A newer demand arrives while the step runs.
    state = applyRequest(r.state, demand('e2', 2, 11, ['demo-pool1-1']), {
      ...at(2),
      config,
      cooldownSeconds: 0,
      operationId: 'op-1',
    }).state;
    r = nextStep(state, 'op-0', at(3), { nodes: nodes(6) });
    expect(r.next).toMatchObject({ kind: 'step', target: 2, removableNodes: ['demo-pool1-1'] });
    r = nextStep(r.state, 'op-0', at(4), { nodes: [nodes(3)[0]!, nodes(3)[2]!] });
    expect(r.next.kind).toBe('done');
    expect(r.state.running).toBeUndefined();
    expect(r.state.removableNodes).toEqual([]);
  });
});

describe('node pool state: properties', () => {
  it('any order of demands ends at the newest demand, clamped', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({ t: fc.integer({ min: 0, max: 10_000 }), n: fc.integer({ min: 0, max: 20 }) }),
          {
            selector: (d) => d.t,
            minLength: 1,
            maxLength: 60,
          },
        ),
        (demands) => {
          const { state } = run(demands.map((d, i) => demand(`e${i}`, d.n, d.t)));
          const newest = demands.reduce((a, b) => (b.t > a.t ? b : a));
          expect(state.desired).toBe(Math.min(10, Math.max(1, newest.n)));
          // Work to do always has a runner.
          if (state.desired !== 3) expect(state.running).toBeDefined();
        },
      ),
    );
  });

  it('redelivering ScaleRequested events in any order applies each once', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0),
          { minLength: 1, maxLength: 20 },
        ),
        fc.array(fc.nat(), { maxLength: 40 }),
        (deltas, redeliveries) => {
          const events = deltas.map((d, i) => scaleBy(`s${i}`, d));
          const stream = [...events, ...redeliveries.map((k) => events[k % events.length]!)];
          const once = run(events).state.desired;
          expect(run(stream).state.desired).toBe(once);
        },
      ),
    );
  });
});

describe('node pool state: a new provisioning of the cluster', () => {
  it('restarts from the new plan but keeps processed ids and the newest demand', () => {
    const v1 = { ...config, generation: 'g1' };
    const scaled = applyRequest(undefined, scaleBy('s1', 3), {
      ...at(1),
      config: v1,
      cooldownSeconds: 0,
      operationId: 'a',
    });
    const afterDemand = applyRequest(scaled.state, demand('d1', 6, 50), {
      ...at(2),
      config: v1,
      cooldownSeconds: 0,
      operationId: 'b',
    });
    const v2 = { ...config, generation: 'g2', nodes: nodes(4) };
    const again = applyRequest(afterDemand.state, scaleBy('s1', 3), {
      ...at(3),
      config: v2,
      cooldownSeconds: 0,
      operationId: 'c',
    });
    expect(again.result.applied).toBe(false);
    expect(again.state).toMatchObject({
      generation: 'g2',
      desired: 4,
      nodes: nodes(4),
      newestDemandAt: at(50).now,
    });
    const stale = applyRequest(again.state, demand('d0', 9, 40), {
      ...at(4),
      config: v2,
      cooldownSeconds: 0,
      operationId: 'd',
    });
    expect(stale.result.applied).toBe(false);
  });
});

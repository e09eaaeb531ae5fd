import fc from 'fast-check';

import { placeNodesAcrossZones } from '../../../../src/cluster/plan/placement';
import type { PoolNode } from '../../../../src/cluster/scaling/nodePoolState';
import { nodesPerZone, planScaleStep } from '../../../../src/cluster/scaling/planScaleStep';

const seed = process.env['FC_SEED'] ?? (process.env['CI'] ? '20261202' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });

const zones = ['1', '2', '3'];
const roundRobin = (count: number, z: readonly string[] = zones): PoolNode[] =>
  placeNodesAcrossZones('demo-pool1', z, count).map(({ name, zone }) =>
    zone !== undefined ? { name, zone } : { name },
  );
const names = (nodes: readonly PoolNode[]) => nodes.map((n) => `${n.name}@${n.zone ?? '-'}`);
const spread = (nodes: readonly PoolNode[], z: readonly string[] = zones) => {
  const counts = nodesPerZone(nodes);
  const sizes = z.map((zone) => counts[zone] ?? 0);
  return Math.max(...sizes) - Math.min(...sizes);
};
const step = (nodes: PoolNode[], target: number, removableNodes: string[] = [], z: string[] = zones) =>
  planScaleStep({ clusterName: 'demo', pool: 'pool1', zones: z, nodes, target, removableNodes });

describe('planScaleStep', () => {
  it('adds NIC+VM nodes to the emptiest zones with the next free names', () => {
    const plan = step(roundRobin(4), 7);
    expect(names(plan.add)).toEqual(['demo-pool1-4@2', 'demo-pool1-5@3', 'demo-pool1-6@1']);
    expect(plan.remove).toEqual([]);
    expect(nodesPerZone(plan.nodes)).toEqual({ '1': 3, '2': 2, '3': 2 });
  });

  it('fills the zone a deleted node left empty first', () => {
    const nodes = roundRobin(6).filter((n) => n.name !== 'demo-pool1-1'); // zone 2 lost one
    const plan = step(nodes, 6);
    expect(names(plan.add)).toEqual(['demo-pool1-1@2']);
  });

  it('removes the newest node of the fullest zones when nothing is removable', () => {
    const plan = step(roundRobin(7), 5);
    expect(names(plan.remove)).toEqual(['demo-pool1-6@1', 'demo-pool1-5@3']);
    expect(names(plan.nodes)).toEqual(names(roundRobin(5)));
  });

  it('removes the named removable nodes first, in the order named', () => {
    const plan = step(roundRobin(6), 4, ['demo-pool1-1', 'demo-pool1-3']);
    expect(names(plan.remove)).toEqual(['demo-pool1-1@2', 'demo-pool1-3@1']);
    expect(nodesPerZone(plan.nodes)).toEqual({ '1': 1, '2': 1, '3': 2 });
  });

  it('keeps a removable node when taking it would leave zones two apart', () => {
    // Both removable nodes are in zone 1: after the first, zone 1 is no longer among the fullest.
    const plan = step(roundRobin(6), 4, ['demo-pool1-0', 'demo-pool1-3']);
    expect(names(plan.remove)).toEqual(['demo-pool1-0@1', 'demo-pool1-5@3']);
    expect(spread(plan.nodes)).toBeLessThanOrEqual(1);
  });

  it('ignores removable names that are not nodes of the pool', () => {
    const plan = step(roundRobin(3), 2, ['other-node', 'demo-pool2-0']);
    expect(names(plan.remove)).toEqual(['demo-pool1-2@3']);
  });

  it('removes nodes from zones the pool no longer lists first', () => {
    const nodes = [...roundRobin(3), { name: 'demo-pool1-9', zone: '4' }];
    expect(names(step(nodes, 3).remove)).toEqual(['demo-pool1-9@4']);
  });

  it('scales a regional pool (no zones) by name index', () => {
    const nodes = roundRobin(3, []);
    expect(names(step(nodes, 5, [], []).add)).toEqual(['demo-pool1-3@-', 'demo-pool1-4@-']);
    expect(names(step(nodes, 1, ['demo-pool1-0'], []).remove)).toEqual(['demo-pool1-0@-', 'demo-pool1-2@-']);
  });

  it('changes nothing at the current size, and refuses a negative target', () => {
    expect(step(roundRobin(4), 4)).toEqual({ add: [], remove: [], nodes: roundRobin(4) });
    expect(() => step(roundRobin(4), -1)).toThrow(/target/);
  });

  it('property: reaches the target, keeps zones within one node, never invents or loses names', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 40 }),
        fc.subarray(zones, { minLength: 1 }),
        fc.array(fc.integer({ min: 0, max: 45 }), { maxLength: 10 }),
        (count, target, z, removableIdx) => {
          const nodes = roundRobin(count, z);
          const removable = removableIdx.map((i) => `demo-pool1-${i}`);
          const plan = step(nodes, target, removable, z);
          expect(plan.nodes).toHaveLength(target);
          expect(spread(plan.nodes, z)).toBeLessThanOrEqual(1);
          const before = new Set(nodes.map((n) => n.name));
          expect(plan.add.every((n) => !before.has(n.name))).toBe(true);
          expect(plan.remove.every((n) => before.has(n.name))).toBe(true);
          const after = new Set(plan.nodes.map((n) => n.name));
          expect(after.size).toBe(target);
          const removed = new Set(plan.remove.map((n) => n.name));
          for (const n of nodes) expect(after.has(n.name) !== removed.has(n.name)).toBe(true);
          // With no removable nodes, the result is the round-robin placement of the target.
          if (removable.length === 0) expect(names(plan.nodes)).toEqual(names(roundRobin(target, z)));
        },
      ),
    );
  });

  it('property: a balanced scale-in takes a removable node whenever one is in a fullest zone', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 29 }), (count, pick) => {
        const nodes = roundRobin(count);
        const removable = nodes[pick % count]!;
        const counts = nodesPerZone(nodes);
        const max = Math.max(...Object.values(counts));
        const plan = step(nodes, count - 1, [removable.name]);
        if (counts[removable.zone ?? ''] === max) expect(plan.remove).toEqual([removable]);
        else expect(plan.remove).not.toContainEqual(removable);
      }),
    );
  });
});

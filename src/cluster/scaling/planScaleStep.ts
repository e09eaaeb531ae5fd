/**
 * One scale step of a zoned node pool: which nodes to add and which to remove to reach a target,
 * keeping the zones balanced.
 *
 * - Growing adds each node to the emptiest zone (ties: the earlier zone), with the smallest free name
 *   index: exactly `placeNodesAcrossZones`, so a scaled pool looks like one provisioned at that size.
 * - Shrinking removes, one node at a time: nodes in zones the pool no longer lists first; then only
 *   from the fullest zones (so zones stay within one node of each other when they were), preferring a
 *   zone that holds a node the cluster reported removable (cordoned and drained; earliest named
 *   first), else the zone holding the newest node; within the zone, a removable node, else the newest.
 *   A removable node in a zone that is not among the fullest stays: balance comes first.
 * - "Newest" is the highest name index (`<cluster>-<pool>-<i>`); nodes whose name does not follow the
 *   pattern count as oldest.
 */
import { nodeNamePrefix, type NodePlacement, placeNodesAcrossZones } from '../plan/placement';
import type { PoolNode } from './nodePoolState';

export interface ScaleStepPlan {
  /** Nodes to create, with their zone. */
  add: PoolNode[];
  /** Nodes to delete (VM first, then NIC), in the order chosen. */
  remove: PoolNode[];
  /** The pool's nodes after the step, by name index. */
  nodes: PoolNode[];
}

export interface ScaleStepInput {
  clusterName: string;
  pool: string;
  /** The pool's zones; [] for a regional pool. */
  zones: readonly string[];
  nodes: readonly PoolNode[];
  target: number;
  removableNodes?: readonly string[];
}

function nameIndex(prefix: string, name: string): number {
  if (!name.startsWith(`${prefix}-`)) return -1;
  const match = /^(\d+)$/.exec(name.slice(prefix.length + 1));
  return match ? Number(match[1]) : -1;
}

function toPoolNode(node: { name: string; zone?: string }): PoolNode {
  return node.zone !== undefined ? { name: node.name, zone: node.zone } : { name: node.name };
}

export function planScaleStep(input: ScaleStepInput): ScaleStepPlan {
  const { target } = input;
  if (!Number.isInteger(target) || target < 0) {
    throw new RangeError(`target must be a whole number ≥ 0 (got ${target})`);
  }
  const prefix = nodeNamePrefix(input.clusterName, input.pool);
  const current = input.nodes.map(toPoolNode);
  if (target >= current.length) {
    const placed: NodePlacement[] = placeNodesAcrossZones(prefix, input.zones, target, current);
    const had = new Set(current.map((n) => n.name));
    const nodes = placed.map(toPoolNode);
    return { add: nodes.filter((n) => !had.has(n.name)), remove: [], nodes };
  }
  return shrink(prefix, input, current);
}

function shrink(prefix: string, input: ScaleStepInput, current: PoolNode[]): ScaleStepPlan {
  const zonal = input.zones.length > 0;
  const listed = new Set(zonal ? input.zones : ['']);
  const keyOf = (node: PoolNode): string => (zonal ? (node.zone ?? '') : '');
  const groups = new Map<string, PoolNode[]>();
  for (const zone of listed) groups.set(zone, []);
  for (const node of current) {
    const key = keyOf(node);
    const members = groups.get(key);
    if (members) members.push(node);
    else groups.set(key, [node]);
  }
  const removableRank = new Map<string, number>();
  (input.removableNodes ?? []).forEach((name, i) => {
    if (!removableRank.has(name)) removableRank.set(name, i);
  });
  const index = (node: PoolNode) => nameIndex(prefix, node.name);
  /** The node a zone gives up: its earliest-named removable node, else its newest. */
  const victimIn = (members: PoolNode[]): PoolNode | undefined => {
    let best: PoolNode | undefined;
    for (const node of members) {
      if (best === undefined || before(node, best)) best = node;
    }
    return best;
  };
  const before = (a: PoolNode, b: PoolNode): boolean => {
    const ra = removableRank.get(a.name);
    const rb = removableRank.get(b.name);
    if (ra !== undefined || rb !== undefined) {
      if (ra === undefined) return false;
      if (rb === undefined) return true;
      return ra < rb;
    }
    const ia = index(a);
    const ib = index(b);
    return ia !== ib ? ia > ib : a.name > b.name;
  };

  const remove: PoolNode[] = [];
  let remaining = current.length;
  while (remaining > input.target) {
    const unlisted = [...groups].filter(([key, members]) => !listed.has(key) && members.length > 0);
    let candidates: [string, PoolNode[]][];
    if (unlisted.length > 0) {
      candidates = unlisted;
    } else {
      const max = Math.max(...[...groups.values()].map((m) => m.length));
      candidates = [...groups].filter(([, members]) => members.length === max && max > 0);
    }
    let chosen: { key: string; node: PoolNode } | undefined;
    for (const [key, members] of candidates) {
      const node = victimIn(members);
      if (node !== undefined && (chosen === undefined || before(node, chosen.node))) chosen = { key, node };
    }
    if (!chosen) break;
    const members = groups.get(chosen.key) ?? [];
    members.splice(members.indexOf(chosen.node), 1);
    remove.push(chosen.node);
    remaining--;
  }
  const removed = new Set(remove.map((n) => n.name));
  const nodes = current
    .filter((n) => !removed.has(n.name))
    .sort((a, b) => index(a) - index(b) || a.name.localeCompare(b.name));
  return { add: [], remove, nodes };
}

/** Nodes per zone (`''` for nodes without one), for status and tests. */
export function nodesPerZone(nodes: readonly PoolNode[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of nodes) {
    const key = node.zone ?? '';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

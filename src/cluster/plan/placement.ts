/**
 * Node placement over availability zones, with stable names.
 *
 * - Fresh: node i goes to zones[i mod n] (round-robin), named `<prefix>-<i>`.
 * - Growing keeps every existing node (name and zone) and adds each new node to the zone with the
 *   fewest nodes (ties: the earlier zone in `zones`), named with the smallest free index.
 * - Shrinking removes from the fullest zone first (ties: the zone holding the highest index), the
 *   node with the highest index there. Nodes in zones no longer listed go first.
 *
 * Growing or shrinking a round-robin placement this way gives exactly the round-robin placement
 * of the new count, so a plan from scratch and a plan from history agree.
 */

export interface NodePlacement {
  name: string;
  /** Numeric suffix of the name; -1 for an existing node whose name does not follow the pattern. */
  index: number;
  /** Undefined when the pool has no zones (regional placement). */
  zone?: string;
}

export interface ExistingNode {
  name: string;
  zone?: string;
}

/** `<cluster>-cp` for control-plane nodes, `<cluster>-<pool>` for a worker pool. */
export function nodeNamePrefix(cluster: string, pool: string): string {
  return pool === 'controlPlane' ? `${cluster}-cp` : `${cluster}-${pool}`;
}

export function placeNodesAcrossZones(
  namePrefix: string,
  zones: readonly string[],
  count: number,
  existing: readonly ExistingNode[] = [],
): NodePlacement[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`node count must be a whole number ≥ 0 (got ${count})`);
  }
  const indexOf = (name: string): number => {
    const match = name.startsWith(`${namePrefix}-`)
      ? /^(\d+)$/.exec(name.slice(namePrefix.length + 1))
      : null;
    return match ? Number(match[1]) : -1;
  };
  const zonal = zones.length > 0;
  // Group key per node: its zone, or '' when the pool is regional.
  const groups = new Map<string, NodePlacement[]>();
  for (const zone of zonal ? zones : ['']) groups.set(zone, []);
  const nodes: NodePlacement[] = existing.map((node) => ({
    name: node.name,
    index: indexOf(node.name),
    ...(zonal && node.zone !== undefined ? { zone: node.zone } : {}),
  }));
  for (const node of nodes) {
    const key = node.zone ?? '';
    const members = groups.get(key);
    if (members) members.push(node);
    else groups.set(key, [node]);
  }
  const listed = new Set(zonal ? zones : ['']);
  const size = (key: string): number => groups.get(key)?.length ?? 0;

  // Grow: the emptiest listed zone (earliest on ties), the smallest free index.
  const used = new Set(nodes.map((node) => node.name));
  let nextIndex = 0;
  while (nodes.length < count) {
    while (used.has(`${namePrefix}-${nextIndex}`)) nextIndex++;
    const name = `${namePrefix}-${nextIndex}`;
    const key = zonal ? zones.reduce((best, zone) => (size(zone) < size(best) ? zone : best)) : '';
    const node: NodePlacement = { name, index: nextIndex, ...(zonal ? { zone: key } : {}) };
    nodes.push(node);
    groups.get(key)?.push(node);
    used.add(name);
  }

  // Shrink: unlisted zones first, then the fullest zone (ties: the one holding the highest
  // index); within it, the highest index.
  if (nodes.length > count) {
    for (const members of groups.values()) members.sort((a, b) => a.index - b.index);
    const removed = new Set<NodePlacement>();
    let remaining = nodes.length;
    while (remaining > count) {
      let victimKey: string | undefined;
      for (const [key, members] of groups) {
        if (members.length === 0) continue;
        if (
          victimKey === undefined ||
          removeBefore(key, members, victimKey, groups.get(victimKey) ?? [], listed)
        ) {
          victimKey = key;
        }
      }
      const victim = victimKey === undefined ? undefined : groups.get(victimKey)?.pop();
      if (victim === undefined) break;
      removed.add(victim);
      remaining--;
    }
    return nodes.filter((node) => !removed.has(node)).sort(byIndex);
  }
  return nodes.sort(byIndex);
}

function byIndex(a: NodePlacement, b: NodePlacement): number {
  return a.index - b.index || a.name.localeCompare(b.name);
}

/** Whether zone `a` should lose a node before zone `b`. */
function removeBefore(
  a: string,
  aMembers: readonly NodePlacement[],
  b: string,
  bMembers: readonly NodePlacement[],
  listed: ReadonlySet<string>,
): boolean {
  const aListed = listed.has(a);
  if (aListed !== listed.has(b)) return !aListed;
  if (aMembers.length !== bMembers.length) return aMembers.length > bMembers.length;
  // Members are sorted by index, so the last one holds the highest.
  const aMax = aMembers.at(-1)?.index ?? -1;
  const bMax = bMembers.at(-1)?.index ?? -1;
  return aMax !== bMax ? aMax > bMax : a < b;
}

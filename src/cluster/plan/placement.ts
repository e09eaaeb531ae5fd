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
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`node count must be a whole number ≥ 0 (got ${count})`);
  const indexOf = (name: string): number => {
    const match = name.startsWith(`${namePrefix}-`)
      ? /^(\d+)$/.exec(name.slice(namePrefix.length + 1))
      : null;
    return match ? Number(match[1]) : -1;
  };
  const nodes: NodePlacement[] = existing.map((node) => ({
    name: node.name,
    index: indexOf(node.name),
    ...(node.zone !== undefined && zones.length > 0 ? { zone: node.zone } : {}),
  }));
  const perZone = (): Map<string | undefined, NodePlacement[]> => {
    const groups = new Map<string | undefined, NodePlacement[]>();
    for (const zone of zones.length === 0 ? [undefined] : zones) groups.set(zone, []);
    for (const node of nodes) {
      const key = zones.length === 0 ? undefined : node.zone;
      groups.set(key, [...(groups.get(key) ?? []), node]);
    }
    return groups;
  };

  while (nodes.length < count) {
    const used = new Set(nodes.map((node) => node.name));
    let index = 0;
    while (used.has(`${namePrefix}-${index}`)) index++;
    let zone: string | undefined;
    if (zones.length > 0) {
      const groups = perZone();
      zone = zones.reduce((best, candidate) =>
        (groups.get(candidate)?.length ?? 0) < (groups.get(best)?.length ?? 0) ? candidate : best,
      );
    }
    nodes.push({ name: `${namePrefix}-${index}`, index, ...(zone !== undefined ? { zone } : {}) });
  }

  while (nodes.length > count) {
    const groups = perZone();
    const listed = new Set<string | undefined>(zones.length === 0 ? [undefined] : zones);
    // Nodes in zones that are no longer listed leave first; then the fullest zone.
    const candidates = [...groups.entries()].filter(([, members]) => members.length > 0);
    candidates.sort(([zoneA, a], [zoneB, b]) => {
      const unlisted = Number(listed.has(zoneA)) - Number(listed.has(zoneB));
      if (unlisted !== 0) return unlisted;
      if (a.length !== b.length) return b.length - a.length;
      return maxIndex(b) - maxIndex(a) || String(zoneA).localeCompare(String(zoneB));
    });
    const members = candidates[0]?.[1] ?? [];
    const victim = members.reduce((worst, node) => (node.index > worst.index ? node : worst));
    nodes.splice(nodes.indexOf(victim), 1);
  }

  return nodes.sort((a, b) => a.index - b.index || a.name.localeCompare(b.name));
}

function maxIndex(nodes: readonly NodePlacement[]): number {
  return nodes.reduce((max, node) => Math.max(max, node.index), -1);
}

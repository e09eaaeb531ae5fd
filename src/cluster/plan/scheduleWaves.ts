/**
 * Turns the plan's dependency graph into what an orchestrator can await.
 *
 * Why waves of chains and not a Task.any loop: durable-functions (JS) embeds every child's action in a
 * `Task.any`/`Task.all` action, so re-yielding a still-running task inside a new `Task.any` schedules it
 * again (Azure/azure-functions-durable-js#574). Each task must be yielded exactly once. So:
 *  - linear runs of the graph (public IP → load balancer, NAT IP → NAT gateway, NIC → VM) are
 *    contracted into one *chain*, applied in order by one activity: nothing in a chain waits for
 *    anything outside its own predecessors;
 *  - chains are grouped into *waves* by depth and each wave is one `Task.all`.
 * For the IaaS graph the longest path crosses every wave, so the makespan equals the critical path
 * up to the spread of latencies inside a wave.
 */
import type { PlannedResource } from './types';

/** A unit of work: resources applied (or deleted) in order, or a zone's nodes (a sub-orchestration). */
export interface ScheduleUnit {
  key: string;
  kind: 'chain' | 'zone';
  /** Zone name for `kind: 'zone'`. */
  zone?: string;
  resources: PlannedResource[];
}

const lower = (id: string): string => id.toLowerCase();

interface GraphNode {
  resource: PlannedResource;
  /** Ids (lower-cased) this node waits for, restricted to the graph. */
  deps: Set<string>;
}

/** Contracts linear runs: a→b when b waits only for a and a is waited for only by b. */
function contractChains(nodes: Map<string, GraphNode>): PlannedResource[][] {
  const dependents = new Map<string, string[]>();
  for (const [id, node] of nodes) {
    for (const dep of node.deps) dependents.set(dep, [...(dependents.get(dep) ?? []), id]);
  }
  const next = new Map<string, string>();
  const hasPrev = new Set<string>();
  for (const [id] of nodes) {
    const ds = dependents.get(id) ?? [];
    const only = ds[0];
    if (ds.length === 1 && only !== undefined && nodes.get(only)?.deps.size === 1) {
      next.set(id, only);
      hasPrev.add(only);
    }
  }
  const chains: PlannedResource[][] = [];
  for (const [id, node] of nodes) {
    if (hasPrev.has(id)) continue;
    const chain = [node.resource];
    for (let cur = next.get(id); cur !== undefined; cur = next.get(cur)) {
      const n = nodes.get(cur);
      if (n) chain.push(n.resource);
    }
    chains.push(chain);
  }
  return chains;
}

/** Chain units over `resources`, each waiting for `depsOf(resource)` (lower-cased ids). */
function chainUnits(
  resources: PlannedResource[],
  depsOf: (r: PlannedResource) => Set<string>,
): ScheduleUnit[] {
  const nodes = new Map<string, GraphNode>();
  for (const r of resources) nodes.set(lower(r.id), { resource: r, deps: depsOf(r) });
  return contractChains(nodes).map((chain) => ({
    key: chain.map((r) => r.name).join('>'),
    kind: 'chain',
    resources: chain,
  }));
}

/** Dependencies of a resource restricted to the graph being scheduled. */
const depsWithin =
  (inGraph: ReadonlySet<string>) =>
  (r: PlannedResource): Set<string> =>
    new Set(r.dependsOn.map(lower).filter((d) => inGraph.has(d)));

/** A unit waits for what any of its resources waits for. */
const unitDeps =
  (depsOf: (r: PlannedResource) => Set<string>) =>
  (u: ScheduleUnit): Set<string> =>
    new Set(u.resources.flatMap((r) => [...depsOf(r)]));

/** Groups units into waves by depth (longest path from a unit without dependencies). */
function levelWaves(units: ScheduleUnit[], depsOf: (u: ScheduleUnit) => Set<string>): ScheduleUnit[][] {
  const unitOf = new Map<string, ScheduleUnit>();
  for (const u of units) for (const r of u.resources) unitOf.set(lower(r.id), u);
  const level = new Map<ScheduleUnit, number>();
  const visiting = new Set<ScheduleUnit>();
  const levelOf = (u: ScheduleUnit): number => {
    const known = level.get(u);
    if (known !== undefined) return known;
    if (visiting.has(u)) throw new Error(`Dependency cycle through ${u.key}`);
    visiting.add(u);
    let l = 0;
    for (const dep of depsOf(u)) {
      const du = unitOf.get(dep);
      if (du && du !== u) l = Math.max(l, levelOf(du) + 1);
    }
    visiting.delete(u);
    level.set(u, l);
    return l;
  };
  const waves: ScheduleUnit[][] = [];
  for (const u of units) {
    const l = levelOf(u);
    (waves[l] ??= []).push(u);
  }
  return waves.filter((w) => w.length > 0);
}

/**
 * Waves for provisioning: every resource not in `done`, nodes grouped by zone (one unit per zone),
 * the rest contracted into chains. Dependencies on `done` resources (verified brought resources, or
 * resources outside the plan) are already satisfied.
 */
export function provisioningWaves(
  resources: PlannedResource[],
  done: ReadonlySet<string> = new Set(),
): ScheduleUnit[][] {
  const pending = resources.filter((r) => !done.has(lower(r.id)));
  const inGraph = new Set(pending.map((r) => lower(r.id)));
  const isNode = (r: PlannedResource): boolean => r.node !== undefined;
  const deps = depsWithin(inGraph);
  // Infrastructure chains must not absorb node resources, so chain contraction sees only them.
  const units = chainUnits(
    pending.filter((x) => !isNode(x)),
    deps,
  );
  const zones = new Map<string, PlannedResource[]>();
  for (const r of pending.filter(isNode)) {
    const z = r.zone ?? 'none';
    zones.set(z, [...(zones.get(z) ?? []), r]);
  }
  for (const [zone, rs] of [...zones].sort(([a], [b]) => a.localeCompare(b))) {
    units.push({ key: `zone-${zone}`, kind: 'zone', zone, resources: rs });
  }
  return levelWaves(units, unitDeps(deps));
}

/**
 * Waves for the nodes of one zone: one chain per node (NIC → VM), all in one wave when nodes do not
 * depend on each other.
 */
export function zoneWaves(resources: PlannedResource[]): ScheduleUnit[][] {
  const deps = depsWithin(new Set(resources.map((r) => lower(r.id))));
  return levelWaves(chainUnits(resources, deps), unitDeps(deps));
}

/**
 * Waves for deletion: the owned resources only, in reverse dependency order (a resource goes once
 * everything that depends on it is gone), runs like VM → NIC contracted into one chain. Brought
 * resources never appear.
 */
export function deletionWaves(resources: PlannedResource[]): ScheduleUnit[][] {
  const owned = resources.filter((r) => r.owned);
  const inGraph = new Set(owned.map((r) => lower(r.id)));
  // Reverse edges: X waits for every owned resource that depends on X.
  const reverseDeps = new Map<string, Set<string>>();
  for (const r of owned) reverseDeps.set(lower(r.id), new Set());
  for (const r of owned) {
    for (const dep of r.dependsOn.map(lower)) {
      if (inGraph.has(dep)) reverseDeps.get(dep)?.add(lower(r.id));
    }
  }
  const deps = (r: PlannedResource): Set<string> => reverseDeps.get(lower(r.id)) ?? new Set();
  return levelWaves(chainUnits(owned, deps), unitDeps(deps));
}

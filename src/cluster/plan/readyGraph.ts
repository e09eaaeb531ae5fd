/**
 * Ready-driven scheduling over a plan's dependency graph: a unit starts as soon as ALL of its own
 * dependencies are done, never because some unrelated part of the plan (a "wave") finished.
 *
 * Units are the graph's linear runs contracted into chains (public IP → load balancer, NIC → VM): a
 * chain's later steps wait only for its earlier ones, so one activity may carry a chain forward. Every
 * other edge stays an edge between units, and `ReadyTracker` releases a unit the moment its last
 * dependency completes. Pure (no durable API): the orchestrator's driver (functions/shared/lroDriver.ts)
 * owns the clock and the activities.
 */
import type { PlannedResource } from './types';

/** A chain of resources applied (or deleted) in order, waiting for other units by index. */
export interface GraphUnit {
  key: string;
  resources: PlannedResource[];
  /** Indices (into the unit list) of the units this one waits for. */
  deps: number[];
  /** Indices of the units that wait for this one. */
  dependents: number[];
}

const lower = (id: string): string => id.toLowerCase();

/** Contracts linear runs of `nodes` (id → resource and the ids it waits for): a→b when b waits only
 * for a and a is waited for only by b. */
function contract(nodes: Map<string, { resource: PlannedResource; deps: Set<string> }>): PlannedResource[][] {
  const dependents = new Map<string, string[]>();
  for (const [id, node] of nodes) {
    for (const dep of node.deps) {
      const list = dependents.get(dep);
      if (list) list.push(id);
      else dependents.set(dep, [id]);
    }
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

function buildUnits(
  resources: readonly PlannedResource[],
  depsOf: (r: PlannedResource) => Set<string>,
): GraphUnit[] {
  const nodes = new Map<string, { resource: PlannedResource; deps: Set<string> }>();
  for (const r of resources) nodes.set(lower(r.id), { resource: r, deps: depsOf(r) });
  const chains = contract(nodes);
  const covered = new Set(chains.flat().map((r) => lower(r.id)));
  const lost = [...nodes.keys()].find((id) => !covered.has(id));
  // A ring of single dependencies contracts into no chain at all.
  if (lost !== undefined)
    throw new Error(`Dependency cycle through ${nodes.get(lost)?.resource.name ?? lost}`);
  const unitOf = new Map<string, number>();
  chains.forEach((chain, i) => {
    for (const r of chain) unitOf.set(lower(r.id), i);
  });
  const units: GraphUnit[] = chains.map((chain) => ({
    key: chain.map((r) => r.name).join('>'),
    resources: chain,
    deps: [],
    dependents: [],
  }));
  units.forEach((unit, i) => {
    const deps = new Set<number>();
    for (const r of unit.resources) {
      for (const dep of nodes.get(lower(r.id))?.deps ?? []) {
        const u = unitOf.get(dep);
        if (u !== undefined && u !== i) deps.add(u);
      }
    }
    unit.deps = [...deps].sort((a, b) => a - b);
    for (const d of unit.deps) units[d]?.dependents.push(i);
  });
  assertAcyclic(units);
  return units;
}

function assertAcyclic(units: readonly GraphUnit[]): void {
  const tracker = new ReadyTracker(units);
  const queue = tracker.initiallyReady();
  let seen = 0;
  while (queue.length > 0) {
    const u = queue.pop() as number;
    seen++;
    queue.push(...tracker.complete(u));
  }
  if (seen !== units.length) {
    const stuck = units.find((_, i) => !tracker.isReleased(i));
    throw new Error(`Dependency cycle through ${stuck?.key ?? 'an unknown unit'}`);
  }
}

/**
 * Units for provisioning every resource not in `done`. Dependencies on `done` resources (verified
 * brought resources) or on resources outside the plan are already satisfied.
 */
export function provisioningGraph(
  resources: readonly PlannedResource[],
  done: ReadonlySet<string> = new Set(),
): GraphUnit[] {
  const pending = resources.filter((r) => !done.has(lower(r.id)));
  const inGraph = new Set(pending.map((r) => lower(r.id)));
  return buildUnits(pending, (r) => new Set(r.dependsOn.map(lower).filter((d) => inGraph.has(d))));
}

/**
 * Units for deletion: the owned resources only, the graph reversed (a resource goes once everything
 * that depends on it is gone: VM → NIC → subnet …). Brought resources never appear.
 */
export function deletionGraph(resources: readonly PlannedResource[]): GraphUnit[] {
  const owned = resources.filter((r) => r.owned);
  const inGraph = new Set(owned.map((r) => lower(r.id)));
  const reverse = new Map<string, Set<string>>();
  for (const r of owned) reverse.set(lower(r.id), new Set());
  for (const r of owned) {
    for (const dep of r.dependsOn.map(lower)) {
      if (inGraph.has(dep)) reverse.get(dep)?.add(lower(r.id));
    }
  }
  return buildUnits(owned, (r) => reverse.get(lower(r.id)) ?? new Set());
}

/** Counts each unit's unfinished dependencies and releases a unit when its count reaches zero. */
export class ReadyTracker {
  private readonly remaining: number[];
  private readonly released: boolean[];

  constructor(private readonly units: readonly Pick<GraphUnit, 'deps' | 'dependents'>[]) {
    this.remaining = units.map((u) => u.deps.length);
    this.released = units.map(() => false);
  }

  /** Units with no dependencies at all (released by this call). */
  initiallyReady(): number[] {
    const out: number[] = [];
    this.remaining.forEach((n, i) => {
      if (n === 0 && !this.released[i]) {
        this.released[i] = true;
        out.push(i);
      }
    });
    return out;
  }

  /** Unit `u` finished: the units whose last dependency it was (released by this call). */
  complete(u: number): number[] {
    const out: number[] = [];
    for (const d of this.units[u]?.dependents ?? []) {
      const left = (this.remaining[d] ?? 0) - 1;
      this.remaining[d] = left;
      if (left === 0 && !this.released[d]) {
        this.released[d] = true;
        out.push(d);
      }
    }
    return out;
  }

  /** Dependencies of `u` not finished yet. */
  remainingOf(u: number): number {
    return this.remaining[u] ?? 0;
  }

  isReleased(u: number): boolean {
    return this.released[u] ?? false;
  }
}

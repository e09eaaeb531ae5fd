/** The critical-path bound of a plan: no apply, however parallel, can finish sooner. */
import type { Plan, PlannedResource } from './types';

export class PlanGraphError extends Error {
  override readonly name = 'PlanGraphError';
}

/**
 * Longest path through `dependsOn`, each resource weighing `latencyMsByType(resource)`.
 * Brought resources (owned: false) are only read, so they weigh 0. Dependencies outside the plan
 * are ignored. Throws PlanGraphError on a cycle.
 */
export function planCriticalPath(plan: Plan, latencyMsByType: (resource: PlannedResource) => number): number {
  const byId = new Map(plan.resources.map((r) => [r.id.toLowerCase(), r]));
  const finish = new Map<string, number>();
  const visiting = new Set<string>();

  const finishOf = (key: string, r: PlannedResource): number => {
    const known = finish.get(key);
    if (known !== undefined) return known;
    if (visiting.has(key)) throw new PlanGraphError(`dependency cycle through ${r.id}`);
    visiting.add(key);
    let start = 0;
    for (const dependency of r.dependsOn) {
      const depKey = dependency.toLowerCase();
      const dep = byId.get(depKey);
      if (dep) start = Math.max(start, finishOf(depKey, dep));
    }
    visiting.delete(key);
    const value = start + (r.owned ? latencyMsByType(r) : 0);
    finish.set(key, value);
    return value;
  };

  let longest = 0;
  for (const [key, r] of byId) longest = Math.max(longest, finishOf(key, r));
  return longest;
}

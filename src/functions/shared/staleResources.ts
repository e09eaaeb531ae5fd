/**
 * What a changed spec leaves behind. Re-POSTing a cluster with a smaller or renamed node pool plans
 * fewer resources than the run before; the nodes it no longer plans still exist in Azure and would
 * be forgotten (and never deleted) if only the newest plan were remembered. So the starter hands the
 * orchestrator the owned resources the previous operation knew about and the new plan does not, and
 * the orchestrator deletes them once the new plan is applied.
 */
import type { Plan, PlannedResource } from '../../cluster/plan/types';
import type { ClusterOperationInput } from './durableFunctions';

const lower = (id: string): string => id.toLowerCase();

export interface PreviousOperation {
  input: ClusterOperationInput;
  /** The orchestrator that ran it (`provisionCluster` or `deleteCluster`). */
  orchestrator: string;
  runtimeStatus: string;
}

/**
 * Owned resources of the previous operation (its plan, plus what it was itself asked to prune and
 * may not have finished) that `plan` no longer contains. Nothing after a delete that completed:
 * then nothing is left.
 */
export function resourcesToPrune(previous: PreviousOperation | undefined, plan: Plan): PlannedResource[] {
  if (!previous) return [];
  if (previous.orchestrator === 'deleteCluster' && previous.runtimeStatus === 'Completed') return [];
  const keep = new Set(plan.resources.map((r) => lower(r.id)));
  const carried = previous.runtimeStatus === 'Completed' ? [] : (previous.input.prune ?? []);
  const stale = new Map<string, PlannedResource>();
  for (const r of [...previous.input.plan.resources, ...carried]) {
    if (r.owned && !keep.has(lower(r.id))) stale.set(lower(r.id), r);
  }
  return [...stale.values()];
}

/**
 * Ids of the owned resources in `plan` that an earlier operation also planned, so that may exist
 * from before this run. Rolling back a failed change must not delete a cluster that worked.
 */
export function resourcesFromBefore(previous: PreviousOperation | undefined, plan: Plan): string[] {
  if (!previous) return [];
  if (previous.orchestrator === 'deleteCluster' && previous.runtimeStatus === 'Completed') return [];
  const before = new Set(previous.input.plan.resources.filter((r) => r.owned).map((r) => lower(r.id)));
  return plan.resources.filter((r) => r.owned && before.has(lower(r.id))).map((r) => r.id);
}

/**
 * The owned resources a failed run rolls back: everything it planned except what existed before it
 * (found unchanged or updated by this run, or planned by an earlier operation).
 */
export function resourcesToRollBack(
  plan: Plan,
  existing: readonly string[] | undefined,
  foundExisting: readonly string[],
): PlannedResource[] {
  const keep = new Set([...(existing ?? []), ...foundExisting].map(lower));
  return plan.resources.filter((r) => r.owned && !keep.has(lower(r.id)));
}

/**
 * A cluster cannot move: its resources live in one resource group and region. Returns why a new
 * plan may not replace the previous one, or undefined when it may.
 */
export function relocationError(previous: PreviousOperation | undefined, plan: Plan): string | undefined {
  if (!previous) return undefined;
  if (previous.orchestrator === 'deleteCluster' && previous.runtimeStatus === 'Completed') return undefined;
  const before = previous.input.plan.cluster;
  const after = plan.cluster;
  if (
    lower(before.resourceGroup) !== lower(after.resourceGroup) ||
    lower(before.location) !== lower(after.location)
  ) {
    return `cluster "${after.name}" exists in resource group "${before.resourceGroup}" (${before.location}); delete it before creating it in "${after.resourceGroup}" (${after.location})`;
  }
  if (before.type !== after.type) {
    return `cluster "${after.name}" exists as type "${before.type}"; delete it before creating it as "${after.type}"`;
  }
  return undefined;
}

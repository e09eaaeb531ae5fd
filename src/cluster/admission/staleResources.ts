/**
 * What a changed spec leaves behind. Re-POSTing a cluster with a smaller or renamed node pool plans
 * fewer resources than the run before; the nodes it no longer plans still exist in Azure and would
 * be forgotten (and never deleted) if only the newest plan were remembered. So the starter hands the
 * orchestrator the owned resources the previous operation knew about and the new plan does not, and
 * the orchestrator deletes them once the new plan is applied.
 */
import type { ExistingNode } from '../plan/placement';
import { CONTROL_PLANE_POOL as CONTROL_PLANE, type Plan, type PlannedResource } from '../plan/types';

const lower = (id: string): string => id.toLowerCase();

/** What the durable record of an operation on a cluster holds that admission needs. */
export interface OperationRecord {
  plan: Plan;
  /** Owned resources that operation was to delete after applying its plan. */
  prune?: PlannedResource[];
  /** Ids of owned resources in its plan that may have existed before it ran. */
  existing?: string[];
  /** The validated spec it ran with (what the cluster was built with; AKS and immutable-setting changes are checked against it). */
  spec?: unknown;
}

export interface PreviousOperation {
  input: OperationRecord;
  /** What it did: provision (create or change) or delete the cluster. */
  operation: 'provision' | 'delete';
  /** Its durable runtime status: Running, Completed, Failed, Terminated, … */
  runtimeStatus: string;
  /** Its custom status said `rolledBack: true`: it deleted everything it had created. */
  rolledBack?: boolean;
}

/**
 * The owned resources of the previous operation's plan that may exist now. Nothing after a delete
 * that completed. After a provisioning that failed and rolled back completely, only what that run
 * kept as existing from before it: everything else it planned, it either never created or deleted.
 * After anything else (completed, failed with `keep`, rollback incomplete, terminated, a failed
 * delete) any of its plan may be there.
 */
export function resourcesThatMayExist(previous: PreviousOperation | undefined): PlannedResource[] {
  if (!previous) return [];
  if (previous.operation === 'delete' && previous.runtimeStatus === 'Completed') return [];
  const owned = previous.input.plan.resources.filter((r) => r.owned);
  if (previous.operation === 'provision' && previous.rolledBack === true) {
    const kept = new Set((previous.input.existing ?? []).map(lower));
    return owned.filter((r) => kept.has(lower(r.id)));
  }
  return owned;
}

/**
 * Owned resources of the previous operation that may exist (its plan, see resourcesThatMayExist,
 * plus what it was itself asked to prune and may not have finished) that `plan` no longer contains. Nothing after a delete that completed:
 * then nothing is left.
 */
export function resourcesToPrune(previous: PreviousOperation | undefined, plan: Plan): PlannedResource[] {
  if (!previous) return [];
  if (previous.operation === 'delete' && previous.runtimeStatus === 'Completed') return [];
  const keep = new Set(plan.resources.map((r) => lower(r.id)));
  const carried = previous.runtimeStatus === 'Completed' ? [] : (previous.input.prune ?? []);
  const stale = new Map<string, PlannedResource>();
  for (const r of [...resourcesThatMayExist(previous), ...carried]) {
    if (r.owned && !keep.has(lower(r.id))) stale.set(lower(r.id), r);
  }
  return [...stale.values()];
}

/**
 * Ids of the owned resources in `plan` that may exist from before this run (see
 * resourcesThatMayExist). Rolling back a failed change must not delete a cluster that worked.
 */
export function resourcesFromBefore(previous: PreviousOperation | undefined, plan: Plan): string[] {
  const before = new Set(resourcesThatMayExist(previous).map((r) => lower(r.id)));
  return plan.resources.filter((r) => r.owned && before.has(lower(r.id))).map((r) => r.id);
}

/**
 * The owned resources a failed run rolls back: everything it planned except what existed before it
 * (from before this run, or found unchanged or updated by it). What this run reported `created`
 * did not exist before it, whatever an earlier plan said, so it is always rolled back.
 */
export function resourcesToRollBack(
  plan: Plan,
  existing: readonly string[] | undefined,
  results: readonly { id: string; action: 'created' | 'updated' | 'unchanged' }[],
): PlannedResource[] {
  const created = new Set(results.filter((r) => r.action === 'created').map((r) => lower(r.id)));
  const found = results.filter((r) => r.action !== 'created').map((r) => r.id);
  const keep = new Set([...(existing ?? []), ...found].map(lower).filter((id) => !created.has(id)));
  return plan.resources.filter((r) => r.owned && !keep.has(lower(r.id)));
}

/** Nodes that may exist, by pool (`controlPlane` for the control plane), for stable placement. */
export function existingNodesOf(resources: readonly PlannedResource[]): Record<string, ExistingNode[]> {
  const nodes: Record<string, ExistingNode[]> = {};
  for (const r of resources) {
    const pool = r.role === 'controlPlaneVm' ? CONTROL_PLANE : r.role === 'workerVm' ? r.pool : undefined;
    if (pool === undefined) continue;
    (nodes[pool] ??= []).push({ name: r.node ?? r.name, ...(r.zone !== undefined ? { zone: r.zone } : {}) });
  }
  return nodes;
}

/** The Flexible pools' scale sets that may exist (cluster/plan/scaleSets.ts): their ids, pools and zones. */
export function flexSetsOf(
  resources: readonly PlannedResource[],
): { id: string; pool: string; zone?: string }[] {
  return resources
    .filter((r) => r.role === 'workerScaleSet' && r.pool !== undefined)
    .map((r) => ({ id: r.id, pool: r.pool ?? '', ...(r.zone !== undefined ? { zone: r.zone } : {}) }));
}

/**
 * Etcd runs on the control-plane nodes: removing members can lose quorum (and with it the cluster's
 * state), and this provisioner does not reconfigure etcd membership. So the control plane only grows.
 */
export function controlPlaneShrinkError(
  mayExist: readonly PlannedResource[],
  requestedCount: number,
): string | undefined {
  const current = mayExist.filter((r) => r.role === 'controlPlaneVm').length;
  if (requestedCount >= current) return undefined;
  return `controlPlane.count cannot shrink from ${current} to ${requestedCount}: the control-plane nodes are etcd members, and removing them without reconfiguring etcd membership can lose quorum and the cluster's state; keep controlPlane.count at ${current} or more, or delete the cluster and create it again`;
}

/**
 * A cluster cannot move: its resources live in one resource group and region. Returns why a new
 * plan may not replace the previous one, or undefined when it may.
 */
export function relocationError(previous: PreviousOperation | undefined, plan: Plan): string | undefined {
  // Nothing left (deleted, or a first create rolled back): the name is free to use anywhere.
  if (!previous || resourcesThatMayExist(previous).length === 0) return undefined;
  const before = previous.input.plan.cluster;
  const after = plan.cluster;
  if (lower(before.subscriptionId) !== lower(after.subscriptionId)) {
    return `cluster "${after.name}" exists in subscription "${before.subscriptionId}"; a cluster cannot move between subscriptions: delete it before creating it in subscription "${after.subscriptionId}"`;
  }
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

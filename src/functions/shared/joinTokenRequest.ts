/**
 * When an operation must mint a fresh join token before it creates nodes (docs/bootstrap.md, "Nodes
 * added later"), and the `registerJoinToken` activity's input and output. Pure: orchestrators call it.
 */
import type { OrchestrationContext, Task } from 'durable-functions';

import type { ResourceFailure } from '../../cluster/failure';
import type { PlannedResource } from '../../cluster/plan/types';
import type { RegisteredJoinToken } from '../../resources/joinToken';
import { resourceFailureFrom } from './clusterStatus';

/** Activity: mints a join token, registers it on a control-plane VM (run command), stores it in the vault. */
export const REGISTER_JOIN_TOKEN = 'registerJoinToken';

export interface RegisterJoinTokenInput {
  clusterName: string;
  vaultId: string;
  controlPlaneVmIds: string[];
  /**
   * The plan's VMs that may be created by this run: every VM of the plan (an earlier run that failed
   * may not have created what it planned); the activity mints only when one of them does not exist.
   */
  vmIds: string[];
  /**
   * The plan's Flexible scale sets and their planned capacities: one that does not exist or is
   * smaller creates members, which join like any new node.
   */
  scaleSets?: { id: string; capacity: number }[];
}

/** Public facts only: this is durable history. */
export type RegisterJoinTokenOutput =
  | { kind: 'registered'; token: RegisteredJoinToken }
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; failure: ResourceFailure };

const lower = (id: string): string => id.toLowerCase();

/** A planned scale set's `sku.capacity` (0 when the body was left out). */
export function plannedCapacityOf(r: Pick<PlannedResource, 'body'>): number {
  const sku = r.body['sku'];
  const capacity =
    typeof sku === 'object' && sku !== null && !Array.isArray(sku) ? sku['capacity'] : undefined;
  return typeof capacity === 'number' ? capacity : 0;
}

/**
 * The activity's input when the plan's `resources` may create VMs in a cluster whose control plane existed before
 * this run (`existing`: ids that may exist from before, see cluster/admission/staleResources.ts); else
 * undefined — the first create joins with the token `kubeadm init` registers. Which VMs are really
 * missing only ARM knows (a failed run "may" have created its nodes): the activity lists them.
 */
export function joinTokenRequestFor(
  clusterName: string,
  resources: readonly PlannedResource[],
  existing: readonly string[] | undefined,
): RegisterJoinTokenInput | undefined {
  const vault = resources.find((r) => r.role === 'clusterVault');
  if (!vault || !existing || existing.length === 0) return undefined;
  const before = new Set(existing.map(lower));
  const controlPlane = resources.filter((r) => r.role === 'controlPlaneVm');
  if (!controlPlane.some((r) => before.has(lower(r.id)))) return undefined;
  const vms = resources.filter((r) => r.role === 'controlPlaneVm' || r.role === 'workerVm');
  const sets = resources.filter((r) => r.role === 'workerScaleSet');
  return {
    clusterName,
    vaultId: vault.id,
    controlPlaneVmIds: controlPlane.filter((r) => before.has(lower(r.id))).map((r) => r.id),
    vmIds: vms.map((r) => r.id),
    ...(sets.length > 0
      ? { scaleSets: sets.map((r) => ({ id: r.id, capacity: plannedCapacityOf(r) })) }
      : {}),
  };
}

/**
 * The orchestrator's step: calls the activity when `joinTokenRequestFor` says so; returns the failure
 * that stops the operation (ARM's error of the run command or the vault), or undefined.
 */
export function* freshJoinTokenStep(
  context: OrchestrationContext,
  clusterName: string,
  resources: readonly PlannedResource[],
  existing: readonly string[] | undefined,
): Generator<Task, ResourceFailure | undefined, unknown> {
  const request = joinTokenRequestFor(clusterName, resources, existing);
  if (!request) return undefined;
  try {
    const out = (yield context.df.callActivity(REGISTER_JOIN_TOKEN, request)) as RegisterJoinTokenOutput;
    return out.kind === 'failed' ? out.failure : undefined;
  } catch (err) {
    return resourceFailureFrom(err, request.vaultId);
  }
}

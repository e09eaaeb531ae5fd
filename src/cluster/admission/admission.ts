/**
 * Whether an operation on a cluster may start, and with what: pure policy over the durable record
 * of the cluster's previous operation and the new plan. The HTTP starters only read the durable
 * state this needs and turn the decision into a response.
 */
import { checkAksChange } from '../aksChanges';
import type { Plan, PlannedResource } from '../plan/types';
import type { SpecError } from '../rawInput';
import type { ClusterSpec } from '../spec';
import { cloudInitChangeError } from './cloudInitChange';
import { bootstrapSettingChanges } from './immutableSettings';
import {
  controlPlaneShrinkError,
  type PreviousOperation,
  relocationError,
  resourcesFromBefore,
  resourcesThatMayExist,
  resourcesToPrune,
} from './staleResources';

/** A durable instance as admission sees it. */
export interface InstanceState {
  /** The orchestrator's name. */
  name?: string;
  runtimeStatus: string;
}

const activeStatuses = new Set(['Running', 'Pending', 'ContinuedAsNew', 'Suspended']);

export function isActive(state: InstanceState | undefined): boolean {
  return state !== undefined && activeStatuses.has(state.runtimeStatus);
}

/**
 * The zones whose sub-orchestrations (`cluster-<name>:zone-<z>`) may still run: they can outlive
 * their parent (terminated, or failed while a zone still runs), and a new operation must not write
 * to nodes a zone is still creating.
 */
export function zonesToCheck(previous: PreviousOperation | undefined): string[] {
  if (!previous) return [];
  const zones = previous.input.plan.resources
    .filter((r) => r.node !== undefined)
    .map((r) => r.zone ?? 'none');
  return [...new Set(zones)].sort();
}

/** Why the cluster is busy (its instance or one of its zones still runs), or undefined. */
export function busyReason(
  current: InstanceState | undefined,
  zones: readonly { zone: string; state: InstanceState | undefined }[],
): string | undefined {
  if (current && isActive(current)) return `${current.name ?? 'unknown'}, ${current.runtimeStatus}`;
  for (const { zone, state } of zones) {
    if (state && isActive(state)) return `zone ${zone}: ${state.runtimeStatus}`;
  }
  return undefined;
}

export type Refusal = {
  ok: false;
  code:
    | 'OperationInProgress'
    | 'ClusterExists'
    | 'ControlPlaneShrink'
    | 'CloudInitChanged'
    | 'ClusterSettingImmutable';
  message: string;
};

/** An accepted provisioning: what to prune after applying, and what may exist from before. */
export type ProvisioningAdmission = { ok: true; prune: PlannedResource[]; existing: string[] } | Refusal;

function busyRefusal(clusterName: string, busy: string): Refusal {
  return {
    ok: false,
    code: 'OperationInProgress',
    message: `an operation on cluster "${clusterName}" is running (${busy}); wait for it to finish`,
  };
}

/**
 * Provisioning (create or change) is refused while an operation runs, when the cluster would move
 * (subscription, resource group, region or type), when the control plane would shrink, and when an
 * existing IaaS cluster's bootstrap settings would change (Kubernetes version, CNI, ranges; see
 * immutableSettings.ts). Otherwise it prunes what the previous plan had and this one does not.
 */
export function admitProvisioning(request: {
  clusterName: string;
  plan: Plan;
  controlPlaneCount: number;
  /** The spec's pool names in order, to name the field a refusal is about. */
  poolNames?: readonly string[];
  previous: PreviousOperation | undefined;
  busy: string | undefined;
  /** The new spec (IaaS): its bootstrap settings must match the existing cluster's. */
  spec?: ClusterSpec;
}): ProvisioningAdmission {
  const { clusterName, plan, previous } = request;
  if (request.busy) return busyRefusal(clusterName, request.busy);
  const relocation = relocationError(previous, plan);
  if (relocation) return { ok: false, code: 'ClusterExists', message: relocation };
  const shrink = controlPlaneShrinkError(resourcesThatMayExist(previous), request.controlPlaneCount);
  if (shrink) return { ok: false, code: 'ControlPlaneShrink', message: shrink };
  const cloudInit = cloudInitChangeError(resourcesThatMayExist(previous), plan, request.poolNames ?? []);
  if (cloudInit) return { ok: false, code: 'CloudInitChanged', message: cloudInit };
  const frozen =
    request.spec?.type === 'iaas' && resourcesThatMayExist(previous).length > 0
      ? bootstrapSettingChanges(previous?.input.spec, request.spec)
      : [];
  if (frozen.length > 0) {
    return { ok: false, code: 'ClusterSettingImmutable', message: frozen.map((c) => c.message).join('; ') };
  }
  return { ok: true, prune: resourcesToPrune(previous, plan), existing: resourcesFromBefore(previous, plan) };
}

/** Deletion is refused only while an operation on the cluster runs. */
export function admitDeletion(request: {
  clusterName: string;
  busy: string | undefined;
}): { ok: true } | Refusal {
  return request.busy ? busyRefusal(request.clusterName, request.busy) : { ok: true };
}

/**
 * What AKS cannot change on a cluster that exists (a pool's zones, VM size, max pods, disk), checked
 * against the spec it was last provisioned from, with the field paths of the new spec.
 */
export function aksChangeErrors(
  previous: PreviousOperation | undefined,
  previousSpec: ClusterSpec | undefined,
  spec: ClusterSpec,
): SpecError[] {
  if (spec.type !== 'aks' || previousSpec?.type !== 'aks') return [];
  if (!previous || resourcesThatMayExist(previous).length === 0) return [];
  return checkAksChange(previousSpec, spec);
}

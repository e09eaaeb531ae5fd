/**
 * Every orchestrator and activity of the cluster workflows by name, with the shape of its input and
 * output. Orchestrators call activities only through these names, so a rename is a compile error.
 */
import type { ResourceFailure } from '../../cluster/failure';
import type { Plan, PlannedResource } from '../../cluster/plan/types';
import type { PlacementDecision } from '../../cluster/plan/zonalFallback';
import type { LifecycleEvent } from '../../events/lifecycle';
import type { ChainStep, Relocation, UnitAdvance } from '../../resources/advanceUnits';
import type { PendingOperation } from '../../resources/asyncReconcile';
import type { ApplyResult, DeleteResult } from '../../resources/reconcile';
import type { ClusterCustomStatus } from './clusterStatus';
import type { NodeProgressTarget } from './nodeProgress';

export const DurableFunctions = {
  /** Orchestrator: one instance per cluster (`cluster-<name>`), provisions the plan. */
  provisionCluster: 'provisionCluster',
  /** Sub-orchestrator (`cluster-<name>:apply`): applies a provisioning run's plan, ready-driven. */
  applyPlan: 'applyPlan',
  /** Orchestrator: same instance id as provisioning, deletes what the cluster owns. */
  deleteCluster: 'deleteCluster',
  /** Activity: the resource group exists (never created). */
  verifyResourceGroup: 'verifyResourceGroup',
  /** Activity: applies (owned) or verifies (brought) a chain of resources in order. */
  applyResources: 'applyResources',
  /** Activity: deletes a chain of owned resources in order. */
  deleteResources: 'deleteResources',
  /**
   * Activity: carries a batch of chains forward for a bounded time — starts resources (PUT/DELETE only
   * when needed), reads operations in flight in batches, starts a chain's next resource when one ends.
   */
  advanceOperations: 'advanceOperations',
  /** Activity: publishes a lifecycle event to Event Grid when a topic is configured. */
  publishLifecycleEvent: 'publishLifecycleEvent',
} as const;

export type OnFailure = 'keep' | 'rollback';

/** Input of both cluster orchestrators; also the durable record of the cluster's last operation. */
export interface ClusterOperationInput {
  clusterName: string;
  plan: Plan;
  onFailure: OnFailure;
  /** The validated spec as submitted (kept so status can show what was asked for). */
  spec: unknown;
  /** When the HTTP request arrived (ISO 8601), stamped by the starter: orchestrators read no clock. */
  requestedAt: string;
  /**
   * Owned resources an earlier operation created that this plan no longer has (a shrunk or renamed
   * pool): deleted after the plan is applied, so nothing is left behind. See cluster/admission/staleResources.ts.
   */
  prune?: PlannedResource[];
  /**
   * Ids of owned resources an earlier operation planned and this plan keeps: they may exist from
   * before this run, so a rollback of this run leaves them alone (see cluster/admission/staleResources.ts).
   */
  existing?: string[];
}

export interface ProvisionClusterOutput {
  clusterName: string;
  apiServer?: { ip: string; endpoint: string };
  resources: { created: number; updated: number; unchanged: number; total: number };
}

export interface DeleteClusterOutput {
  clusterName: string;
  deleted: number;
  alreadyAbsent: number;
}

/** Progress of the apply, as the status route merges it into the cluster's status. */
export type ApplyPlanStatus = Pick<ClusterCustomStatus, 'resources' | 'zones'> &
  Partial<Pick<ClusterCustomStatus, 'apiServer' | 'fqdn' | 'pools' | 'placements'>>;

export interface ApplyPlanInput {
  clusterName: string;
  /** The parent run's `requestedAt`. */
  runId: string;
  /** Where activities read the planned resources' bodies (the parent's input). */
  plan: PlanReference;
  subscriptionId: string;
  /** The plan's resources in plan order, node resources without their bodies (indices = references). */
  resources: PlannedResource[];
  /** Owned resources an earlier run may have created (see ClusterOperationInput.existing). */
  existing: string[];
  status: ApplyPlanStatus;
  /** Publish this event once everything is applied (the run ends with the apply). */
  announce?: PublishLifecycleEventInput;
}

export interface ApplyPlanOutput {
  results: ApplyResult[];
  /** `announce` was published. */
  announced?: boolean;
  status: ApplyPlanStatus;
  failure?: ResourceFailure;
  placements?: PlacementDecision[];
}

export interface VerifyResourceGroupInput {
  subscriptionId: string;
  resourceGroup: string;
}

/**
 * Fan-out activities report failures as data instead of throwing: `Task.all` in durable-functions
 * stops at the first failed child and hides the others' results (Azure/azure-functions-durable-js#477),
 * and a rollback must know every chain has settled before it deletes anything.
 */
export interface ApplyResourcesInput {
  resources: PlannedResource[];
  /** For node chains: where to report each node that becomes ready (live status). */
  progress?: NodeProgressTarget;
}
export interface ApplyResourcesOutput {
  results: ApplyResult[];
  failure?: ResourceFailure;
}

/** Where an activity finds the plan of a cluster operation: that operation's own input. */
export interface PlanReference {
  instanceId: string;
  /** The operation's `requestedAt`: a plan of another run is never used. */
  runId: string;
}

/**
 * A resource of a chain by reference (index into the referenced plan's resources), by reference and
 * moved to another zone (zonal fallback: the activity builds it with `relocatedVm`), or by value.
 */
export type StepReference = number | { ref: number; relocate: Relocation } | ChainStep;

export interface AdvanceOperationsInput {
  kind: 'apply' | 'delete';
  /** Where `StepReference` indices point (absent: every step is given by value). */
  plan?: PlanReference;
  units: {
    steps: StepReference[];
    pending?: PendingOperation;
    /** For `pending`: ms until it is worth reading (absent: now). */
    dueInMs?: number;
    urgent?: boolean;
  }[];
  holdMs: number;
  pollEveryMs: number;
  maxPollReads: number;
  /** Reports VMs that became ready to the cluster's progress entity. */
  progress?: { clusterName: string; runId: string };
}

export interface AdvanceOperationsOutput {
  units: UnitAdvance[];
  /** Requests actually sent, for the subscription budget's refund. */
  reads: number;
  writes: number;
  pacing: OperationsPacing;
}

/** What the orchestrator needs from settings it may not read itself (it reads no environment). */
export interface OperationsPacing {
  /** Gap before the next poll (the ARM poll interval setting). */
  pollAfterMs: number;
  /** Wall-clock seconds per Azure second (`ARM_BUDGET_TIME_SCALE`; 1 on Azure). */
  timeScale: number;
  /** Transient retry: attempts per resource, first backoff, longest backoff. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface DeleteResourcesInput {
  resources: Pick<PlannedResource, 'id' | 'type'>[];
}
export interface DeleteResourcesOutput {
  results: DeleteResult[];
  failure?: ResourceFailure;
}

export type LifecycleEventType = LifecycleEvent['type'];

/**
 * The event as the publishing activity receives it: the instance id derives a stable event id, the
 * time is the orchestration's `currentUtcDateTime` (see src/events/lifecycle.ts).
 */
export type PublishLifecycleEventInput = LifecycleEvent;
export interface PublishLifecycleEventOutput {
  published: boolean;
}

/**
 * Every orchestrator and activity of the cluster workflows by name, with the shape of its input and
 * output. Orchestrators call activities only through these names, so a rename is a compile error.
 */
import type { ResourceFailure } from '../../cluster/failure';
import type { Plan, PlannedResource } from '../../cluster/plan/types';
import type { PlacementDecision, PoolZoneCounts } from '../../cluster/plan/zonalFallback';
import type { LifecycleEvent } from '../../events/lifecycle';
import type { OperationOutcome, PendingOperation } from '../../resources/asyncReconcile';
import type { ApplyResult, DeleteResult } from '../../resources/reconcile';
import type { ZoneProgress } from './clusterStatus';
import type { NodeProgressTarget } from './nodeProgress';

export const DurableFunctions = {
  /** Orchestrator: one instance per cluster (`cluster-<name>`), provisions the plan. */
  provisionCluster: 'provisionCluster',
  /** Sub-orchestrator: one per zone (`cluster-<name>:zone-<z>`), that zone's NICs and VMs. */
  provisionZone: 'provisionZone',
  /** Orchestrator: same instance id as provisioning, deletes what the cluster owns. */
  deleteCluster: 'deleteCluster',
  /** Activity: the resource group exists (never created). */
  verifyResourceGroup: 'verifyResourceGroup',
  /** Activity: applies (owned) or verifies (brought) a chain of resources in order. */
  applyResources: 'applyResources',
  /** Activity: deletes a chain of owned resources in order. */
  deleteResources: 'deleteResources',
  /** Activity: starts applying or deleting a batch of resources; returns done ones and operations to follow. */
  startOperations: 'startOperations',
  /** Activity: reads where a batch of operations stand (one list call per type and resource group). */
  pollOperations: 'pollOperations',
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

export interface ProvisionZoneInput {
  clusterName: string;
  /** The parent run's `requestedAt`: progress of older runs is ignored. */
  runId: string;
  zone: string;
  resources: PlannedResource[];
  /** The plan's nodes per pool and zone: where a node goes when its zone cannot allocate its size. */
  pools?: PoolZoneCounts;
}

export interface ProvisionZoneOutput {
  zone: string;
  results: ApplyResult[];
  progress: ZoneProgress;
  /** First terminal failure in the zone; the zone still finishes every node it could. */
  failure?: ResourceFailure;
  /** Nodes placed in another zone because theirs could not allocate. */
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

export interface StartOperationsInput {
  kind: 'apply' | 'delete';
  /** Independent resources (no one waits for another in the batch); `step: 'delete'` deletes one. */
  resources: (PlannedResource & { step?: 'delete' })[];
  progress?: NodeProgressTarget;
}
export interface PollOperationsInput {
  pending: PendingOperation[];
  progress?: NodeProgressTarget;
  /** The resources being applied, for reporting nodes that became ready (VM ids → node names). */
  nodes?: Record<string, string>;
}
/** What the orchestrator needs from settings it may not read itself (it reads no environment). */
export interface OperationsPacing {
  /** Gap before the next poll (the ARM poll interval setting). */
  pollAfterMs: number;
  /** Transient retry: attempts per resource, first backoff, longest backoff. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}
export interface OperationsOutput {
  outcomes: OperationOutcome[];
  /** Requests actually sent, for the subscription budget's refund. */
  reads: number;
  writes: number;
  pacing: OperationsPacing;
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

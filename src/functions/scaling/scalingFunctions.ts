/**
 * Names and payloads of the node-pool scaling functions: the `nodePool` entity (one per pool, key
 * `<cluster>:<pool>`), the `nodePoolRequest` orchestration (one per event or HTTP request: it hands
 * the request to the entity and, when the entity names it the runner, runs the scale operation), and
 * the `scaleNodePoolStep` activity (one zone-balanced step: add NIC+VM, remove VM then NIC).
 */
import type {
  Clock,
  NextStep,
  NodePoolConfig,
  NodePoolRequest,
  PoolNode,
  RequestContext,
  RequestResult,
  StepReport,
} from '../../cluster/scaling/nodePoolState';

export const ScalingFunctions = {
  nodePoolEntity: 'nodePool',
  nodePoolRequest: 'nodePoolRequest',
  scaleNodePoolStep: 'scaleNodePoolStep',
  nodeScalingEvents: 'nodeScalingEvents',
} as const;

export const NodePoolOperations = {
  request: 'request',
  next: 'next',
  retire: 'retire',
  end: 'end',
} as const;

/** The entity key of a pool. Cluster names have no ':' so the key is unambiguous. */
export function nodePoolKey(clusterName: string, pool: string): string {
  return `${clusterName}:${pool}`;
}

/** Instance ids of request orchestrations never start with `cluster-` (that prefix is a cluster's record). */
export const NODE_POOL_INSTANCE_PREFIX = 'nodepool-';

export interface EntityRequestInput {
  request: NodePoolRequest;
  ctx: RequestContext;
}

export interface EntityNextInput {
  operationId: string;
  clock: Clock;
  report?: StepReport;
}

export type EntityNextOutput = NextStep;
export type EntityRequestOutput = RequestResult;

export interface EntityRetireOutput {
  nodes: PoolNode[];
  running: boolean;
}

/** Input of `nodePoolRequest`: everything but the clock and the operation id (the orchestration adds them). */
export interface NodePoolRequestInput {
  request: NodePoolRequest;
  config: NodePoolConfig;
  cooldownSeconds: number;
}

export interface NodePoolRequestOutput {
  result: RequestResult;
  /** Steps run when this orchestration was the runner. */
  steps: number;
  /** Why the run stopped, when it ran. */
  stopped?: string;
}

export interface ScaleStepInput {
  clusterName: string;
  pool: string;
  target: number;
  nodes: PoolNode[];
  zones: string[];
  removableNodes: string[];
  repair: boolean;
}

export type ScaleStepOutput =
  /** The cluster is being created or deleted: try again later (scaling waits for it). */
  | { kind: 'busy'; reason: string }
  | { kind: 'done'; report: StepReport; added: string[]; removed: string[]; writes: number };

export const RepairFunctions = {
  /** Orchestration: re-applies a cluster's owned resources other than worker nodes. */
  repairCluster: 'repairCluster',
  /** Activity: the same, GET → compare → PUT, in dependency order. */
  repairClusterResources: 'repairClusterResources',
} as const;

export interface RepairClusterInput {
  clusterName: string;
  /** The deleted resource that triggered the repair. */
  resourceUri: string;
}

export interface RepairClusterOutput {
  skipped?: string;
  /** Resources written (created or updated). */
  written: string[];
  error?: string;
}

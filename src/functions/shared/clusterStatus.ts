import type { AksEventsView } from '../../cluster/aksEventState';
import type { PoolStatus } from '../../cluster/aksStatus';
import type { ResourceFailure } from '../../cluster/failure';
import type { PlacementDecision } from '../../cluster/plan/zonalFallback';
import type { PoolScalingView } from '../../cluster/scaling/poolScalingView';
import { parseArmErrorMessage } from '../../resources/errors';
import type { ScaleSetPoolView } from '../../resources/flexPools';

/**
 * What a user reads about a cluster: the orchestrations' custom status and the HTTP status body.
 */

export type ClusterPhase =
  | 'Verifying'
  | 'Provisioning'
  | 'Pruning'
  | 'Provisioned'
  | 'RollingBack'
  | 'Failed'
  | 'Deleting'
  | 'Deleted'
  | 'DeleteFailed';

export interface ZoneProgress {
  nodesReady: number;
  nodesTotal: number;
}

/** Custom status of the cluster orchestrators, updated as work completes. */
export interface ClusterCustomStatus {
  operation: 'provision' | 'delete';
  phase: ClusterPhase;
  resources: { done: number; total: number };
  zones: Record<string, ZoneProgress>;
  apiServer?: { ip: string; endpoint: string };
  /** AKS: the API server's FQDN, once the managed cluster exists. */
  fqdn?: string;
  /**
   * IaaS: the public facts of the cluster's Key Vault (the CA certificate hash nodes pin, the join
   * token's secret id and expiry); never a secret value.
   */
  bootstrap?: { caCertHash: string; joinTokenSecretId: string; joinTokenExpiresOn: string };
  /** AKS: each pool's nodes per zone, count and autoscaler bounds. */
  pools?: Record<string, PoolStatus>;
  error?: ResourceFailure;
  /** Set when a failed provisioning was rolled back (`onFailure: rollback`). */
  rolledBack?: boolean;
  /** Nodes placed outside their planned zone because it could not allocate their size, with ARM's error. */
  placements?: PlacementDecision[];
}

/** The body of `GET /api/clusters/{name}`. */
export interface ClusterStatusView extends Partial<ClusterCustomStatus> {
  name: string;
  instanceId: string;
  /** Durable runtime status of the last operation: Pending, Running, Completed, Failed, Terminated. */
  runtimeStatus: string;
  resourceGroup?: string;
  location?: string;
  createdTime?: string;
  lastUpdatedTime?: string;
  /** Per worker pool: desired and actual nodes per zone, the last scaling decision (see scaling/). */
  nodePools?: Record<string, PoolScalingView>;
  /** AKS: what AKS announced on Event Grid (node pool rolling, new Kubernetes versions). */
  aksEvents?: AksEventsView;
  /**
   * IaaS pools built as Flexible scale sets (one per zone): read from ARM when the status is asked
   * for — per zone the set, per node the member VM.
   */
  scaleSetPools?: Record<string, ScaleSetPoolView>;
}

/** The instance id of every operation on a cluster: one home for its status, no two operations at once. */
export function clusterInstanceId(clusterName: string): string {
  return `cluster-${clusterName}`;
}

/** The sub-orchestration that applies a provisioning run's plan (`cluster-<name>:apply`). */
export function applyInstanceId(parentInstanceId: string): string {
  return `${parentInstanceId}:apply`;
}

export function zoneInstanceId(parentInstanceId: string, zone: string): string {
  return `${parentInstanceId}:zone-${zone}`;
}

/** The cluster name of a top-level cluster instance id, undefined for any other instance. */
export function clusterNameOf(instanceId: string): string | undefined {
  const m = /^cluster-([^:]+)$/.exec(instanceId);
  return m?.[1];
}

/**
 * The ARM code and resource out of a failed activity's error (its message carries them). An error
 * that names no ARM code (a settings error, a timeout) becomes `ActivityFailed` with its first line.
 */
export function resourceFailureFrom(err: unknown, fallbackResource: string): ResourceFailure {
  const text = err instanceof Error ? err.message : String(err);
  const parsed = parseArmErrorMessage(text);
  if (parsed) return parsed;
  const code = /\bARM error ([\w.-]+)/.exec(text)?.[1] ?? 'ActivityFailed';
  return { resource: fallbackResource, code, message: (text.split('\n')[0] ?? text).trim() };
}

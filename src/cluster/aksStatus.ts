/**
 * What the status of an AKS cluster shows beyond resources done/total: each pool's nodes per zone
 * and autoscaler bounds, and the cluster's FQDN. Pure: built from the plan and the outputs of the
 * resources applied so far.
 */
import type { PlannedResource } from './plan/types';

export interface PoolStatus {
  mode: string;
  vmSize: string;
  /** Nodes now (the live count: the cluster autoscaler may have moved it from the spec's). */
  count: number;
  /** AKS balances a pool's nodes over its zones; this is that spread for `count`. */
  nodesPerZone: Record<string, number>;
  autoscaler?: { minCount: number; maxCount: number };
  /** Whether the pool exists as planned (its agent-pool resource was applied in this run). */
  ready: boolean;
}

/** `count` nodes over `zones` as evenly as possible, lower zones first; `none` without zones. */
export function spreadAcrossZones(count: number, zones: readonly string[]): Record<string, number> {
  if (zones.length === 0) return { none: count };
  const out: Record<string, number> = {};
  zones.forEach((zone, index) => {
    out[zone] = Math.floor(count / zones.length) + (index < count % zones.length ? 1 : 0);
  });
  return out;
}

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const str = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);

/** A pool's status from its planned agent-pool resource and, once applied, its outputs. */
export function poolStatusOf(
  planned: PlannedResource,
  outputs: Record<string, string> | undefined,
): PoolStatus {
  const props = (planned.body['properties'] ?? {}) as Record<string, unknown>;
  const live = outputs?.['count'] !== undefined ? Number(outputs['count']) : undefined;
  const count = live ?? num(props['count']) ?? 0;
  const zones = Array.isArray(props['availabilityZones']) ? props['availabilityZones'].map(String) : [];
  const min = num(props['minCount']);
  const max = num(props['maxCount']);
  return {
    mode: str(props['mode'], 'User'),
    vmSize: str(props['vmSize'], ''),
    count,
    nodesPerZone: spreadAcrossZones(count, zones),
    ...(props['enableAutoScaling'] === true && min !== undefined && max !== undefined
      ? { autoscaler: { minCount: min, maxCount: max } }
      : {}),
    ready: outputs !== undefined,
  };
}

const CLUSTER_CHILD_TYPES = new Set(
  [
    'Microsoft.ContainerService/managedClusters/agentPools',
    'Microsoft.KubernetesConfiguration/extensions',
    'Microsoft.KubernetesConfiguration/fluxConfigurations',
  ].map((t) => t.toLowerCase()),
);

/**
 * Resources to delete, without those that go with a managed cluster deleted in the same run: AKS
 * removes a cluster's pools and extensions with it (and refuses to delete its last System pool on
 * its own). A pool removed from the spec while the cluster stays is still deleted by itself.
 */
export function withoutClusterChildren<T extends Pick<PlannedResource, 'id' | 'type'>>(
  resources: readonly T[],
): T[] {
  const clusters = resources
    .filter((r) => r.type.toLowerCase() === 'microsoft.containerservice/managedclusters')
    .map((r) => `${r.id.toLowerCase()}/`);
  return resources.filter(
    (r) =>
      !(
        CLUSTER_CHILD_TYPES.has(r.type.toLowerCase()) &&
        clusters.some((c) => r.id.toLowerCase().startsWith(c))
      ),
  );
}

/**
 * What scaling changed, as the cluster's record must see it when the spec is applied again: the nodes
 * a pool has beyond (or instead of) its plan's, as planned resources (NIC + VM, built by the planner),
 * so that the new plan keeps their names and zones and prunes the ones the spec's count drops; and
 * whether a scale step runs (then the apply is refused: provisioning and scaling never race).
 */
import type { DurableClient } from 'durable-functions';

import type { PlannedResource } from '../../cluster/plan/types';
import type { ClusterSpec } from '../../cluster/spec';
import type { ClusterOperationInput } from '../shared/durableFunctions';
import { nodeResources } from './scaleStep';
import { readPoolState } from './startPoolRequest';

export interface ScaledNodes {
  /** Pools with a scale operation running. */
  running: string[];
  /** NIC and VM of every node a pool has that the plan does not. */
  extra: PlannedResource[];
}

export async function scaledNodesOf(
  client: DurableClient,
  input: ClusterOperationInput | undefined,
): Promise<ScaledNodes> {
  const result: ScaledNodes = { running: [], extra: [] };
  const spec = input?.spec as ClusterSpec | undefined;
  if (!input || !spec) return result;
  const planned = new Set(input.plan.resources.map((r) => r.id.toLowerCase()));
  for (const pool of spec.nodePools) {
    const state = await readPoolState(client, input.clusterName, pool.name);
    if (!state || state.retired) continue;
    if (state.running) result.running.push(pool.name);
    // AKS pools have no nodes of ours: the spec's count (or window) is applied again as it says.
    if (spec.type !== 'iaas' || state.nodes.length === 0) continue;
    const byNode = nodeResources(spec, input.plan.cluster.subscriptionId, pool.name, state.nodes);
    for (const resources of byNode.values()) {
      for (const r of resources) if (!planned.has(r.id.toLowerCase())) result.extra.push(r);
    }
  }
  return result;
}

/** The input with the scaled nodes added to its plan (what may exist, for pruning and placement). */
export function withScaledNodes<T extends { plan: ClusterOperationInput['plan'] }>(
  input: T,
  extra: PlannedResource[],
): T {
  if (extra.length === 0) return input;
  return { ...input, plan: { ...input.plan, resources: [...input.plan.resources, ...extra] } };
}

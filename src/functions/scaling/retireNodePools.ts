/**
 * Deleting a cluster and scaling it never race: before anything is deleted, every pool's entity is
 * retired (it refuses new work and its running operation stops at its next step), and the deletion waits
 * until no scale step runs. Nodes a scale-out added are not in the cluster's plan: they are deleted
 * here (VM, then NIC). When the cluster is gone its pools' entities end.
 */
import type { OrchestrationContext, Task } from 'durable-functions';
import * as df from 'durable-functions';

import type { ResourceFailure } from '../../cluster/failure';
import { type PlannedResource, ResourceTypes } from '../../cluster/plan/types';
import type { PoolNode } from '../../cluster/scaling/nodePoolState';
import type { ClusterSpec } from '../../cluster/spec';
import {
  type ClusterOperationInput,
  type DeleteResourcesInput,
  type DeleteResourcesOutput,
  DurableFunctions,
} from '../shared/durableFunctions';
import { settleAll } from '../shared/settleAll';
import {
  type EntityRetireOutput,
  nodePoolKey,
  NodePoolOperations,
  ScalingFunctions,
} from './scalingFunctions';

const RETIRE_POLL_MS = 1_000;

function poolEntities(input: ClusterOperationInput): df.EntityId[] {
  const spec = input.spec as Partial<ClusterSpec> | undefined;
  return (spec?.nodePools ?? []).map(
    (pool) => new df.EntityId(ScalingFunctions.nodePoolEntity, nodePoolKey(input.clusterName, pool.name)),
  );
}

/** Retires every pool, waits for running scale steps to finish; returns nodes the plan does not have. */
export function* retireNodePools(
  context: OrchestrationContext,
  input: ClusterOperationInput,
): Generator<Task, PoolNode[], unknown> {
  const planned = new Set(input.plan.resources.filter((r) => r.node !== undefined).map((r) => r.node));
  const extra = new Map<string, PoolNode>();
  for (const entity of poolEntities(input)) {
    for (;;) {
      const out = (yield context.df.callEntity(entity, NodePoolOperations.retire)) as EntityRetireOutput;
      for (const node of out.nodes) if (!planned.has(node.name)) extra.set(node.name, node);
      if (!out.running) break;
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + RETIRE_POLL_MS));
    }
  }
  return [...extra.values()];
}

/** Deletes scaled-out nodes (VM then NIC each, nodes in parallel); returns counts and the first failure. */
export function* deleteScaledNodes(
  context: OrchestrationContext,
  input: ClusterOperationInput,
  nodes: PoolNode[],
): Generator<Task, { deleted: number; alreadyAbsent: number; failure?: ResourceFailure }, unknown> {
  const summary: { deleted: number; alreadyAbsent: number; failure?: ResourceFailure } = {
    deleted: 0,
    alreadyAbsent: 0,
  };
  if (nodes.length === 0) return summary;
  const { subscriptionId, resourceGroup } = input.plan.cluster;
  const base = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers`;
  const tasks = nodes.map((node) => {
    const resources: Pick<PlannedResource, 'id' | 'type'>[] = [
      { id: `${base}/${ResourceTypes.virtualMachine}/${node.name}`, type: ResourceTypes.virtualMachine },
      {
        id: `${base}/${ResourceTypes.networkInterface}/${node.name}-nic`,
        type: ResourceTypes.networkInterface,
      },
    ];
    return context.df.callActivity(DurableFunctions.deleteResources, {
      resources,
    } satisfies DeleteResourcesInput);
  });
  const settled = yield* settleAll<DeleteResourcesOutput>(context, tasks, nodes[0]?.name ?? 'scaled nodes');
  for (const o of settled.outcomes) {
    for (const r of o.results) {
      if (r.action === 'deleted') summary.deleted++;
      else summary.alreadyAbsent++;
    }
    summary.failure ??= o.failure;
  }
  summary.failure ??= settled.error;
  return summary;
}

/** The cluster is deleted: its pools' entities end (their state goes). */
export function endNodePools(context: OrchestrationContext, input: ClusterOperationInput): void {
  for (const entity of poolEntities(input)) context.df.signalEntity(entity, NodePoolOperations.end);
}

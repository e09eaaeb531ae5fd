/**
 * Deleting a cluster: everything the cluster owns, in reverse dependency order with fan-out.
 * The resource group and brought resources (VNet, subnets, NSGs named in the spec) stay.
 */
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import * as df from 'durable-functions';

import { withoutClusterChildren } from '../cluster/aksStatus';
import { aksEventsEntityId, AksEventsOperations } from '../events/aksEvents';
import { deleteScaledNodes, endNodePools, retireNodePools } from './scaling/retireNodePools';
import type { ClusterCustomStatus } from './shared/clusterStatus';
import { deleteOwned } from './shared/deletion';
import {
  type ClusterOperationInput,
  type DeleteClusterOutput,
  DurableFunctions,
  type PublishLifecycleEventInput,
} from './shared/durableFunctions';

const deleteCluster: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<ClusterOperationInput>();
  // What the last operation was still to prune is the cluster's too (see cluster/admission/staleResources.ts).
  const resources = [...input.plan.resources, ...(input.prune ?? [])];
  const owned = withoutClusterChildren(resources.filter((r) => r.owned));
  const status: ClusterCustomStatus = {
    operation: 'delete',
    phase: 'Deleting',
    resources: { done: 0, total: owned.length },
    zones: {},
  };
  context.df.setCustomStatus(status);
  // Scaling stops first; nodes it added are deleted with the cluster (see scaling/retireNodePools.ts).
  const scaled = yield* retireNodePools(context, input);
  status.resources.total += scaled.length * 2;
  const scaledSummary = yield* deleteScaledNodes(context, input, scaled);
  status.resources.done = scaledSummary.deleted + scaledSummary.alreadyAbsent;
  context.df.setCustomStatus(status);
  const summary = scaledSummary.failure
    ? { ...scaledSummary }
    : yield* deleteOwned(context, resources, (s) => {
        status.resources.done =
          scaledSummary.deleted + scaledSummary.alreadyAbsent + s.deleted + s.alreadyAbsent;
        context.df.setCustomStatus(status);
      });
  if (!scaledSummary.failure) {
    summary.deleted += scaledSummary.deleted;
    summary.alreadyAbsent += scaledSummary.alreadyAbsent;
  }
  if (summary.failure) {
    status.phase = 'DeleteFailed';
    status.error = summary.failure;
    context.df.setCustomStatus(status);
    throw new Error(
      `Deleting cluster "${input.clusterName}" failed: ARM error ${summary.failure.code} on ${summary.failure.resource}: ${summary.failure.message}`,
    );
  }
  status.phase = 'Deleted';
  context.df.setCustomStatus(status);
  endNodePools(context, input);
  if (input.plan.cluster.type === 'aks')
    context.df.signalEntity(aksEventsEntityId(input.clusterName), AksEventsOperations.end);
  yield context.df.callActivity(DurableFunctions.publishLifecycleEvent, {
    type: 'Deleted',
    clusterName: input.clusterName,
    resourceGroup: input.plan.cluster.resourceGroup,
    subscriptionId: input.plan.cluster.subscriptionId,
    instanceId: context.df.instanceId,
    occurredAt: context.df.currentUtcDateTime.toISOString(),
  } satisfies PublishLifecycleEventInput);
  const output: DeleteClusterOutput = {
    clusterName: input.clusterName,
    deleted: summary.deleted,
    alreadyAbsent: summary.alreadyAbsent,
  };
  return output;
};

df.app.orchestration(DurableFunctions.deleteCluster, deleteCluster);

/**
 * Deleting a cluster: everything the cluster owns, in reverse dependency order with fan-out.
 * The resource group and brought resources (VNet, subnets, NSGs named in the spec) stay.
 */
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import * as df from 'durable-functions';

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
  const owned = resources.filter((r) => r.owned);
  const status: ClusterCustomStatus = {
    operation: 'delete',
    phase: 'Deleting',
    resources: { done: 0, total: owned.length },
    zones: {},
  };
  context.df.setCustomStatus(status);
  const summary = yield* deleteOwned(context, resources, (s) => {
    status.resources.done = s.deleted + s.alreadyAbsent;
    context.df.setCustomStatus(status);
  });
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

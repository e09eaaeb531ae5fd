/**
 * Deleting what a cluster owns, shared by `deleteCluster` and the rollback of `provisionCluster`:
 * the dependency graph reversed and driven ready-first (a resource goes as soon as everything that
 * depends on it is gone: a VM, then its NIC, while another node's VM is still deleting), never a
 * brought resource and never the resource group.
 */
import type { OrchestrationContext, Task } from 'durable-functions';

import { withoutClusterChildren } from '../../cluster/aksStatus';
import type { ResourceFailure } from '../../cluster/failure';
import { deletionGraph } from '../../cluster/plan/readyGraph';
import type { PlannedResource } from '../../cluster/plan/types';
import { driveGraph } from './lroDriver';

export interface DeletionSummary {
  deleted: number;
  alreadyAbsent: number;
  failure?: ResourceFailure;
}

/**
 * Deletes `resources` in reverse dependency order; after a failure nothing new starts (what depends
 * on the failed resource is gone, what it depends on must stay until it is). `onProgress` reports
 * after each step.
 */
export function* deleteOwned(
  context: OrchestrationContext,
  resources: PlannedResource[],
  onProgress: (summary: DeletionSummary) => void = () => undefined,
): Generator<Task, DeletionSummary, unknown> {
  // A managed cluster's pools and extensions go with it (see aksStatus.ts).
  const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(resources[0]?.id ?? '')?.[1] ?? '';
  const summarize = (results: { action: string }[]): DeletionSummary => ({
    deleted: results.filter((r) => r.action === 'deleted').length,
    alreadyAbsent: results.filter((r) => r.action !== 'deleted').length,
  });
  const driven = yield* driveGraph(context, deletionGraph(withoutClusterChildren(resources)), {
    kind: 'delete',
    subscriptionId,
    onProgress: (results) => onProgress(summarize(results)),
  });
  const summary: DeletionSummary = {
    ...summarize(driven.results),
    ...(driven.failure ? { failure: driven.failure } : {}),
  };
  onProgress(summary);
  return summary;
}

/** Rollback after a failed provisioning: same as a delete, of owned resources only. */
export function* rollbackOwned(
  context: OrchestrationContext,
  resources: PlannedResource[],
): Generator<Task, DeletionSummary, unknown> {
  return yield* deleteOwned(context, resources);
}

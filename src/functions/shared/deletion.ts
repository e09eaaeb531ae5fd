/**
 * Deleting what a cluster owns, shared by `deleteCluster` and the rollback of `provisionCluster`:
 * reverse dependency order (VMs, then NICs, then the load balancer and subnets, …), each wave fanned
 * out, never a brought resource and never the resource group.
 */
import type { OrchestrationContext, Task } from 'durable-functions';

import { withoutClusterChildren } from '../../cluster/aksStatus';
import type { ResourceFailure } from '../../cluster/failure';
import { deletionWaves } from '../../cluster/plan/scheduleWaves';
import type { PlannedResource } from '../../cluster/plan/types';
import { driveChains } from './lroDriver';

export interface DeletionSummary {
  deleted: number;
  alreadyAbsent: number;
  failure?: ResourceFailure;
}

/**
 * Runs the deletion waves; stops after the first wave with a failure (what depends on it is gone,
 * what it depends on must stay until it is). `onWave` reports progress after each wave.
 */
export function* deleteOwned(
  context: OrchestrationContext,
  resources: PlannedResource[],
  onWave: (summary: DeletionSummary) => void = () => undefined,
): Generator<Task, DeletionSummary, unknown> {
  const summary: DeletionSummary = { deleted: 0, alreadyAbsent: 0 };
  // A managed cluster's pools and extensions go with it (see aksStatus.ts).
  const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(resources[0]?.id ?? '')?.[1] ?? '';
  for (const wave of deletionWaves(withoutClusterChildren(resources))) {
    const driven = yield* driveChains(
      context,
      wave.map((unit) => unit.resources),
      { kind: 'delete', subscriptionId },
    );
    for (const r of driven.results) {
      if (r.action === 'deleted') summary.deleted++;
      else summary.alreadyAbsent++;
    }
    summary.failure ??= driven.failure;
    onWave(summary);
    if (summary.failure) break;
  }
  return summary;
}

/** Rollback after a failed provisioning: same as a delete, of owned resources only. */
export function* rollbackOwned(
  context: OrchestrationContext,
  resources: PlannedResource[],
): Generator<Task, DeletionSummary, unknown> {
  return yield* deleteOwned(context, resources);
}

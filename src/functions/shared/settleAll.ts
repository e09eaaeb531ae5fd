/**
 * Fan-out that survives a throwing child. Activities report ARM failures as data, but an activity can
 * still throw (a settings error, a host timeout, a crash) and a zone sub-orchestration can fail; then
 * `Task.all` fails at once (Azure/azure-functions-durable-js#477) while the other children still run.
 * A rollback must not start before every child has settled, so after a failure each child is awaited
 * on its own (yielding an already scheduled task schedules nothing new: replay stays deterministic).
 */
import type { OrchestrationContext, Task } from 'durable-functions';

import type { ResourceFailure } from '../../cluster/failure';
import { resourceFailureFrom } from './clusterStatus';

export interface Settled<T> {
  /** Outputs of the children that completed, in task order. */
  outcomes: T[];
  /** The first child's error, as a cluster error (code from "ARM error CODE", else `ActivityFailed`). */
  error?: ResourceFailure;
}

export function* settleAll<T>(
  context: OrchestrationContext,
  tasks: Task[],
  fallbackResource: string,
): Generator<Task, Settled<T>, unknown> {
  if (tasks.length === 0) return { outcomes: [] };
  try {
    return { outcomes: (yield context.df.Task.all(tasks)) as T[] };
  } catch (err) {
    const outcomes: T[] = [];
    for (const task of tasks) {
      try {
        outcomes.push((yield task) as T);
      } catch {
        // Reported once, through the first error below.
      }
    }
    return { outcomes, error: resourceFailureFrom(err, fallbackResource) };
  }
}

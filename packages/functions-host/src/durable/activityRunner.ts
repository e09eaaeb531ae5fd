/**
 * Runs one queued activity and reports its result to the orchestration as a TaskCompleted or TaskFailed
 * event. Retries are not decided here: the orchestrator's retry policy schedules a retry timer and then the
 * activity again (see scheduleTask.ts), so each attempt is its own work item and its own history entry.
 */
import { type EngineContext, logInvocation } from './engineContext';
import {
  EventType,
  failureDetailsOf,
  failureFields,
  type HistoryEvent,
  newEvent,
  parseJsonText,
  toJsonText,
} from './historyEvents';
import { type ActivityWorkItem } from './store';

export async function runActivity(ctx: EngineContext, item: ActivityWorkItem): Promise<void> {
  const started = Date.now();
  let event: HistoryEvent;
  try {
    const output = await ctx.options.invoke(item.name, parseJsonText(item.input));
    event = newEvent(EventType.TaskCompleted, { TaskScheduledId: item.taskId, Result: toJsonText(output) });
    logInvocation(ctx, item.name, 'activity', item.instanceId, started, 'Succeeded');
  } catch (error) {
    event = newEvent(EventType.TaskFailed, {
      TaskScheduledId: item.taskId,
      ...failureFields(failureDetailsOf(error)),
    });
    logInvocation(ctx, item.name, 'activity', item.instanceId, started, 'Failed', error);
  }
  // A result that arrives after stop() is dropped; the work item stays queued and runs again on restart.
  if (ctx.isStopped()) return;
  const db = ctx.db;
  db.transaction(() => {
    db.deleteActivity(item.seq);
    db.enqueue('orchestration', item.instanceId, { type: 'Event', event }, Date.now(), item.executionId);
  });
}

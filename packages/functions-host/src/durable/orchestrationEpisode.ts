/**
 * An orchestration advances in *episodes*: the queued messages of one instance (activity results, timers,
 * external events, suspend/resume/terminate, ...) become new history events, the orchestrator replays the
 * whole history (replayEpisode.ts), and the new history, the instance status and all outgoing messages
 * commit in one transaction. Duplicate deliveries and replies to an earlier execution are dropped here.
 */
import { type EngineContext, logInvocation, notifyParentFailed } from './engineContext';
import { EventType, type HistoryEvent, newEvent, toJsonText } from './historyEvents';
import { replayEpisode } from './replayEpisode';
import { type OrchestrationMessage, type RuntimeStatus, TERMINAL_STATUSES } from './store';

export async function runOrchestrationEpisode(ctx: EngineContext, instanceId: string): Promise<void> {
  const db = ctx.db;
  const started = performance.now();
  const now = Date.now();
  const messages = db.visibleMessages<OrchestrationMessage>('orchestration', instanceId, now);
  if (messages.length === 0) return;
  const instance = db.getInstance(instanceId);
  const consumed: number[] = [];

  if (instance === undefined || TERMINAL_STATUSES.includes(instance.status)) {
    // Late replies for a purged or finished instance.
    db.transaction(() => db.deleteMessages(messages.map((m) => m.seq)));
    return;
  }

  const terminate = messages.find((m) => m.body.type === 'Terminate');
  if (terminate !== undefined && terminate.body.type === 'Terminate') {
    const reason = terminate.body.reason;
    db.transaction(() => {
      db.deleteMessages(messages.map((m) => m.seq));
      db.appendHistory(instanceId, [newEvent(EventType.ExecutionTerminated, { Input: toJsonText(reason) })]);
      db.putInstance({ ...instance, status: 'Terminated', output: toJsonText(reason), updatedAt: now });
      if (instance.parent !== null) {
        notifyParentFailed(ctx, instance.parent, `Instance '${instanceId}' was terminated: ${reason}`, now);
      }
    });
    logInvocation(ctx, instance.name, 'orchestration', instanceId, now, 'Terminated');
    return;
  }

  const history = db.getHistory(instanceId);
  const completedIds = new Set<number>();
  for (const e of history) {
    if (e.TaskScheduledId !== undefined) completedIds.add(e.TaskScheduledId);
    if (e.TimerId !== undefined) completedIds.add(e.TimerId);
  }
  const hasStarted = history.some((e) => e.EventType === EventType.ExecutionStarted);
  let status: RuntimeStatus = instance.status;
  /** Events the orchestrator replays, with the message each came from. */
  const newEvents: HistoryEvent[] = [];
  const eventSeqs: number[] = [];
  /** Suspend/resume markers: recorded in history even when nothing runs. */
  const controlEvents: HistoryEvent[] = [];
  const held: number[] = [];
  for (const message of messages) {
    const body = message.body;
    if (body.type === 'Resume') {
      consumed.push(message.seq);
      if (status === 'Suspended') {
        status = 'Running';
        held.length = 0; // parked in this batch: still visible, so the next episode takes them
        controlEvents.push(newEvent(EventType.ExecutionResumed, { Input: toJsonText(body.reason) }, now));
      }
      continue;
    }
    if (status === 'Suspended') {
      held.push(message.seq);
      continue;
    }
    if (body.type === 'Suspend') {
      consumed.push(message.seq);
      status = 'Suspended';
      controlEvents.push(newEvent(EventType.ExecutionSuspended, { Input: toJsonText(body.reason) }, now));
      continue;
    }
    if (body.type === 'ExecutionStarted') {
      if (!hasStarted && !newEvents.some((e) => e.EventType === EventType.ExecutionStarted)) {
        newEvents.push(
          newEvent(EventType.ExecutionStarted, { Name: body.name, Input: body.input ?? undefined }, now),
        );
        eventSeqs.push(message.seq);
      } else {
        consumed.push(message.seq);
      }
      continue;
    }
    if (body.type !== 'Event') {
      consumed.push(message.seq);
      continue;
    }
    const event = body.event;
    const taskId = event.TaskScheduledId ?? event.TimerId;
    const stale = message.executionId !== null && message.executionId !== instance.executionId;
    // Duplicate deliveries (at-least-once) and replies to an earlier execution are dropped.
    if (stale || (taskId !== undefined && completedIds.has(taskId))) {
      consumed.push(message.seq);
      continue;
    }
    if (taskId !== undefined) completedIds.add(taskId);
    newEvents.push(event);
    eventSeqs.push(message.seq);
  }

  const startedNow = newEvents.some((e) => e.EventType === EventType.ExecutionStarted);
  if (status === 'Suspended' || newEvents.length === 0 || (!hasStarted && !startedNow)) {
    // Nothing to run: events that arrived before a suspension wait with the others until resume.
    if (status === 'Suspended') held.push(...eventSeqs);
    else consumed.push(...eventSeqs); // (events for an instance that never started: dropped)
    db.transaction(() => {
      db.deleteMessages(consumed);
      db.holdMessages(held);
      if (controlEvents.length > 0) db.appendHistory(instanceId, controlEvents.map(played));
      if (status !== instance.status) db.putInstance({ ...instance, status, updatedAt: now });
    });
    return;
  }
  consumed.push(...eventSeqs);
  newEvents.unshift(...controlEvents);

  const outcome = await replayEpisode(ctx, instance, history, newEvents, now);
  if (ctx.isStopped()) return;
  db.transaction(() => {
    db.deleteMessages(consumed);
    if (outcome.resetHistory) db.clearHistory(instanceId);
    db.appendHistory(instanceId, outcome.newHistory.map(played));
    db.putInstance(outcome.instance);
    for (const send of outcome.outgoing) send();
  });
  ctx.work.record(instanceId, instance.name, 'orchestration', {
    historyEventsAppended: outcome.newHistory.length,
    eventsReplayed: history.length + newEvents.length,
    ms: performance.now() - started,
  });
}

function played(event: HistoryEvent): HistoryEvent {
  return { ...event, IsPlayed: true };
}

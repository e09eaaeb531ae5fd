/**
 * Turns a task the orchestrator scheduled in this episode into its history event (TaskScheduled,
 * TimerCreated, SubOrchestrationInstanceCreated, EventSent) and the message that carries it out once the
 * episode commits: an activity work item, a timer (a message visible at its due time; retry delays are
 * timers too), a child instance, or an entity operation.
 */
import { randomUUID } from 'node:crypto';

import { createInstance, type EngineContext, entityFunctionName, kindOf } from './engineContext';
import { parseEntityInstanceId } from './entityInstanceId';
import { EventType, failureFields, type HistoryEvent, newEvent, toJsonText } from './historyEvents';
import { type ScheduledTask } from './replayActions';
import { type EntityMessage, type InstanceRow, TERMINAL_STATUSES } from './store';

/** The history event recording a newly scheduled task, plus the message that carries it out. */
export function scheduleTask(
  ctx: EngineContext,
  instance: InstanceRow,
  task: ScheduledTask,
  now: number,
  outgoing: Array<() => void>,
): HistoryEvent {
  const { instanceId, executionId } = instance;
  const replyToSelf = (event: HistoryEvent, at = now): void =>
    ctx.db.enqueue('orchestration', instanceId, { type: 'Event', event }, at, executionId);
  switch (task.kind) {
    case 'activity': {
      const input = toJsonText(task.input);
      if (kindOf(ctx, task.name) !== 'activity') {
        const details = {
          ErrorType: 'FunctionNotFound',
          ErrorMessage: `Function '${task.name}' does not exist`,
        };
        outgoing.push(() =>
          replyToSelf(
            newEvent(EventType.TaskFailed, { TaskScheduledId: task.id, ...failureFields(details) }),
          ),
        );
      } else {
        outgoing.push(() =>
          ctx.db.enqueueActivity({ instanceId, executionId, taskId: task.id, name: task.name, input }),
        );
      }
      return newEvent(EventType.TaskScheduled, { EventId: task.id, Name: task.name, Input: input }, now);
    }
    case 'timer':
    case 'retryTimer': {
      const fireAt = task.kind === 'timer' ? task.fireAt : now + task.delayMs;
      const iso = new Date(fireAt).toISOString();
      outgoing.push(() =>
        replyToSelf(newEvent(EventType.TimerFired, { TimerId: task.id, FireAt: iso }), fireAt),
      );
      return newEvent(EventType.TimerCreated, { EventId: task.id, FireAt: iso }, now);
    }
    case 'subOrchestration': {
      const childId = task.instanceId ?? `${instanceId}:${task.id.toString(16).padStart(16, '0')}`;
      const input = task.input === undefined ? null : toJsonText(task.input);
      outgoing.push(() => {
        const fail = (message: string): void =>
          replyToSelf(
            newEvent(EventType.SubOrchestrationInstanceFailed, {
              TaskScheduledId: task.id,
              ...failureFields({ ErrorType: 'SubOrchestrationFailed', ErrorMessage: message }),
            }),
          );
        if (kindOf(ctx, task.name) !== 'orchestration') {
          fail(`Function '${task.name}' does not exist or is not an orchestrator function`);
          return;
        }
        const existing = ctx.db.getInstance(childId);
        if (existing !== undefined && !TERMINAL_STATUSES.includes(existing.status)) {
          fail(`An orchestration instance with ID '${childId}' already exists and is ${existing.status}`);
          return;
        }
        if (existing !== undefined) ctx.db.deleteInstance(childId);
        createInstance(ctx, childId, task.name, input, { instanceId, executionId, taskId: task.id }, now);
      });
      return newEvent(
        EventType.SubOrchestrationInstanceCreated,
        { EventId: task.id, Name: task.name, InstanceId: childId, Input: input ?? undefined },
        now,
      );
    }
    case 'entityCall':
    case 'entitySignal': {
      const requestId = randomUUID();
      const isCall = task.kind === 'entityCall';
      const input = task.input === undefined ? undefined : JSON.stringify(task.input);
      const request = { id: requestId, op: task.operation, signal: !isCall, input, parent: instanceId };
      const { name } = parseEntityInstanceId(task.entityId);
      outgoing.push(() => {
        if (isCall && entityFunctionName(ctx, name) === undefined) {
          const payload = {
            result: JSON.stringify(`Function '${name}' does not exist`),
            exceptionType: 'Error',
          };
          replyToSelf(newEvent(EventType.EventRaised, { Name: requestId, Input: JSON.stringify(payload) }));
          return;
        }
        const message: EntityMessage = {
          type: 'EntityOperation',
          requestId,
          operation: task.operation,
          input,
          caller: isCall ? { instanceId, executionId } : undefined,
        };
        ctx.db.enqueue('entity', task.entityId, message, now);
      });
      return newEvent(
        EventType.EventSent,
        {
          EventId: task.id,
          InstanceId: task.entityId,
          Name: task.operation,
          Input: JSON.stringify(request),
        },
        now,
      );
    }
  }
}

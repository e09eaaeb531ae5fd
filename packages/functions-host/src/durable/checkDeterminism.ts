/**
 * Non-determinism detection. The durable-functions wrapper does not check that a replay schedules what the
 * history says was scheduled before, so the engine compares the two: same task id, same kind, same name.
 */
import { NonDeterminismError } from './errors';
import { EventType, type HistoryEvent } from './historyEvents';
import { type ScheduledTask } from './replayActions';

export const SCHEDULING_EVENTS = new Set<number>([
  EventType.TaskScheduled,
  EventType.TimerCreated,
  EventType.SubOrchestrationInstanceCreated,
  EventType.EventSent,
]);

function describeTask(task: ScheduledTask): string {
  switch (task.kind) {
    case 'activity':
      return `activity '${task.name}'`;
    case 'subOrchestration':
      return `sub-orchestration '${task.name}'`;
    case 'timer':
    case 'retryTimer':
      return 'a timer';
    case 'entityCall':
      return `a call of operation '${task.operation}' on entity '${task.entityId}'`;
    case 'entitySignal':
      return `a signal of operation '${task.operation}' to entity '${task.entityId}'`;
  }
}

function describeHistoryEvent(event: HistoryEvent): string {
  switch (event.EventType) {
    case EventType.TaskScheduled:
      return `activity '${event.Name ?? ''}'`;
    case EventType.SubOrchestrationInstanceCreated:
      return `sub-orchestration '${event.Name ?? ''}'`;
    case EventType.TimerCreated:
      return 'a timer';
    default:
      return `an operation '${event.Name ?? ''}' on entity '${event.InstanceId ?? ''}'`;
  }
}

function matchesHistory(task: ScheduledTask, event: HistoryEvent): boolean {
  switch (task.kind) {
    case 'activity':
      return event.EventType === EventType.TaskScheduled && event.Name === task.name;
    case 'subOrchestration':
      return event.EventType === EventType.SubOrchestrationInstanceCreated && event.Name === task.name;
    case 'timer':
    case 'retryTimer':
      return event.EventType === EventType.TimerCreated;
    case 'entityCall':
    case 'entitySignal':
      return (
        event.EventType === EventType.EventSent &&
        event.InstanceId === task.entityId &&
        event.Name === task.operation
      );
  }
}

/** Compares what the replayed code scheduled with what history says it scheduled before. */
export function checkDeterminism(scheduled: ScheduledTask[], history: HistoryEvent[]): void {
  const byId = new Map<number, HistoryEvent>();
  for (const event of history) if (SCHEDULING_EVENTS.has(event.EventType)) byId.set(event.EventId, event);
  const produced = new Set<number>();
  for (const task of scheduled) {
    produced.add(task.id);
    const previous = byId.get(task.id);
    if (previous !== undefined && !matchesHistory(task, previous)) {
      throw new NonDeterminismError(
        `task ${task.id} was ${describeHistoryEvent(previous)} in the history, but the orchestrator now ` +
          `schedules ${describeTask(task)}. Was the orchestrator code changed while this instance was running?`,
      );
    }
  }
  for (const [id, event] of byId) {
    if (!produced.has(id)) {
      throw new NonDeterminismError(
        `a previous execution scheduled ${describeHistoryEvent(event)} as task ${id}, but the replayed ` +
          `orchestrator did not schedule it. Was the orchestrator code changed while this instance was running?`,
      );
    }
  }
}

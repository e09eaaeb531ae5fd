/**
 * One orchestration episode's replay: the orchestrator runs over the old history plus this episode's new
 * events, the actions it returns are mapped onto durable task ids (replayActions) and checked against what
 * the history says was scheduled before (checkDeterminism), and the episode's effects are worked out: the
 * new history, the instance row, and the messages to send once it all commits.
 */
import { randomUUID } from 'node:crypto';

import { checkDeterminism, SCHEDULING_EVENTS } from './checkDeterminism';
import { type EngineContext, kindOf, logInvocation, notifyParentFailed } from './engineContext';
import {
  errorMessageOf,
  EventType,
  type HistoryEvent,
  newEvent,
  type OrchestratorState,
  parseJsonText,
  type RawAction,
  toJsonText,
} from './historyEvents';
import { splitOutOfProcError } from './outOfProcData';
import { replayActions, type ReplayResult } from './replayActions';
import { scheduleTask } from './scheduleTask';
import { type InstanceRow, type OrchestrationMessage } from './store';

/** Replay schema V3: the newest one whose actions this engine understands (V4 adds entity locks). */
const REPLAY_SCHEMA_V3 = 2;
/**
 * Timers longer than this would be split by the SDK into a chain of shorter ones (LongTimerTask); the engine
 * persists timers of any length itself, so it sets a bound no timer reaches.
 */
const MAXIMUM_SHORT_TIMER = '36500.00:00:00';
const LONG_TIMER_INTERVAL = '3650.00:00:00';

export interface EpisodeOutcome {
  newHistory: HistoryEvent[];
  instance: InstanceRow;
  /** History replaced (continueAsNew). */
  resetHistory: boolean;
  outgoing: Array<() => void>;
}

function isOrchestratorState(value: unknown): value is OrchestratorState {
  return typeof value === 'object' && value !== null && Array.isArray((value as OrchestratorState).actions);
}

/** Runs the orchestrator over old + new history and works out the episode's effects. */
export async function replayEpisode(
  ctx: EngineContext,
  instance: InstanceRow,
  history: HistoryEvent[],
  newEvents: HistoryEvent[],
  now: number,
): Promise<EpisodeOutcome> {
  const instanceId = instance.instanceId;
  const episode = [newEvent(EventType.OrchestratorStarted, {}, now), ...newEvents];
  const fullHistory = [...history.map((e) => ({ ...e, IsPlayed: true })), ...episode];
  const running: InstanceRow = { ...instance, status: 'Running', updatedAt: now };
  const outgoing: Array<() => void> = [];
  const failWith = (message: string): EpisodeOutcome => {
    const output = toJsonText(`Orchestrator function '${instance.name}' failed: ${message}`);
    const failed: InstanceRow = { ...running, status: 'Failed', output };
    if (instance.parent !== null) {
      const parent = instance.parent;
      outgoing.push(() => notifyParentFailed(ctx, parent, message, now));
    }
    return {
      newHistory: [
        ...episode,
        newEvent(EventType.ExecutionFailed, { Reason: message }, now),
        newEvent(EventType.OrchestratorCompleted, {}, now),
      ],
      instance: failed,
      resetHistory: false,
      outgoing,
    };
  };

  if (kindOf(ctx, instance.name) !== 'orchestration') {
    logInvocation(ctx, instance.name, 'orchestration', instanceId, now, 'Failed');
    return failWith(`Function '${instance.name}' does not exist or is not an orchestrator function`);
  }

  let state: OrchestratorState;
  try {
    const result = await ctx.options.invoke(instance.name, {
      history: fullHistory,
      input: parseJsonText(instance.input),
      instanceId,
      isReplaying: history.length > 0,
      parentInstanceId: instance.parent?.instanceId,
      upperSchemaVersion: REPLAY_SCHEMA_V3,
      upperSchemaVersionNew: REPLAY_SCHEMA_V3,
      longRunningTimerIntervalDuration: LONG_TIMER_INTERVAL,
      maximumShortTimerDuration: MAXIMUM_SHORT_TIMER,
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    });
    if (!isOrchestratorState(result))
      throw new Error(`Function '${instance.name}' did not return an orchestrator state`);
    state = result;
  } catch (error) {
    const { message, state: failedState } = splitOutOfProcError(errorMessageOf(error));
    logInvocation(ctx, instance.name, 'orchestration', instanceId, now, 'Failed', error);
    const outcome = failWith(message);
    if (failedState?.customStatus !== undefined) {
      outcome.instance.customStatus = toJsonText(failedState.customStatus);
    }
    return outcome;
  }

  let replayed: ReplayResult;
  try {
    const actions: RawAction[] = state.actions.flat();
    replayed = replayActions(actions, fullHistory);
    checkDeterminism(replayed.scheduled, history);
  } catch (error) {
    logInvocation(ctx, instance.name, 'orchestration', instanceId, now, 'Failed', error);
    return failWith(errorMessageOf(error));
  }
  if (state.customStatus !== undefined) running.customStatus = toJsonText(state.customStatus);

  const scheduledBefore = new Set(
    history.filter((e) => SCHEDULING_EVENTS.has(e.EventType)).map((e) => e.EventId),
  );
  const fresh = replayed.scheduled.filter((task) => !scheduledBefore.has(task.id));
  const newHistory = [...episode];

  if (state.isDone) {
    // Signals sent before returning still go out; anything else scheduled now would never be awaited.
    for (const task of fresh)
      if (task.kind === 'entitySignal') newHistory.push(scheduleTask(ctx, running, task, now, outgoing));
    newHistory.push(newEvent(EventType.OrchestratorCompleted, {}, now));
    if (replayed.continueAsNew !== undefined) {
      const input =
        replayed.continueAsNew.input === undefined ? null : toJsonText(replayed.continueAsNew.input);
      const next: InstanceRow = { ...running, executionId: randomUUID(), input, output: null };
      const carried = replayed.unconsumedEvents;
      outgoing.push(() => {
        const started: OrchestrationMessage = {
          type: 'ExecutionStarted',
          name: instance.name,
          input,
          parent: instance.parent,
        };
        ctx.db.enqueue('orchestration', instanceId, started, now);
        for (const event of carried) {
          ctx.db.enqueue(
            'orchestration',
            instanceId,
            { type: 'Event', event: { ...event, IsPlayed: false } },
            now,
          );
        }
      });
      logInvocation(ctx, instance.name, 'orchestration', instanceId, now, 'ContinuedAsNew');
      return { newHistory: [], instance: next, resetHistory: true, outgoing };
    }
    const output = toJsonText(state.output);
    const completed: InstanceRow = { ...running, status: 'Completed', output };
    newHistory.push(newEvent(EventType.ExecutionCompleted, { Result: output }, now));
    if (instance.parent !== null) {
      const parent = instance.parent;
      outgoing.push(() => {
        const event = newEvent(EventType.SubOrchestrationInstanceCompleted, {
          TaskScheduledId: parent.taskId,
          Result: output,
        });
        ctx.db.enqueue('orchestration', parent.instanceId, { type: 'Event', event }, now, parent.executionId);
      });
    }
    logInvocation(ctx, instance.name, 'orchestration', instanceId, now, 'Completed');
    return { newHistory, instance: completed, resetHistory: false, outgoing };
  }

  for (const task of fresh) newHistory.push(scheduleTask(ctx, running, task, now, outgoing));
  newHistory.push(newEvent(EventType.OrchestratorCompleted, {}, now));
  logInvocation(ctx, instance.name, 'orchestration', instanceId, now, 'Running');
  return { newHistory, instance: running, resetHistory: false, outgoing };
}

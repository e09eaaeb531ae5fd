/**
 * Maps the actions an orchestrator episode returned onto task ids, exactly as the durable-functions wrapper
 * numbers its tasks.
 *
 * The wrapper returns *all* actions the user code scheduled since the execution started, in yield order,
 * but not the ids it gave them; completions must carry those ids. Ids are handed out as leaf tasks are first
 * tracked, and a retrying task consumes further ids (timer, attempt, timer, ...) at the moment a failure or a
 * retry timer is processed, i.e. interleaved with history. So the ids are reproduced by replaying the same
 * history through a shadow of the wrapper's task tree, with the action list standing in for user code: each
 * time the task the code is blocked on completes, the next action is what it yielded.
 */
import {
  ActionType,
  EventType,
  type HistoryEvent,
  type RawAction,
  type RawRetryOptions,
} from './historyEvents';

/**
 * The durable-functions version whose task numbering (TaskOrchestrationExecutor, TaskBase, RetryableTask,
 * WhenAllTask/WhenAnyTask) this file reproduces. package.json pins durable-functions to exactly this
 * version, and test/unit/replayActions.version.test.ts fails when the installed one differs.
 */
export const REPLAY_FOLLOWS_DURABLE_FUNCTIONS = '3.5.0';

/** A leaf task that needs the engine to do something, with the id the wrapper gave it. */
export type ScheduledTask =
  | { kind: 'activity'; id: number; name: string; input: unknown }
  | { kind: 'subOrchestration'; id: number; name: string; instanceId?: string; input: unknown }
  | { kind: 'timer'; id: number; fireAt: number }
  | { kind: 'retryTimer'; id: number; delayMs: number }
  | { kind: 'entityCall'; id: number; entityId: string; operation: string; input: unknown }
  | { kind: 'entitySignal'; id: number; entityId: string; operation: string; input: unknown };

export interface ReplayResult {
  scheduled: ScheduledTask[];
  /** External events that arrived but no wait consumed (kept across continueAsNew). */
  unconsumedEvents: HistoryEvent[];
  /** ContinueAsNew input (already decoded) when the code called continueAsNew. */
  continueAsNew?: { input: unknown };
}

export class UnsupportedActionError extends Error {
  constructor(action: string) {
    super(`The local durable engine does not support the '${action}' action`);
    this.name = 'UnsupportedActionError';
  }
}

type TaskState = 'running' | 'completed' | 'failed';
type TaskKind = 'leaf' | 'all' | 'any' | 'retry';

interface RetryTemplate {
  kind: 'activity' | 'subOrchestration';
  name: string;
  instanceId?: string;
  input: unknown;
  options: RawRetryOptions;
}

class ShadowTask {
  id: number | string | false = false;
  state: TaskState = 'running';
  parent: ShadowTask | undefined;
  readonly children: ShadowTask[] = [];
  // Retry bookkeeping, mirroring RetryableTask.
  attemptNumber = 1;
  waitingOnTimer = false;
  isEntityCall = false;

  constructor(
    readonly kind: TaskKind,
    /** Builds the ScheduledTask once the id is known; undefined for external-event waits. */
    readonly describe: ((id: number) => ScheduledTask) | undefined,
    readonly retry?: RetryTemplate,
  ) {}
}

/** The SDK JSON-encodes string inputs of activities and continueAsNew (Utils.processInput). */
function decodeProcessedInput(input: unknown): unknown {
  return typeof input === 'string' ? (JSON.parse(input) as unknown) : input;
}

function fireAtMillis(value: string | Date | undefined): number {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value ?? '');
  if (Number.isNaN(ms)) throw new Error(`CreateTimer action has an invalid fireAt: ${String(value)}`);
  return ms;
}

export function retryDelayMs(options: RawRetryOptions, failedAttempt: number): number {
  const first = options.firstRetryIntervalInMilliseconds ?? 1000;
  const backoff = options.backoffCoefficient ?? 1;
  const delay = first * Math.pow(backoff, failedAttempt - 1);
  const max = options.maxRetryIntervalInMilliseconds;
  return max !== undefined && max > 0 ? Math.min(delay, max) : delay;
}

export function replayActions(actions: RawAction[], history: HistoryEvent[]): ReplayResult {
  return new ActionReplayer(actions).run(history);
}

class ActionReplayer {
  private sequence = 0;
  private readonly openTasks = new Map<number | string, ShadowTask>();
  private readonly openEvents = new Map<string, ShadowTask[]>();
  private readonly deferred = new Map<number | string, HistoryEvent[]>();
  private current: ShadowTask | undefined;
  private next = 0;
  private readonly scheduled: ScheduledTask[] = [];
  private continueAsNew: { input: unknown } | undefined;

  constructor(private readonly actions: RawAction[]) {}

  run(history: HistoryEvent[]): ReplayResult {
    for (const event of history) {
      switch (event.EventType) {
        case EventType.ExecutionStarted:
          this.resume();
          break;
        case EventType.EventSent: {
          const task = this.openTasks.get(event.EventId);
          if (task?.isEntityCall && event.Input !== undefined) {
            const request = JSON.parse(event.Input) as { id: string };
            this.openTasks.delete(event.EventId);
            this.openTasks.set(request.id, task);
          }
          break;
        }
        case EventType.TaskCompleted:
        case EventType.SubOrchestrationInstanceCompleted:
          this.complete(event, event.TaskScheduledId, true);
          this.resume();
          break;
        case EventType.TaskFailed:
        case EventType.SubOrchestrationInstanceFailed:
          this.complete(event, event.TaskScheduledId, false);
          this.resume();
          break;
        case EventType.TimerFired:
          this.complete(event, event.TimerId, true);
          this.resume();
          break;
        case EventType.EventRaised:
          this.complete(event, event.Name, true);
          this.resume();
          break;
        default:
          break;
      }
    }
    const unconsumedEvents: HistoryEvent[] = [];
    for (const events of this.deferred.values()) {
      unconsumedEvents.push(...events.filter((e) => e.EventType === EventType.EventRaised));
    }
    return { scheduled: this.scheduled, unconsumedEvents, continueAsNew: this.continueAsNew };
  }

  /** Mirrors tryResumingUserCode: while the code is not blocked, the next action is what it did next. */
  private resume(): void {
    while (this.current === undefined || this.current.state !== 'running') {
      const action = this.actions[this.next];
      if (action === undefined || this.continueAsNew !== undefined) return;
      this.next++;
      if (action.actionType === ActionType.SignalEntity) {
        const id = this.sequence++;
        this.scheduled.push({
          kind: 'entitySignal',
          id,
          entityId: action.instanceId ?? '',
          operation: action.operation ?? '',
          input: action.input,
        });
        continue;
      }
      if (action.actionType === ActionType.ContinueAsNew) {
        this.continueAsNew = { input: decodeProcessedInput(action.input) };
        return;
      }
      const task = this.build(action);
      this.current = task;
      this.track(task);
    }
  }

  private build(action: RawAction): ShadowTask {
    switch (action.actionType) {
      case ActionType.CallActivity: {
        const name = action.functionName ?? '';
        const input = decodeProcessedInput(action.input);
        return new ShadowTask('leaf', (id) => ({ kind: 'activity', id, name, input }));
      }
      case ActionType.CallSubOrchestrator: {
        const name = action.functionName ?? '';
        const { instanceId, input } = action;
        return new ShadowTask('leaf', (id) => ({ kind: 'subOrchestration', id, name, instanceId, input }));
      }
      case ActionType.CallActivityWithRetry:
      case ActionType.CallSubOrchestratorWithRetry: {
        const isActivity = action.actionType === ActionType.CallActivityWithRetry;
        const template: RetryTemplate = {
          kind: isActivity ? 'activity' : 'subOrchestration',
          name: action.functionName ?? '',
          instanceId: action.instanceId,
          input: isActivity ? decodeProcessedInput(action.input) : action.input,
          options: action.retryOptions ?? {},
        };
        const retry = new ShadowTask('retry', undefined, template);
        const first = new ShadowTask('leaf', (id) => this.attempt(template, id));
        first.parent = retry;
        retry.children.push(first);
        return retry;
      }
      case ActionType.CreateTimer: {
        const fireAt = fireAtMillis(action.fireAt);
        return new ShadowTask('leaf', (id) => ({ kind: 'timer', id, fireAt }));
      }
      case ActionType.WaitForExternalEvent: {
        const task = new ShadowTask('leaf', undefined);
        task.id = action.externalEventName ?? '';
        return task;
      }
      case ActionType.CallEntity: {
        const entityId = action.instanceId ?? '';
        const operation = action.operation ?? '';
        const input = action.input;
        const task = new ShadowTask('leaf', (id) => ({ kind: 'entityCall', id, entityId, operation, input }));
        task.isEntityCall = true;
        return task;
      }
      case ActionType.WhenAll:
      case ActionType.WhenAny: {
        const compound = new ShadowTask(action.actionType === ActionType.WhenAll ? 'all' : 'any', undefined);
        for (const child of action.compoundActions ?? []) {
          const childTask = this.build(child);
          childTask.parent = compound;
          compound.children.push(childTask);
        }
        return compound;
      }
      case ActionType.CallHttp:
        throw new UnsupportedActionError('callHttp');
      case ActionType.LockEntities:
      case ActionType.ReleaseEntities:
        throw new UnsupportedActionError('lock (critical sections)');
      default:
        throw new UnsupportedActionError(`actionType ${action.actionType}`);
    }
  }

  private attempt(template: RetryTemplate, id: number): ScheduledTask {
    return template.kind === 'activity'
      ? { kind: 'activity', id, name: template.name, input: template.input }
      : {
          kind: 'subOrchestration',
          id,
          name: template.name,
          instanceId: template.instanceId,
          input: template.input,
        };
  }

  /** Mirrors trackOpenTask: leaves get the next id in order; waits are keyed by event name. */
  private track(task: ShadowTask): void {
    if (task.kind !== 'leaf') {
      for (const child of task.children) this.track(child);
      return;
    }
    if (task.id === false) {
      const id = this.sequence++;
      task.id = id;
      this.openTasks.set(id, task);
      if (task.describe) this.scheduled.push(task.describe(id));
    } else if (typeof task.id === 'string') {
      const list = this.openEvents.get(task.id) ?? [];
      list.push(task);
      this.openEvents.set(task.id, list);
    }
    const queue = this.deferred.get(task.id);
    const event = queue?.shift();
    if (queue !== undefined && queue.length === 0) this.deferred.delete(task.id);
    if (event !== undefined) this.complete(event, task.id, isSuccessEvent(event));
  }

  private complete(event: HistoryEvent, key: number | string | undefined, success: boolean): void {
    if (key === undefined) return;
    let task = this.openTasks.get(key);
    if (task !== undefined) {
      this.openTasks.delete(key);
    } else {
      const waits = this.openEvents.get(String(key));
      task = waits?.pop();
      if (waits !== undefined && waits.length === 0) this.openEvents.delete(String(key));
    }
    if (task === undefined) {
      const queue = this.deferred.get(key) ?? [];
      queue.push(event);
      this.deferred.set(key, queue);
      return;
    }
    this.settle(task, success);
  }

  private settle(task: ShadowTask, success: boolean): void {
    task.state = success ? 'completed' : 'failed';
    const parent = task.parent;
    if (parent !== undefined) this.childSettled(parent, task);
  }

  private childSettled(parent: ShadowTask, child: ShadowTask): void {
    switch (parent.kind) {
      case 'all':
        if (child.state === 'completed') {
          if (parent.children.every((c) => c.state === 'completed')) this.settle(parent, true);
        } else if (parent.state === 'running') {
          this.settle(parent, false);
        }
        break;
      case 'any':
        if (parent.state === 'running') this.settle(parent, true);
        break;
      case 'retry':
        this.retryChildSettled(parent, child);
        break;
      default:
        break;
    }
  }

  /** Mirrors RetryableTask.trySetValue: failure → timer task; timer fired → next attempt or final failure. */
  private retryChildSettled(retry: ShadowTask, child: ShadowTask): void {
    const template = retry.retry;
    if (template === undefined) return;
    const maxAttempts = template.options.maxNumberOfAttempts ?? 1;
    if (retry.waitingOnTimer) {
      retry.waitingOnTimer = false;
      if (retry.attemptNumber > maxAttempts) {
        this.settle(retry, false);
      } else {
        this.addRetryChild(retry, new ShadowTask('leaf', (id) => this.attempt(template, id)));
      }
    } else if (child.state === 'completed') {
      this.settle(retry, true);
    } else {
      const failedAttempt = retry.attemptNumber;
      retry.waitingOnTimer = true;
      retry.attemptNumber++;
      // After the last attempt the wrapper still waits for a timer before failing; make that one immediate.
      const delayMs = retry.attemptNumber > maxAttempts ? 0 : retryDelayMs(template.options, failedAttempt);
      this.addRetryChild(retry, new ShadowTask('leaf', (id) => ({ kind: 'retryTimer', id, delayMs })));
    }
  }

  private addRetryChild(retry: ShadowTask, child: ShadowTask): void {
    child.parent = retry;
    retry.children.push(child);
    this.track(child);
  }
}

function isSuccessEvent(event: HistoryEvent): boolean {
  return (
    event.EventType !== EventType.TaskFailed && event.EventType !== EventType.SubOrchestrationInstanceFailed
  );
}

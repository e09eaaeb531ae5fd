/**
 * The local durable engine: runs orchestrations, activities and entities of a Functions app by driving the
 * real durable-functions wrappers through the host's DurableInvoker, and keeps every bit of state in a
 * SQLite store so that a killed host resumes all instances on restart.
 *
 * An orchestration advances in *episodes*: the queued messages of one instance (activity results, timers,
 * external events, ...) become new history events, the orchestrator replays the whole history, and the new
 * history, the instance status and all outgoing messages commit in one transaction. Work that was running
 * when the process died is simply picked up again (activities are therefore at-least-once, as on Azure).
 */
import { randomUUID } from 'node:crypto';

import { checkDeterminism, SCHEDULING_EVENTS } from './checkDeterminism';
import {
  type DurableEngineApi,
  type DurableEngineOptions,
  type DurableFunctionKind,
  type ManagementRequest,
  type ManagementResponse,
} from './contract';
import { checkStatusPayload, durableClientBinding } from './durableClientBinding';
import { entityInstanceId, parseEntityInstanceId } from './entityInstanceId';
import {
  InstanceExistsError,
  InstanceGoneError,
  InstanceNotFailedError,
  InstanceNotFoundError,
  UnknownFunctionError,
} from './errors';
import {
  asErrorLike,
  errorMessageOf,
  EventType,
  failureDetailsOf,
  failureFields,
  type HistoryEvent,
  newEvent,
  type OrchestratorState,
  parseJsonText,
  type RawAction,
  toJsonText,
} from './historyEvents';
import { handleManagement } from './management';
import { replayActions, type ReplayResult, type ScheduledTask } from './replayActions';
import {
  type ActivityWorkItem,
  DurableStore,
  type EntityMessage,
  type EntityRow,
  type InstanceQuery,
  type InstanceRow,
  type OrchestrationMessage,
  type ParentRef,
  type QueuedMessage,
  type RuntimeStatus,
  TERMINAL_STATUSES,
} from './store';

const OUT_OF_PROC_LABEL = '$OutOfProcData$:';
/** Replay schema V3: the newest one whose actions this engine understands (V4 adds entity locks). */
const REPLAY_SCHEMA_V3 = 2;
/**
 * Timers longer than this would be split by the SDK into a chain of shorter ones (LongTimerTask); the engine
 * persists timers of any length itself, so it sets a bound no timer reaches.
 */
const MAXIMUM_SHORT_TIMER = '36500.00:00:00';
const LONG_TIMER_INTERVAL = '3650.00:00:00';
const STOP_GRACE_MS = 5000;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface StartOptions {
  instanceId?: string;
  /** JSON text of the input ('' or undefined for none). */
  input?: string;
}

interface EpisodeOutcome {
  newHistory: HistoryEvent[];
  instance: InstanceRow;
  /** History replaced (continueAsNew). */
  resetHistory: boolean;
  outgoing: Array<() => void>;
}

/** Splits the wrapper's error into the user's message and the embedded orchestrator state. */
function parseOrchestratorError(error: unknown): { message: string; state: OrchestratorState | undefined } {
  const text = errorMessageOf(error);
  const at = text.indexOf(OUT_OF_PROC_LABEL);
  if (at < 0) return { message: text, state: undefined };
  let state: OrchestratorState | undefined;
  try {
    state = JSON.parse(text.slice(at + OUT_OF_PROC_LABEL.length)) as OrchestratorState;
  } catch {
    state = undefined;
  }
  // The wrapper puts `orchestratorReturned` (a boolean) before the label, so the real message is state.error.
  const message =
    typeof state?.error === 'string' && state.error !== '' ? state.error : text.slice(0, at).trim();
  return { message, state };
}

function isOrchestratorState(value: unknown): value is OrchestratorState {
  return typeof value === 'object' && value !== null && Array.isArray((value as OrchestratorState).actions);
}

function errorName(error: unknown): string {
  return asErrorLike(error)?.name ?? typeof error;
}

export class DurableEngine implements DurableEngineApi {
  private store: DurableStore | undefined;
  private readonly maxActivities: number;
  private readonly maxOrchestrations: number;
  private readonly inflightOrchestrations = new Set<string>();
  private readonly inflightEntities = new Set<string>();
  private readonly inflightActivities = new Set<number>();
  private readonly running = new Set<Promise<void>>();
  private pumpQueued = false;
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt: number | undefined;
  private stopping = false;
  private readonly changeListeners = new Set<() => void>();

  constructor(private readonly options: DurableEngineOptions) {
    this.maxActivities = Math.max(1, options.maxConcurrentActivityFunctions ?? 10);
    this.maxOrchestrations = Math.max(1, options.maxConcurrentOrchestratorFunctions ?? 10);
  }

  // ---------------------------------------------------------------------------------------------------
  // Lifecycle

  start(): Promise<void> {
    this.store = new DurableStore(this.options.databaseFile);
    this.stopping = false;
    this.wake();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const pending = Promise.allSettled([...this.running]);
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([pending, new Promise((resolve) => (grace = setTimeout(resolve, STOP_GRACE_MS)))]);
    if (grace !== undefined) clearTimeout(grace);
    this.store?.close();
    this.store = undefined;
  }

  private get db(): DurableStore {
    if (this.store === undefined) throw new Error('The durable engine is not started');
    return this.store;
  }

  // ---------------------------------------------------------------------------------------------------
  // Client binding and management API

  clientBinding(origin: string): Record<string, unknown> {
    return durableClientBinding(origin, this.options.taskHubName, this.options.managementKey);
  }

  /** The check-status payload (`createCheckStatusResponse` shape) for one instance. */
  checkStatusPayload(origin: string, instanceId: string): Record<string, string> {
    return checkStatusPayload(origin, this.options.taskHubName, instanceId, this.options.managementKey);
  }

  handleManagementRequest(req: ManagementRequest): Promise<ManagementResponse | undefined> {
    return Promise.resolve(handleManagement(this, req));
  }

  // ---------------------------------------------------------------------------------------------------
  // Client operations (used by the management API and by tests)

  private kindOf(name: string): DurableFunctionKind | undefined {
    return this.options.functions.get(name);
  }

  private entityFunctionName(name: string): string | undefined {
    for (const [fn, kind] of this.options.functions) {
      if (kind === 'entity' && fn.toLowerCase() === name.toLowerCase()) return fn;
    }
    return undefined;
  }

  /** Schedules a new orchestration; an existing instance id may be reused only once it has finished. */
  startNew(name: string, options: StartOptions = {}): string {
    if (this.kindOf(name) !== 'orchestration') throw new UnknownFunctionError(name, 'an orchestrator');
    const instanceId = options.instanceId ?? randomUUID().replaceAll('-', '');
    const input = options.input === undefined || options.input === '' ? null : options.input;
    const now = Date.now();
    this.db.transaction(() => {
      const existing = this.db.getInstance(instanceId);
      if (existing !== undefined && !TERMINAL_STATUSES.includes(existing.status)) {
        throw new InstanceExistsError(instanceId, existing.status);
      }
      if (existing !== undefined) this.db.deleteInstance(instanceId);
      this.createInstance(instanceId, name, input, null, now);
    });
    this.wake();
    return instanceId;
  }

  private createInstance(
    instanceId: string,
    name: string,
    input: string | null,
    parent: ParentRef | null,
    now: number,
  ): void {
    this.db.putInstance({
      instanceId,
      name,
      executionId: randomUUID(),
      status: 'Pending',
      input,
      output: null,
      customStatus: null,
      createdAt: now,
      updatedAt: now,
      parent,
    });
    const started: OrchestrationMessage = { type: 'ExecutionStarted', name, input, parent };
    this.db.enqueue('orchestration', instanceId, started, now);
  }

  getInstance(instanceId: string): InstanceRow | undefined {
    return this.db.getInstance(instanceId);
  }

  getHistory(instanceId: string): HistoryEvent[] {
    return this.db.getHistory(instanceId);
  }

  queryInstances(query: InstanceQuery): InstanceRow[] {
    return this.db.queryInstances(query);
  }

  private requireActive(instanceId: string): InstanceRow {
    const instance = this.db.getInstance(instanceId);
    if (instance === undefined) throw new InstanceNotFoundError(instanceId);
    if (TERMINAL_STATUSES.includes(instance.status)) throw new InstanceGoneError(instanceId, instance.status);
    return instance;
  }

  /** Delivers an external event (JSON text) to an instance; buffered until the orchestrator waits for it. */
  raiseEvent(instanceId: string, eventName: string, data: string): void {
    this.db.transaction(() => {
      this.requireActive(instanceId);
      const event = newEvent(EventType.EventRaised, { Name: eventName, Input: data === '' ? 'null' : data });
      this.db.enqueue(
        'orchestration',
        instanceId,
        { type: 'Event', event } satisfies OrchestrationMessage,
        Date.now(),
      );
    });
    this.wake();
  }

  control(instanceId: string, type: 'Terminate' | 'Suspend' | 'Resume', reason: string): void {
    this.db.transaction(() => {
      this.requireActive(instanceId);
      const now = Date.now();
      if (type !== 'Suspend') this.db.releaseHeldMessages('orchestration', instanceId, now);
      this.db.enqueue('orchestration', instanceId, { type, reason } satisfies OrchestrationMessage, now);
    });
    this.wake();
  }

  /**
   * Rewinds a failed instance: its failing episode is undone, the activities whose failures it processed run
   * again (failed sub-orchestrations are rewound too), and every other event of that episode is delivered
   * anew. A retry policy that was already exhausted is not reset.
   */
  rewind(instanceId: string, reason: string): void {
    this.db.transaction(() => this.rewindLocked(instanceId, reason));
    this.wake();
  }

  private rewindLocked(instanceId: string, reason: string): void {
    const instance = this.db.getInstance(instanceId);
    if (instance === undefined) throw new InstanceNotFoundError(instanceId);
    if (instance.status !== 'Failed') throw new InstanceNotFailedError(instanceId, instance.status);
    const now = Date.now();
    const history = this.db.getHistory(instanceId);
    let cut = history.length;
    while (cut > 0 && history[cut - 1]?.EventType !== EventType.OrchestratorStarted) cut--;
    const kept = history.slice(0, Math.max(0, cut - 1));
    const undone = history.slice(cut);
    const { executionId } = instance;
    const scheduledBy = (id: number | undefined, type: number): HistoryEvent | undefined =>
      kept.find((e) => e.EventType === type && e.EventId === id);
    for (const event of undone) {
      const redeliver = (): void =>
        this.db.enqueue('orchestration', instanceId, { type: 'Event', event }, now, executionId);
      switch (event.EventType) {
        case EventType.ExecutionStarted:
          this.db.enqueue(
            'orchestration',
            instanceId,
            { type: 'ExecutionStarted', name: instance.name, input: instance.input, parent: instance.parent },
            now,
          );
          break;
        case EventType.TaskFailed: {
          const scheduled = scheduledBy(event.TaskScheduledId, EventType.TaskScheduled);
          if (scheduled?.Name !== undefined && this.kindOf(scheduled.Name) === 'activity') {
            this.db.enqueueActivity({
              instanceId,
              executionId,
              taskId: scheduled.EventId,
              name: scheduled.Name,
              input: scheduled.Input ?? 'null',
            });
          } else {
            redeliver();
          }
          break;
        }
        case EventType.SubOrchestrationInstanceFailed: {
          const created = scheduledBy(event.TaskScheduledId, EventType.SubOrchestrationInstanceCreated);
          const child =
            created?.InstanceId === undefined ? undefined : this.db.getInstance(created.InstanceId);
          if (child?.status === 'Failed') this.rewindLocked(child.instanceId, reason);
          else redeliver();
          break;
        }
        case EventType.TaskCompleted:
        case EventType.TimerFired:
        case EventType.EventRaised:
        case EventType.SubOrchestrationInstanceCompleted:
          redeliver();
          break;
        default:
          break;
      }
    }
    this.db.clearHistory(instanceId);
    this.db.appendHistory(instanceId, kept);
    this.db.putInstance({ ...instance, status: 'Running', output: null, updatedAt: now });
    this.options.logger.info('Rewound a failed orchestration', { instanceId, function: instance.name });
  }

  purge(instanceId: string): number {
    return this.db.deleteInstance(instanceId) ? 1 : 0;
  }

  purgeBy(query: InstanceQuery): number {
    const statuses = query.runtimeStatus?.length ? query.runtimeStatus : TERMINAL_STATUSES;
    let deleted = 0;
    this.db.transaction(() => {
      for (const row of this.db.queryInstances({ ...query, runtimeStatus: [...statuses] })) {
        if (this.db.deleteInstance(row.instanceId)) deleted++;
      }
    });
    return deleted;
  }

  signalEntity(name: string, key: string, operation: string, input: string | undefined): void {
    const message: EntityMessage = {
      type: 'EntityOperation',
      requestId: randomUUID(),
      operation,
      input: input === '' ? undefined : input,
      caller: undefined,
    };
    this.db.transaction(() => this.db.enqueue('entity', entityInstanceId(name, key), message, Date.now()));
    this.wake();
  }

  readEntity(name: string, key: string): EntityRow | undefined {
    const row = this.db.getEntity(entityInstanceId(name, key));
    return row?.exists ? row : undefined;
  }

  /** Resolves once `predicate` holds, re-checked after every committed change (tests and tools). */
  waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const timeout = setTimeout(() => {
        cleanup();
        reject(new Error(`Condition not reached within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timeout);
        this.changeListeners.delete(check);
      };
      this.changeListeners.add(check);
      check();
    });
  }

  // ---------------------------------------------------------------------------------------------------
  // Dispatch

  private wake(): void {
    if (this.pumpQueued || this.stopping) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private notifyChange(): void {
    for (const listener of [...this.changeListeners]) listener();
  }

  private track(id: string, work: () => Promise<void>, done: () => void): void {
    const promise = work()
      .catch((error: unknown) => {
        this.options.logger.error('Durable engine work item failed unexpectedly', {
          id,
          error: String(error),
        });
      })
      .finally(() => {
        done();
        this.running.delete(promise);
        this.notifyChange();
        this.wake();
      });
    this.running.add(promise);
  }

  private pump(): void {
    if (this.stopping || this.store === undefined) return;
    const now = Date.now();
    const db = this.store;

    const orchestrationSlots = this.maxOrchestrations - this.inflightOrchestrations.size;
    if (orchestrationSlots > 0) {
      const ready = db.readyTargets(
        'orchestration',
        now,
        orchestrationSlots + this.inflightOrchestrations.size,
      );
      for (const instanceId of ready
        .filter((id) => !this.inflightOrchestrations.has(id))
        .slice(0, orchestrationSlots)) {
        this.inflightOrchestrations.add(instanceId);
        this.track(
          instanceId,
          () => this.runOrchestrationEpisode(instanceId),
          () => this.inflightOrchestrations.delete(instanceId),
        );
      }
    }

    // Entities share the orchestrator limit: on Azure they run on the same orchestration dispatcher.
    const entitySlots = this.maxOrchestrations - this.inflightEntities.size;
    if (entitySlots > 0) {
      const ready = db.readyTargets('entity', now, entitySlots + this.inflightEntities.size);
      for (const entityId of ready.filter((id) => !this.inflightEntities.has(id)).slice(0, entitySlots)) {
        this.inflightEntities.add(entityId);
        this.track(
          entityId,
          () => this.runEntityBatch(entityId),
          () => this.inflightEntities.delete(entityId),
        );
      }
    }

    const activitySlots = this.maxActivities - this.inflightActivities.size;
    if (activitySlots > 0) {
      const items = db.pendingActivities(activitySlots + this.inflightActivities.size);
      for (const item of items.filter((i) => !this.inflightActivities.has(i.seq)).slice(0, activitySlots)) {
        this.inflightActivities.add(item.seq);
        this.track(
          `activity ${item.name}`,
          () => this.runActivity(item),
          () => this.inflightActivities.delete(item.seq),
        );
      }
    }

    this.armTimer(db.nextVisibleAt(now), now);
  }

  /** One setTimeout for the earliest future message (durable timers, retry delays). */
  private armTimer(dueAt: number | undefined, now: number): void {
    if (dueAt === undefined || (this.timer !== undefined && this.timerDueAt === dueAt)) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerDueAt = dueAt;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerDueAt = undefined;
        this.wake();
      },
      Math.min(MAX_TIMEOUT_MS, Math.max(0, dueAt - now + 1)),
    );
  }

  private log(
    functionName: string,
    kind: DurableFunctionKind,
    id: string,
    started: number,
    outcome: string,
    error?: unknown,
  ): void {
    const fields: Record<string, unknown> = {
      function: functionName,
      kind,
      instanceId: id,
      durationMs: Date.now() - started,
      outcome,
    };
    // The error's type only: messages may quote inputs (the failure itself is in the instance's status).
    if (error !== undefined) fields.errorType = errorName(error);
    if (outcome === 'Succeeded' || outcome === 'Completed' || outcome === 'Running') {
      this.options.logger.info(`Executed '${functionName}' (${outcome})`, fields);
    } else {
      this.options.logger.warn(`Executed '${functionName}' (${outcome})`, fields);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Activities

  private async runActivity(item: ActivityWorkItem): Promise<void> {
    const started = Date.now();
    let event: HistoryEvent;
    try {
      const output = await this.options.invoke(item.name, parseJsonText(item.input));
      event = newEvent(EventType.TaskCompleted, { TaskScheduledId: item.taskId, Result: toJsonText(output) });
      this.log(item.name, 'activity', item.instanceId, started, 'Succeeded');
    } catch (error) {
      event = newEvent(EventType.TaskFailed, {
        TaskScheduledId: item.taskId,
        ...failureFields(failureDetailsOf(error)),
      });
      this.log(item.name, 'activity', item.instanceId, started, 'Failed', error);
    }
    // A result that arrives after stop() is dropped; the work item stays queued and runs again on restart.
    if (this.stopping || this.store === undefined) return;
    const db = this.store;
    db.transaction(() => {
      db.deleteActivity(item.seq);
      db.enqueue('orchestration', item.instanceId, { type: 'Event', event }, Date.now(), item.executionId);
    });
  }

  // ---------------------------------------------------------------------------------------------------
  // Entities

  private async runEntityBatch(entityId: string): Promise<void> {
    const db = this.db;
    const messages = db.visibleMessages<EntityMessage>('entity', entityId, Date.now());
    if (messages.length === 0) return;
    const { name, key } = parseEntityInstanceId(entityId);
    const functionName = this.entityFunctionName(name);
    const started = Date.now();
    const row = db.getEntity(entityId);
    const responses: Array<{ message: QueuedMessage<EntityMessage>; result?: string; error?: string }> = [];
    let next: EntityRow | undefined = row;
    let signals: Array<{ target: { name: string; key: string }; name: string; input?: string }> = [];

    if (functionName === undefined) {
      for (const message of messages) responses.push({ message, error: `Function '${name}' does not exist` });
      this.options.logger.warn(`Entity function '${name}' does not exist; operations rejected`, { entityId });
    } else {
      const batch = messages.map((m) => ({
        id: m.body.requestId,
        name: m.body.operation,
        input: m.body.input,
        signal: m.body.caller === undefined,
      }));
      try {
        const result = (await this.options.invoke(functionName, {
          self: { name, key },
          exists: row?.exists ?? false,
          state: row?.exists ? row.state : undefined,
          batch,
        })) as {
          entityExists?: boolean;
          entityState?: string;
          results?: Array<{ isError?: boolean; result?: string } | null>;
          signals?: Array<{ target: { name: string; key: string }; name: string; input?: string }>;
        };
        next = {
          entityId,
          name,
          key,
          exists: result.entityExists ?? false,
          state: result.entityState,
          updatedAt: Date.now(),
        };
        messages.forEach((message, i) => {
          const r = result.results?.[i];
          if (r?.isError) responses.push({ message, error: r.result ?? 'Entity operation failed' });
          else responses.push({ message, result: r?.result });
        });
        signals = result.signals ?? [];
        this.log(functionName, 'entity', entityId, started, 'Succeeded');
      } catch (error) {
        const text = errorMessageOf(error);
        for (const message of messages) responses.push({ message, error: text });
        this.log(functionName, 'entity', entityId, started, 'Failed', error);
      }
    }
    if (this.stopping || this.store === undefined) return;
    const now = Date.now();
    db.transaction(() => {
      if (next !== undefined && next !== row) db.putEntity(next);
      db.deleteMessages(messages.map((m) => m.seq));
      for (const { message, result, error } of responses) {
        const caller = message.body.caller;
        if (caller === undefined) continue;
        const payload =
          error !== undefined
            ? { result: JSON.stringify(error), exceptionType: 'Error' }
            : { result: result };
        const event = newEvent(EventType.EventRaised, {
          Name: message.body.requestId,
          Input: JSON.stringify(payload),
        });
        db.enqueue('orchestration', caller.instanceId, { type: 'Event', event }, now, caller.executionId);
      }
      for (const signal of signals) {
        const out: EntityMessage = {
          type: 'EntityOperation',
          requestId: randomUUID(),
          operation: signal.name,
          input: signal.input === undefined || signal.input === '' ? undefined : signal.input,
          caller: undefined,
        };
        db.enqueue('entity', entityInstanceId(signal.target.name, signal.target.key), out, now);
      }
    });
  }

  // ---------------------------------------------------------------------------------------------------
  // Orchestrations

  private async runOrchestrationEpisode(instanceId: string): Promise<void> {
    const db = this.db;
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
        db.appendHistory(instanceId, [
          newEvent(EventType.ExecutionTerminated, { Input: toJsonText(reason) }),
        ]);
        this.finish(instance, 'Terminated', toJsonText(reason), now);
        if (instance.parent !== null) {
          this.notifyParentFailed(instance.parent, `Instance '${instanceId}' was terminated: ${reason}`, now);
        }
      });
      this.log(instance.name, 'orchestration', instanceId, now, 'Terminated');
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

    const outcome = await this.replay(instance, history, newEvents, now);
    if (this.stopping || this.store === undefined) return;
    db.transaction(() => {
      db.deleteMessages(consumed);
      if (outcome.resetHistory) db.clearHistory(instanceId);
      db.appendHistory(instanceId, outcome.newHistory.map(played));
      db.putInstance(outcome.instance);
      for (const send of outcome.outgoing) send();
    });
  }

  /** Runs the orchestrator over old + new history and works out the episode's effects. */
  private async replay(
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
        outgoing.push(() => this.notifyParentFailed(parent, message, now));
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

    if (this.kindOf(instance.name) !== 'orchestration') {
      this.log(instance.name, 'orchestration', instanceId, now, 'Failed');
      return failWith(`Function '${instance.name}' does not exist or is not an orchestrator function`);
    }

    let state: OrchestratorState;
    try {
      const result = await this.options.invoke(instance.name, {
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
      const { message, state: failedState } = parseOrchestratorError(error);
      this.log(instance.name, 'orchestration', instanceId, now, 'Failed', error);
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
      this.log(instance.name, 'orchestration', instanceId, now, 'Failed', error);
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
        if (task.kind === 'entitySignal') newHistory.push(this.schedule(running, task, now, outgoing));
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
          this.db.enqueue('orchestration', instanceId, started, now);
          for (const event of carried) {
            this.db.enqueue(
              'orchestration',
              instanceId,
              { type: 'Event', event: { ...event, IsPlayed: false } },
              now,
            );
          }
        });
        this.log(instance.name, 'orchestration', instanceId, now, 'ContinuedAsNew');
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
          this.db.enqueue(
            'orchestration',
            parent.instanceId,
            { type: 'Event', event },
            now,
            parent.executionId,
          );
        });
      }
      this.log(instance.name, 'orchestration', instanceId, now, 'Completed');
      return { newHistory, instance: completed, resetHistory: false, outgoing };
    }

    for (const task of fresh) newHistory.push(this.schedule(running, task, now, outgoing));
    newHistory.push(newEvent(EventType.OrchestratorCompleted, {}, now));
    this.log(instance.name, 'orchestration', instanceId, now, 'Running');
    return { newHistory, instance: running, resetHistory: false, outgoing };
  }

  /** The history event recording a newly scheduled task, plus the message that carries it out. */
  private schedule(
    instance: InstanceRow,
    task: ScheduledTask,
    now: number,
    outgoing: Array<() => void>,
  ): HistoryEvent {
    const { instanceId, executionId } = instance;
    const replyToSelf = (event: HistoryEvent, at = now): void =>
      this.db.enqueue('orchestration', instanceId, { type: 'Event', event }, at, executionId);
    switch (task.kind) {
      case 'activity': {
        const input = toJsonText(task.input);
        if (this.kindOf(task.name) !== 'activity') {
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
            this.db.enqueueActivity({ instanceId, executionId, taskId: task.id, name: task.name, input }),
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
          if (this.kindOf(task.name) !== 'orchestration') {
            fail(`Function '${task.name}' does not exist or is not an orchestrator function`);
            return;
          }
          const existing = this.db.getInstance(childId);
          if (existing !== undefined && !TERMINAL_STATUSES.includes(existing.status)) {
            fail(`An orchestration instance with ID '${childId}' already exists and is ${existing.status}`);
            return;
          }
          if (existing !== undefined) this.db.deleteInstance(childId);
          this.createInstance(childId, task.name, input, { instanceId, executionId, taskId: task.id }, now);
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
          if (isCall && this.entityFunctionName(name) === undefined) {
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
          this.db.enqueue('entity', task.entityId, message, now);
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

  private finish(instance: InstanceRow, status: RuntimeStatus, output: string, now: number): void {
    this.db.putInstance({ ...instance, status, output, updatedAt: now });
  }

  private notifyParentFailed(parent: ParentRef, message: string, now: number): void {
    const event = newEvent(EventType.SubOrchestrationInstanceFailed, {
      TaskScheduledId: parent.taskId,
      ...failureFields({ ErrorType: 'OrchestrationFailure', ErrorMessage: message }),
    });
    this.db.enqueue('orchestration', parent.instanceId, { type: 'Event', event }, now, parent.executionId);
  }
}

function played(event: HistoryEvent): HistoryEvent {
  return { ...event, IsPlayed: true };
}

/**
 * The client operations of the durable engine: start, raise an event, terminate, suspend/resume, rewind,
 * purge, query instances, signal and read entities. Each writes to the store in one transaction and wakes
 * the dispatcher; what runs afterwards is the dispatcher's business. The management API (management.ts)
 * reaches these through the DurableManagementApi interface only.
 */
import { randomUUID } from 'node:crypto';

import { createInstance, type EngineContext, kindOf } from './engineContext';
import { entityInstanceId } from './entityInstanceId';
import {
  InstanceExistsError,
  InstanceGoneError,
  InstanceNotFailedError,
  InstanceNotFoundError,
  UnknownFunctionError,
} from './errors';
import { EventType, type HistoryEvent, newEvent } from './historyEvents';
import { type ControlOperation, type DurableManagementApi, type StartOptions } from './managementApi';
import {
  type DurableStore,
  type EntityMessage,
  type EntityRow,
  type InstanceQuery,
  type InstanceRow,
  type OrchestrationMessage,
  TERMINAL_STATUSES,
} from './store';

export abstract class ClientOperations implements DurableManagementApi, EngineContext {
  abstract readonly db: DurableStore;
  abstract readonly options: EngineContext['options'];
  abstract readonly work: EngineContext['work'];
  abstract isStopped(): boolean;
  /** Asks the dispatcher to look for ready work (after a commit). */
  protected abstract wake(): void;

  /** Schedules a new orchestration; an existing instance id may be reused only once it has finished. */
  startNew(name: string, options: StartOptions = {}): string {
    if (kindOf(this, name) !== 'orchestration') throw new UnknownFunctionError(name, 'an orchestrator');
    const instanceId = options.instanceId ?? randomUUID().replaceAll('-', '');
    const input = options.input === undefined || options.input === '' ? null : options.input;
    const now = Date.now();
    this.db.transaction(() => {
      const existing = this.db.getInstance(instanceId);
      if (existing !== undefined && !TERMINAL_STATUSES.includes(existing.status)) {
        throw new InstanceExistsError(instanceId, existing.status);
      }
      if (existing !== undefined) this.db.deleteInstance(instanceId);
      createInstance(this, instanceId, name, input, null, now);
    });
    this.wake();
    return instanceId;
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

  control(instanceId: string, type: ControlOperation, reason: string): void {
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
          if (scheduled?.Name !== undefined && kindOf(this, scheduled.Name) === 'activity') {
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
}

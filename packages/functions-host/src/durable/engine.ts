/**
 * The local durable engine: runs orchestrations, activities and entities of a Functions app by driving the
 * real durable-functions wrappers through the host's DurableInvoker, and keeps every bit of state in a
 * SQLite store so that a killed host resumes all instances on restart. Work that was running when the
 * process died is simply picked up again (activities are therefore at-least-once, as on Azure).
 *
 * This file is the lifecycle and the dispatcher (which instance, entity or activity runs next, bounded by
 * host.json's concurrency limits; one timer for the earliest future message). The parts:
 *  - clientOperations.ts: start, raise, terminate, suspend/resume, rewind, purge, query (the base class);
 *  - orchestrationEpisode.ts + replayEpisode.ts + scheduleTask.ts: one orchestration episode;
 *  - entityBatch.ts: one batch of entity operations; activityRunner.ts: one activity;
 *  - management.ts: the HTTP management API, built on the DurableManagementApi interface only.
 */
import { runActivity } from './activityRunner';
import { ClientOperations } from './clientOperations';
import {
  type DurableEngineApi,
  type DurableEngineOptions,
  type ManagementRequest,
  type ManagementResponse,
} from './contract';
import { durableClientBinding } from './durableClientBinding';
import { runEntityBatch } from './entityBatch';
import { handleManagement } from './management';
import { runOrchestrationEpisode } from './orchestrationEpisode';
import { DurableStore } from './store';
import { type InstanceWork, WorkCounters } from './workStats';

export { type StartOptions } from './managementApi';

const STOP_GRACE_MS = 5000;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class DurableEngine extends ClientOperations implements DurableEngineApi {
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
  readonly work = new WorkCounters();

  constructor(readonly options: DurableEngineOptions) {
    super();
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

  get db(): DurableStore {
    if (this.store === undefined) throw new Error('The durable engine is not started');
    return this.store;
  }

  isStopped(): boolean {
    return this.stopping || this.store === undefined;
  }

  // ---------------------------------------------------------------------------------------------------
  // Client binding and management API

  clientBinding(origin: string): Record<string, unknown> {
    return durableClientBinding(origin, this.options.taskHubName, this.options.managementKey);
  }

  handleManagementRequest(req: ManagementRequest): Promise<ManagementResponse | undefined> {
    const urls = { taskHubName: this.options.taskHubName, managementKey: this.options.managementKey };
    return Promise.resolve(handleManagement(this, urls, req));
  }

  /** Work per orchestration instance and entity since start or the last reset (workStats.ts). */
  workStats(): InstanceWork[] {
    return this.work.snapshot();
  }

  resetWorkStats(): void {
    this.work.reset();
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

  protected wake(): void {
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
          () => runOrchestrationEpisode(this, instanceId),
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
          () => runEntityBatch(this, entityId),
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
          () => runActivity(this, item),
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
}

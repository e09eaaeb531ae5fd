import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { errorMessage } from './core';
import type { HostLogger } from './hostLogger';

/**
 * Plays Event Grid's part between the webhook and the function: accepted events are journaled before the
 * webhook answers, then delivered one invocation per event. A failed delivery is retried with exponential
 * backoff (bounded attempts, like a subscription's retry policy) and then dead-lettered as a JSON line;
 * an event is never dropped silently. The journal makes delivery at-least-once across restarts: events
 * accepted but not finished when the host stopped (even by SIGKILL) are delivered again on the next start.
 */

export type EventSchema = 'EventGridSchema' | 'CloudEventSchemaV1_0';

export interface EventGridRetryPolicy {
  /** Total delivery attempts including the first; default 5. */
  maxAttempts: number;
  /** Delay before the first retry; doubled for each further one (Event Grid starts at 10 s). Default 1000. */
  initialDelayMs: number;
  /** Cap on a single retry delay. Default 60000. */
  maxDelayMs: number;
}

export const DEFAULT_EVENTGRID_RETRY: EventGridRetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 1000,
  maxDelayMs: 60_000,
};

export interface EventGridDispatcherOptions {
  journalFile: string;
  deadLetterFile: string;
  retry: EventGridRetryPolicy;
  /** Invokes the function with one event; rejects when the function fails. */
  deliver(functionName: string, event: Record<string, unknown>): Promise<void>;
  logger: HostLogger;
  /** Deliveries in flight at once (Event Grid delivers concurrently without ordering). Default 16. */
  concurrency?: number;
}

interface JournalAccept {
  op: 'accept';
  key: string;
  functionName: string;
  schema: EventSchema;
  event: Record<string, unknown>;
  acceptedAt: string;
}

interface JournalDone {
  op: 'done';
  key: string;
  outcome: 'delivered' | 'deadLettered';
}

interface Pending extends JournalAccept {
  attempts: number;
  lastError?: string;
}

export class EventGridDispatcher {
  readonly #options: EventGridDispatcherOptions;
  readonly #concurrency: number;
  readonly #ready: Pending[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #idleWaiters: (() => void)[] = [];
  #running = 0;
  #outstanding = 0;
  #stopped = false;

  constructor(options: EventGridDispatcherOptions) {
    this.#options = options;
    this.#concurrency = options.concurrency ?? 16;
  }

  /** Reads the journal, compacts it, and schedules every event that was accepted but not finished. */
  start(): void {
    const pending = this.#recover();
    fs.mkdirSync(path.dirname(this.#options.journalFile), { recursive: true });
    const text = pending.map((p) => JSON.stringify(this.#acceptRecord(p))).join('\n');
    fs.writeFileSync(this.#options.journalFile, text === '' ? '' : `${text}\n`);
    if (pending.length > 0) {
      this.#options.logger.info('Redelivering Event Grid events accepted before the last stop', {
        count: pending.length,
      });
    }
    for (const p of pending) this.#enqueue(p);
  }

  /** Journals the events (synchronously, before the webhook answers) and queues them for delivery. */
  accept(functionName: string, schema: EventSchema, events: Record<string, unknown>[]): void {
    if (this.#stopped) throw new Error('The Event Grid dispatcher is stopped.');
    const acceptedAt = new Date().toISOString();
    const items: Pending[] = events.map((event) => ({
      op: 'accept',
      key: randomUUID(),
      functionName,
      schema,
      event,
      acceptedAt,
      attempts: 0,
    }));
    const lines = items.map((p) => `${JSON.stringify(this.#acceptRecord(p))}\n`).join('');
    fs.appendFileSync(this.#options.journalFile, lines);
    for (const item of items) this.#enqueue(item);
  }

  /** Resolves when no event is queued, waiting for a retry, or being delivered. */
  idle(): Promise<void> {
    if (this.#outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops scheduling; events still pending stay in the journal and are delivered on the next start. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#ready.length = 0;
    // Wait for deliveries in flight so their outcome is journaled.
    while (this.#running > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    this.#outstanding = 0;
    this.#notifyIdle();
  }

  #acceptRecord(p: Pending): JournalAccept {
    return {
      op: 'accept',
      key: p.key,
      functionName: p.functionName,
      schema: p.schema,
      event: p.event,
      acceptedAt: p.acceptedAt,
    };
  }

  #recover(): Pending[] {
    if (!fs.existsSync(this.#options.journalFile)) return [];
    const accepted = new Map<string, Pending>();
    const lines = fs.readFileSync(this.#options.journalFile, 'utf8').split('\n');
    for (const line of lines) {
      if (line.trim() === '') continue;
      let record: JournalAccept | JournalDone;
      try {
        record = JSON.parse(line) as JournalAccept | JournalDone;
      } catch {
        // A torn last line from a crash mid-append: that batch was never acknowledged to the sender.
        continue;
      }
      if (record.op === 'accept') accepted.set(record.key, { ...record, attempts: 0 });
      else if (record.op === 'done') accepted.delete(record.key);
    }
    return [...accepted.values()];
  }

  #enqueue(p: Pending): void {
    this.#outstanding++;
    this.#ready.push(p);
    this.#pump();
  }

  #pump(): void {
    while (!this.#stopped && this.#running < this.#concurrency && this.#ready.length > 0) {
      const next = this.#ready.shift()!;
      this.#running++;
      void this.#attempt(next).finally(() => {
        this.#running--;
        this.#pump();
      });
    }
  }

  async #attempt(p: Pending): Promise<void> {
    p.attempts++;
    try {
      await this.#options.deliver(p.functionName, p.event);
      this.#finish(p, 'delivered');
      return;
    } catch (err) {
      p.lastError = errorMessage(err);
    }
    if (this.#stopped) return;
    const { maxAttempts, initialDelayMs, maxDelayMs } = this.#options.retry;
    if (p.attempts >= maxAttempts) {
      this.#deadLetter(p);
      this.#finish(p, 'deadLettered');
      return;
    }
    const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** (p.attempts - 1));
    this.#options.logger.warn('Event Grid delivery failed; retrying', {
      function: p.functionName,
      eventId: p.event.id,
      attempt: p.attempts,
      retryInMs: delay,
      error: p.lastError,
    });
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#stopped) return;
      this.#ready.push(p);
      this.#pump();
    }, delay);
    this.#timers.add(timer);
  }

  #deadLetter(p: Pending): void {
    // Field names follow Event Grid's dead-letter records so tools that read those read these.
    const record = {
      deadLetterReason: 'MaxDeliveryAttemptsExceeded',
      deliveryAttempts: p.attempts,
      lastDeliveryOutcome: p.lastError ?? 'unknown',
      lastDeliveryAttemptTime: new Date().toISOString(),
      publishTime: p.acceptedAt,
      functionName: p.functionName,
      schema: p.schema,
      event: p.event,
    };
    fs.mkdirSync(path.dirname(this.#options.deadLetterFile), { recursive: true });
    fs.appendFileSync(this.#options.deadLetterFile, `${JSON.stringify(record)}\n`);
    this.#options.logger.error('Event Grid event dead-lettered', {
      function: p.functionName,
      eventId: p.event.id,
      attempts: p.attempts,
      error: p.lastError,
      file: this.#options.deadLetterFile,
    });
  }

  #finish(p: Pending, outcome: JournalDone['outcome']): void {
    const done: JournalDone = { op: 'done', key: p.key, outcome };
    try {
      fs.appendFileSync(this.#options.journalFile, `${JSON.stringify(done)}\n`);
    } catch (err) {
      this.#options.logger.error('Cannot journal an Event Grid delivery outcome', {
        error: errorMessage(err),
      });
    }
    this.#outstanding--;
    this.#notifyIdle();
  }

  #notifyIdle(): void {
    if (this.#outstanding > 0) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}

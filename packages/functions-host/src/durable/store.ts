/**
 * The durable engine's persistent state on `node:sqlite`: instances, per-execution history, a message queue
 * for orchestrations and entities (timers are messages that become visible at their fire time), activity work
 * items and entity state. The engine commits each episode in one transaction, so a process killed at any
 * point restarts from a consistent state and simply re-runs whatever was not committed.
 */
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';

import { type HistoryEvent } from './historyEvents';

export type RuntimeStatus =
  'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Terminated' | 'Suspended';

export const TERMINAL_STATUSES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

export interface ParentRef {
  instanceId: string;
  executionId: string;
  taskId: number;
}

export interface InstanceRow {
  instanceId: string;
  name: string;
  executionId: string;
  status: RuntimeStatus;
  /** JSON text or null. */
  input: string | null;
  output: string | null;
  customStatus: string | null;
  createdAt: number;
  updatedAt: number;
  parent: ParentRef | null;
}

/** A message to an orchestration instance. */
export type OrchestrationMessage =
  | { type: 'ExecutionStarted'; name: string; input: string | null; parent: ParentRef | null }
  | { type: 'Event'; event: HistoryEvent }
  | { type: 'Terminate'; reason: string }
  | { type: 'Suspend'; reason: string }
  | { type: 'Resume'; reason: string };

/** A message to an entity: one operation, a signal or a call whose answer goes back to `caller`. */
export interface EntityMessage {
  type: 'EntityOperation';
  requestId: string;
  operation: string;
  /** JSON text of the input, or undefined. */
  input: string | undefined;
  caller: { instanceId: string; executionId: string } | undefined;
}

export interface QueuedMessage<T> {
  seq: number;
  target: string;
  /** Set for replies that belong to one execution (dropped when the instance moved on). */
  executionId: string | null;
  visibleAt: number;
  body: T;
}

export interface ActivityWorkItem {
  seq: number;
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
  /** JSON text of the input. */
  input: string;
}

export interface EntityRow {
  entityId: string;
  name: string;
  key: string;
  exists: boolean;
  /** JSON text of the state, undefined when none. */
  state: string | undefined;
  updatedAt: number;
}

export interface InstanceQuery {
  runtimeStatus?: RuntimeStatus[];
  createdFrom?: number;
  createdTo?: number;
  instanceIdPrefix?: string;
  /** Continue after this instance id (sorted by id). */
  after?: string;
  limit?: number;
}

type Row = Record<string, SQLInputValue>;

/** Reads a TEXT column (numbers are accepted too; anything else means a corrupt row). */
function str(value: SQLInputValue | undefined): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  throw new Error(`Durable store: expected a text column, got ${value === null ? 'null' : typeof value}`);
}

function optStr(value: SQLInputValue | undefined): string | null {
  return value == null ? null : str(value);
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS instances (
  instance_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  execution_id TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT,
  output TEXT,
  custom_status TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  parent TEXT
);
CREATE INDEX IF NOT EXISTS instances_created ON instances(created_at);
CREATE TABLE IF NOT EXISTS history (
  instance_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  event TEXT NOT NULL,
  PRIMARY KEY (instance_id, seq)
);
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  target_kind TEXT NOT NULL,
  target TEXT NOT NULL,
  execution_id TEXT,
  visible_at INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_target ON messages(target_kind, target, seq);
CREATE INDEX IF NOT EXISTS messages_visible ON messages(target_kind, visible_at);
CREATE TABLE IF NOT EXISTS activities (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_id TEXT NOT NULL,
  execution_id TEXT NOT NULL,
  task_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  input TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entities (
  entity_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  key TEXT NOT NULL,
  exists_flag INTEGER NOT NULL,
  state TEXT,
  updated_at INTEGER NOT NULL
);
`;

export type TargetKind = 'orchestration' | 'entity';

/** visible_at of messages held back while their instance is suspended. */
const HELD = 8_640_000_000_000_000;

export class DurableStore {
  private readonly db: DatabaseSync;
  private depth = 0;

  constructor(file: string) {
    this.db = new DatabaseSync(file);
    this.db.exec('PRAGMA journal_mode = WAL');
    // NORMAL keeps commits atomic and survives a killed process (only an OS crash could lose the last ones).
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.db.exec('PRAGMA busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  /** Runs `fn` in one transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.db.exec('BEGIN IMMEDIATE');
    this.depth++;
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    } finally {
      this.depth--;
    }
  }

  // ---- instances ----

  getInstance(instanceId: string): InstanceRow | undefined {
    const row = this.db.prepare('SELECT * FROM instances WHERE instance_id = ?').get(instanceId) as
      Row | undefined;
    return row === undefined ? undefined : toInstance(row);
  }

  putInstance(row: InstanceRow): void {
    this.db
      .prepare(
        `INSERT INTO instances (instance_id, name, execution_id, status, input, output, custom_status, created_at, updated_at, parent)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(instance_id) DO UPDATE SET name = excluded.name, execution_id = excluded.execution_id,
           status = excluded.status, input = excluded.input, output = excluded.output,
           custom_status = excluded.custom_status, created_at = excluded.created_at,
           updated_at = excluded.updated_at, parent = excluded.parent`,
      )
      .run(
        row.instanceId,
        row.name,
        row.executionId,
        row.status,
        row.input,
        row.output,
        row.customStatus,
        row.createdAt,
        row.updatedAt,
        row.parent === null ? null : JSON.stringify(row.parent),
      );
  }

  queryInstances(query: InstanceQuery): InstanceRow[] {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    if (query.runtimeStatus !== undefined && query.runtimeStatus.length > 0) {
      where.push(`status IN (${query.runtimeStatus.map(() => '?').join(', ')})`);
      params.push(...query.runtimeStatus);
    }
    if (query.createdFrom !== undefined) {
      where.push('created_at >= ?');
      params.push(query.createdFrom);
    }
    if (query.createdTo !== undefined) {
      where.push('created_at <= ?');
      params.push(query.createdTo);
    }
    if (query.instanceIdPrefix !== undefined && query.instanceIdPrefix !== '') {
      where.push('substr(instance_id, 1, ?) = ?');
      params.push(query.instanceIdPrefix.length, query.instanceIdPrefix);
    }
    if (query.after !== undefined) {
      where.push('instance_id > ?');
      params.push(query.after);
    }
    const sql =
      `SELECT * FROM instances${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY instance_id` +
      (query.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(query.limit))}` : '');
    return (this.db.prepare(sql).all(...params) as Row[]).map(toInstance);
  }

  /** Deletes an instance with its history and queued messages; returns whether it existed. */
  deleteInstance(instanceId: string): boolean {
    return this.transaction(() => {
      this.db.prepare('DELETE FROM history WHERE instance_id = ?').run(instanceId);
      this.db
        .prepare("DELETE FROM messages WHERE target_kind = 'orchestration' AND target = ?")
        .run(instanceId);
      this.db.prepare('DELETE FROM activities WHERE instance_id = ?').run(instanceId);
      const result = this.db.prepare('DELETE FROM instances WHERE instance_id = ?').run(instanceId);
      return Number(result.changes) > 0;
    });
  }

  // ---- history ----

  getHistory(instanceId: string): HistoryEvent[] {
    const rows = this.db
      .prepare('SELECT event FROM history WHERE instance_id = ? ORDER BY seq')
      .all(instanceId) as Row[];
    return rows.map((r) => JSON.parse(str(r.event)) as HistoryEvent);
  }

  appendHistory(instanceId: string, events: HistoryEvent[]): void {
    if (events.length === 0) return;
    const last = this.db
      .prepare('SELECT MAX(seq) AS seq FROM history WHERE instance_id = ?')
      .get(instanceId) as Row;
    let seq = typeof last.seq === 'number' ? last.seq : -1;
    const insert = this.db.prepare('INSERT INTO history (instance_id, seq, event) VALUES (?, ?, ?)');
    for (const event of events) insert.run(instanceId, ++seq, JSON.stringify(event));
  }

  clearHistory(instanceId: string): void {
    this.db.prepare('DELETE FROM history WHERE instance_id = ?').run(instanceId);
  }

  // ---- messages ----

  enqueue(
    kind: TargetKind,
    target: string,
    body: unknown,
    visibleAt: number,
    executionId: string | null = null,
  ): void {
    this.db
      .prepare(
        'INSERT INTO messages (target_kind, target, execution_id, visible_at, body) VALUES (?, ?, ?, ?, ?)',
      )
      .run(kind, target, executionId, visibleAt, JSON.stringify(body));
  }

  /** Targets with at least one visible message, oldest first. */
  readyTargets(kind: TargetKind, now: number, limit: number): string[] {
    const rows = this.db
      .prepare(
        `SELECT target, MIN(seq) AS first FROM messages WHERE target_kind = ? AND visible_at <= ?
         GROUP BY target ORDER BY first LIMIT ?`,
      )
      .all(kind, now, limit) as Row[];
    return rows.map((r) => str(r.target));
  }

  visibleMessages<T>(kind: TargetKind, target: string, now: number): QueuedMessage<T>[] {
    const rows = this.db
      .prepare('SELECT * FROM messages WHERE target_kind = ? AND target = ? AND visible_at <= ? ORDER BY seq')
      .all(kind, target, now) as Row[];
    return rows.map((r) => ({
      seq: Number(r.seq),
      target: str(r.target),
      executionId: optStr(r.execution_id),
      visibleAt: Number(r.visible_at),
      body: JSON.parse(str(r.body)) as T,
    }));
  }

  deleteMessages(seqs: number[]): void {
    const del = this.db.prepare('DELETE FROM messages WHERE seq = ?');
    for (const seq of seqs) del.run(seq);
  }

  /** Parks messages of a suspended instance so the dispatcher does not pick them up again. */
  holdMessages(seqs: number[]): void {
    const hold = this.db.prepare('UPDATE messages SET visible_at = ? WHERE seq = ?');
    for (const seq of seqs) hold.run(HELD, seq);
  }

  releaseHeldMessages(kind: TargetKind, target: string, now: number): void {
    this.db
      .prepare('UPDATE messages SET visible_at = ? WHERE target_kind = ? AND target = ? AND visible_at = ?')
      .run(now, kind, target, HELD);
  }

  /** Earliest visible_at in the future, if any (drives the timer wake-up). */
  nextVisibleAt(now: number): number | undefined {
    const row = this.db
      .prepare('SELECT MIN(visible_at) AS at FROM messages WHERE visible_at > ? AND visible_at < ?')
      .get(now, HELD) as Row;
    return typeof row.at === 'number' ? row.at : undefined;
  }

  // ---- activities ----

  enqueueActivity(item: Omit<ActivityWorkItem, 'seq'>): void {
    this.db
      .prepare(
        'INSERT INTO activities (instance_id, execution_id, task_id, name, input) VALUES (?, ?, ?, ?, ?)',
      )
      .run(item.instanceId, item.executionId, item.taskId, item.name, item.input);
  }

  pendingActivities(limit: number): ActivityWorkItem[] {
    const rows = this.db.prepare('SELECT * FROM activities ORDER BY seq LIMIT ?').all(limit) as Row[];
    return rows.map((r) => ({
      seq: Number(r.seq),
      instanceId: str(r.instance_id),
      executionId: str(r.execution_id),
      taskId: Number(r.task_id),
      name: str(r.name),
      input: str(r.input),
    }));
  }

  deleteActivity(seq: number): void {
    this.db.prepare('DELETE FROM activities WHERE seq = ?').run(seq);
  }

  // ---- entities ----

  getEntity(entityId: string): EntityRow | undefined {
    const row = this.db.prepare('SELECT * FROM entities WHERE entity_id = ?').get(entityId) as
      Row | undefined;
    if (row === undefined) return undefined;
    return {
      entityId: str(row.entity_id),
      name: str(row.name),
      key: str(row.key),
      exists: Number(row.exists_flag) === 1,
      state: optStr(row.state) ?? undefined,
      updatedAt: Number(row.updated_at),
    };
  }

  putEntity(row: EntityRow): void {
    this.db
      .prepare(
        `INSERT INTO entities (entity_id, name, key, exists_flag, state, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(entity_id) DO UPDATE SET exists_flag = excluded.exists_flag, state = excluded.state,
           updated_at = excluded.updated_at`,
      )
      .run(row.entityId, row.name, row.key, row.exists ? 1 : 0, row.state ?? null, row.updatedAt);
  }
}

function toInstance(row: Row): InstanceRow {
  return {
    instanceId: str(row.instance_id),
    name: str(row.name),
    executionId: str(row.execution_id),
    status: str(row.status) as RuntimeStatus,
    input: optStr(row.input),
    output: optStr(row.output),
    customStatus: optStr(row.custom_status),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    parent: row.parent == null ? null : (JSON.parse(str(row.parent)) as ParentRef),
  };
}

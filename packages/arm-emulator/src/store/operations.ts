import { randomUUID } from 'node:crypto';

import type { PollStyle } from '../providers/provider';
import type { LroRecord } from './records';

/** The long-running operations: every one started (newest kept), and which are still running. */
export class Operations {
  private readonly all = new Map<string, LroRecord>();
  /** Ids of operations still running, so settling never scans finished ones. */
  private readonly running = new Set<string>();

  start(fields: {
    kind: 'write' | 'delete';
    pollVia: PollStyle;
    targetKey: string;
    targetId: string;
    targetType: string;
    subscriptionId: string;
    resourceGroup: string;
    location: string;
    durationMs: number;
    failure: { code: string; message: string } | undefined;
  }): LroRecord {
    const { durationMs, failure, ...rest } = fields;
    const now = Date.now();
    const op: LroRecord = {
      id: randomUUID(),
      ...rest,
      startedAt: now,
      completesAt: now + durationMs,
      status: 'InProgress',
      correlationId: randomUUID(),
      ...(failure ? { failure } : {}),
    };
    this.add(op);
    this.prune();
    return op;
  }

  add(op: LroRecord): void {
    this.all.set(op.id, op);
    if (op.status === 'InProgress') this.running.add(op.id);
  }

  get(id: string): LroRecord | undefined {
    return this.all.get(id);
  }

  values(): LroRecord[] {
    return [...this.all.values()];
  }

  /** Running operations whose time has come at `now`, in the order they finish. */
  due(now: number): LroRecord[] {
    return [...this.running]
      .map((id) => this.all.get(id))
      .filter((op): op is LroRecord => op !== undefined && op.completesAt <= now)
      .sort((a, b) => a.completesAt - b.completesAt);
  }

  /** Marks an operation finished (its status is set by the caller); false when it already was. */
  finish(op: LroRecord): boolean {
    if (op.status !== 'InProgress') return false;
    this.running.delete(op.id);
    op.endedAt = Date.now();
    return true;
  }

  clear(): void {
    this.all.clear();
    this.running.clear();
  }

  /** Keeps the newest finished operations only (pollers ask soon after the end, not days later). */
  private prune(): void {
    const limit = 5_000;
    if (this.all.size <= limit) return;
    for (const [id, op] of this.all) {
      if (this.all.size <= limit * 0.8) break;
      if (op.status !== 'InProgress') this.all.delete(id);
    }
  }
}

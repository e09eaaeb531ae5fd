/**
 * One ARM request budget per subscription, shared by every orchestration of that subscription: a token
 * bucket for reads and one for writes, mirroring ARM's own (per subscription and principal: reads 250
 * burst refilled at 25/s, writes 200 refilled at 10/s), with a margin so that a second client of the
 * subscription or clock drift does not tip us over.
 *
 * The bucket may go into debt: a reservation takes its tokens at once and is told WHEN they are there
 * (`notBefore`), so callers queue in arrival order (first come, first served: several clusters share the
 * subscription fairly as long as each asks for small batches) and wait with a durable timer, not a lock.
 * A throttled answer from ARM pushes the whole bucket back by the Retry-After it carried: every caller of
 * the subscription slows down, not only the one that was refused.
 *
 * Pure: the `armBudget` entity (functions/armBudgetEntity.ts) holds the state; this file only computes.
 */

export interface BucketLimits {
  /** Requests that may be sent at once. */
  burst: number;
  /** Tokens added per second of Azure time. */
  perSecond: number;
}

export interface BudgetLimits {
  reads: BucketLimits;
  writes: BucketLimits;
  /**
   * Wall-clock seconds per Azure second (1 on Azure). The emulator runs time faster (its time scale),
   * and refills its buckets faster in proportion; the budget does the same.
   */
  timeScale: number;
}

/** ARM's documented limits less a margin (90 % of the burst, 95 % of the rate). */
export const DEFAULT_BUDGET_LIMITS: BudgetLimits = {
  reads: { burst: 225, perSecond: 23.75 },
  writes: { burst: 180, perSecond: 9.5 },
  timeScale: 1,
};

export interface BucketState {
  tokens: number;
  /** Epoch ms of the last refill. */
  at: number;
}

export interface BudgetState {
  reads?: BucketState;
  writes?: BucketState;
  /** Counters, for the status and the bench. */
  granted?: { reads: number; writes: number; throttled: number };
}

export type BudgetKind = 'reads' | 'writes';

export interface Reservation {
  reads: number;
  writes: number;
}

function ratePerMs(limits: BudgetLimits, kind: BudgetKind): number {
  return limits[kind].perSecond / 1000 / (limits.timeScale > 0 ? limits.timeScale : 1);
}

function refill(
  limits: BudgetLimits,
  kind: BudgetKind,
  bucket: BucketState | undefined,
  now: number,
): BucketState {
  const b = bucket ?? { tokens: limits[kind].burst, at: now };
  const elapsed = Math.max(0, now - b.at);
  return { tokens: Math.min(limits[kind].burst, b.tokens + elapsed * ratePerMs(limits, kind)), at: now };
}

/** Takes the tokens; returns the new state and the epoch ms from which they may be spent. */
export function reserve(
  state: BudgetState | undefined,
  want: Reservation,
  limits: BudgetLimits,
  now: number,
): { state: BudgetState; notBefore: number } {
  const next: BudgetState = { ...state };
  let notBefore = now;
  for (const kind of ['reads', 'writes'] as const) {
    const n = Math.max(0, want[kind]);
    const bucket = refill(limits, kind, state?.[kind], now);
    if (n > 0) {
      bucket.tokens -= n;
      if (bucket.tokens < 0)
        notBefore = Math.max(notBefore, now + Math.ceil(-bucket.tokens / ratePerMs(limits, kind)));
    }
    next[kind] = bucket;
  }
  const granted = next.granted ?? { reads: 0, writes: 0, throttled: 0 };
  next.granted = { ...granted, reads: granted.reads + want.reads, writes: granted.writes + want.writes };
  return { state: next, notBefore };
}

/** Gives back tokens reserved but not spent (a resource that needed no write). */
export function refund(
  state: BudgetState | undefined,
  unused: Reservation,
  limits: BudgetLimits,
  now: number,
): BudgetState {
  const next: BudgetState = { ...state };
  for (const kind of ['reads', 'writes'] as const) {
    const bucket = refill(limits, kind, state?.[kind], now);
    bucket.tokens = Math.min(limits[kind].burst, bucket.tokens + Math.max(0, unused[kind]));
    next[kind] = bucket;
  }
  return next;
}

/** ARM said 429 with Retry-After: nobody in the subscription gets a token of that kind before then. */
export function throttled(
  state: BudgetState | undefined,
  kind: BudgetKind,
  retryAfterMs: number,
  limits: BudgetLimits,
  now: number,
): BudgetState {
  const bucket = refill(limits, kind, state?.[kind], now);
  bucket.tokens = Math.min(bucket.tokens, -Math.max(0, retryAfterMs) * ratePerMs(limits, kind));
  const granted = state?.granted ?? { reads: 0, writes: 0, throttled: 0 };
  return { ...state, [kind]: bucket, granted: { ...granted, throttled: granted.throttled + 1 } };
}

type Env = Record<string, string | undefined>;

function positive(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name}: must be a positive number, got '${raw}'`);
  return value;
}

/**
 * `ARM_BUDGET_READS_PER_SECOND`, `ARM_BUDGET_READ_BURST`, `ARM_BUDGET_WRITES_PER_SECOND`,
 * `ARM_BUDGET_WRITE_BURST` (Azure seconds; defaults: ARM's limits less a margin) and
 * `ARM_BUDGET_TIME_SCALE` (wall-clock seconds per Azure second, default 1: set it to the emulator's
 * time scale). A malformed value is an error naming the setting.
 */
export function budgetLimitsFromEnv(env: Env): BudgetLimits {
  const d = DEFAULT_BUDGET_LIMITS;
  return {
    reads: {
      burst: positive(env, 'ARM_BUDGET_READ_BURST', d.reads.burst),
      perSecond: positive(env, 'ARM_BUDGET_READS_PER_SECOND', d.reads.perSecond),
    },
    writes: {
      burst: positive(env, 'ARM_BUDGET_WRITE_BURST', d.writes.burst),
      perSecond: positive(env, 'ARM_BUDGET_WRITES_PER_SECOND', d.writes.perSecond),
    },
    timeScale: positive(env, 'ARM_BUDGET_TIME_SCALE', d.timeScale),
  };
}

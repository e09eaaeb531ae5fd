/**
 * Token buckets on the emulator's clock, keyed by any string: `burst` tokens at most, `perSecond`
 * added per second of Azure time. At time scale 0.05 a second of Azure passes in 50 ms, so the refill
 * per real millisecond is divided by the time scale (and a time scale of 0 never throttles).
 */
export interface BucketLimits {
  /** Requests that may arrive at once. */
  burst: number;
  /** Tokens added per second of Azure time. */
  perSecond: number;
}

export type BucketDecision =
  { allowed: true; remaining: number } | { allowed: false; remaining: 0; retryAfterMs: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export function checkBucketLimits(what: string, l: BucketLimits): void {
  if (!(l.burst >= 1) || !(l.perSecond > 0)) {
    throw new Error(`${what} needs burst ≥ 1 and perSecond > 0, got ${JSON.stringify(l)}`);
  }
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly timeScale: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the time scale lets buckets run at all (0 = instant time, no throttling). */
  get active(): boolean {
    return this.timeScale() > 0;
  }

  /** Tokens in the bucket now (refilled up to this moment). */
  peek(key: string, limits: BucketLimits): number {
    return this.refill(key, limits).tokens;
  }

  /** How long until the bucket holds one token (0 when it does). */
  waitMs(key: string, limits: BucketLimits): number {
    const bucket = this.refill(key, limits);
    return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) / this.ratePerMs(limits));
  }

  /** Takes one token, or says how long until one is there. */
  take(key: string, limits: BucketLimits): BucketDecision {
    const bucket = this.refill(key, limits);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens) };
    }
    return {
      allowed: false,
      remaining: 0,
      retryAfterMs: Math.ceil((1 - bucket.tokens) / this.ratePerMs(limits)),
    };
  }

  reset(): void {
    this.buckets.clear();
  }

  private ratePerMs(limits: BucketLimits): number {
    return limits.perSecond / 1000 / this.timeScale();
  }

  private refill(key: string, limits: BucketLimits): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: limits.burst, updatedAt: now };
    bucket.tokens = Math.min(limits.burst, bucket.tokens + (now - bucket.updatedAt) * this.ratePerMs(limits));
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    return bucket;
  }
}

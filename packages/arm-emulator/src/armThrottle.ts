/**
 * ARM's request throttling: a token bucket per subscription for reads and one for writes (ARM's
 * current model; Azure's figures are 250 reads burst refilled at 25/s and 200 writes burst refilled at
 * 10/s per subscription and principal). A request that finds its bucket empty gets 429 with how long
 * to wait, and every ARM answer says how many requests are left, as ARM's
 * `x-ms-ratelimit-remaining-subscription-{reads,writes}` headers do.
 *
 * Refill runs on the emulator's clock: at time scale 0.05 a second of Azure passes in 50 ms, so the
 * refill rate is divided by the time scale (and a time scale of 0 never throttles).
 */

export interface BucketLimits {
  /** Requests that may arrive at once. */
  burst: number;
  /** Tokens added per second of Azure time. */
  perSecond: number;
}

export interface ThrottleLimits {
  reads?: BucketLimits;
  writes?: BucketLimits;
}

/** What Azure documents for ARM per subscription (and principal). */
export const AZURE_THROTTLE_LIMITS: Readonly<Required<ThrottleLimits>> = {
  reads: { burst: 250, perSecond: 25 },
  writes: { burst: 200, perSecond: 10 },
};

export type ThrottleDecision =
  { allowed: true; remaining: number } | { allowed: false; remaining: 0; retryAfterMs: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class ArmThrottle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: ThrottleLimits,
    private readonly timeScale: () => number,
    private readonly now: () => number = Date.now,
  ) {
    for (const [kind, l] of Object.entries(limits) as [string, BucketLimits | undefined][]) {
      if (!l) continue;
      if (!(l.burst >= 1) || !(l.perSecond > 0)) {
        throw new Error(`throttle.${kind} needs burst ≥ 1 and perSecond > 0, got ${JSON.stringify(l)}`);
      }
    }
  }

  /** Takes one token for a request of `kind` in `subscription`, or says how long until one is there. */
  take(kind: 'reads' | 'writes', subscription: string): ThrottleDecision | undefined {
    const limits = this.limits[kind];
    const scale = this.timeScale();
    if (!limits || scale <= 0) return undefined;
    const key = `${kind}|${subscription.toLowerCase()}`;
    const now = this.now();
    const ratePerMs = limits.perSecond / 1000 / scale;
    const bucket = this.buckets.get(key) ?? { tokens: limits.burst, updatedAt: now };
    bucket.tokens = Math.min(limits.burst, bucket.tokens + (now - bucket.updatedAt) * ratePerMs);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens) };
    }
    return { allowed: false, remaining: 0, retryAfterMs: Math.ceil((1 - bucket.tokens) / ratePerMs) };
  }

  reset(): void {
    this.buckets.clear();
  }
}

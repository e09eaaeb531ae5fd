import { type BucketDecision, type BucketLimits, checkBucketLimits, TokenBuckets } from './tokenBuckets';

/**
 * ARM's request throttling: token buckets per subscription for reads, writes and deletes (ARM's
 * model since 2024: "Request limits and throttling", learn.microsoft.com — subscription reads 250
 * burst refilled at 25/s, writes 200 refilled at 10/s, deletes 200 refilled at 10/s, per
 * subscription, principal and region). A request that finds its bucket empty gets 429 with how long
 * to wait, and every ARM answer says how many requests are left, as ARM's
 * `x-ms-ratelimit-remaining-subscription-{reads,writes,deletes}` headers do.
 *
 * Refill runs on the emulator's clock (`tokenBuckets.ts`). The emulator has one caller per
 * subscription and serves every region from one ARM, so the buckets are per subscription.
 */

export type { BucketLimits };

export interface ThrottleLimits {
  reads?: BucketLimits;
  writes?: BucketLimits;
  /** DELETE requests; counted as writes when absent. */
  deletes?: BucketLimits;
}

export type ThrottleKind = 'reads' | 'writes' | 'deletes';

/** What Azure documents for ARM per subscription (and principal and region). */
export const AZURE_THROTTLE_LIMITS: Readonly<Required<ThrottleLimits>> = {
  reads: { burst: 250, perSecond: 25 },
  writes: { burst: 200, perSecond: 10 },
  deletes: { burst: 200, perSecond: 10 },
};

export type ThrottleDecision = BucketDecision;

export class ArmThrottle {
  private readonly buckets: TokenBuckets;

  constructor(
    private readonly limits: ThrottleLimits,
    timeScale: () => number,
    now: () => number = Date.now,
  ) {
    for (const [kind, l] of Object.entries(limits) as [string, BucketLimits | undefined][]) {
      if (l) checkBucketLimits(`throttle.${kind}`, l);
    }
    this.buckets = new TokenBuckets(timeScale, now);
  }

  /**
   * Takes one token for a request of `kind` in `subscription`, or says how long until one is there;
   * undefined when that kind is not limited.
   */
  take(kind: ThrottleKind, subscription: string): ThrottleDecision | undefined {
    const bucketKind = this.bucketOf(kind);
    const limits = this.limits[bucketKind];
    if (!limits || !this.buckets.active) return undefined;
    return this.buckets.take(`${bucketKind}|${subscription.toLowerCase()}`, limits);
  }

  /** The bucket a request of `kind` draws from: deletes use writes' when no deletes bucket is set. */
  bucketOf(kind: ThrottleKind): ThrottleKind {
    return kind === 'deletes' && !this.limits.deletes ? 'writes' : kind;
  }

  reset(): void {
    this.buckets.reset();
  }
}

import { ArmError } from './armError';
import { type BucketLimits, checkBucketLimits, TokenBuckets } from './tokenBuckets';

/**
 * Compute's own request limits (the Compute resource provider, behind ARM's): one policy per kind
 * of VM request, each a set of token buckets per region — some per subscription, some per VM. A
 * request passes only when every bucket of its policy has a token; otherwise Compute answers 429
 * `OperationNotAllowed` with `Retry-After`. Every answer to a VM request carries
 * `x-ms-ratelimit-remaining-resource: Microsoft.Compute/<bucket>;<count>,…`, one entry per bucket.
 *
 * Two sets of figures (README, "Request limits"):
 * - `'azure'` — Compute's documentation ("Compute throttling limits", learn.microsoft.com, 2024):
 *   per VM and per subscription per region, refilled per minute; header entries are named after the
 *   policy (`Microsoft.Compute/PutVM;11`), resource bucket first.
 * - `'azure-legacy'` — the 3- and 30-minute policies Compute's headers have long reported
 *   (`Microsoft.Compute/PutVM3Min;239,Microsoft.Compute/PutVM30Min;1199`), with the limits read off
 *   recorded responses (DeleteVM's an estimate), modelled as buckets refilled over their window.
 *
 * Refill runs on the emulator's clock, so the limits scale with the time scale like every latency.
 */

export type ComputePolicyName =
  | 'PutVM'
  | 'UpdateVM'
  | 'DeleteVM'
  | 'LowCostGet'
  | 'HighCostGet'
  | 'GetOperation'
  | 'PutVMScaleSet'
  | 'UpdateVMScaleSet'
  | 'DeleteVMScaleSet'
  | 'LowCostGetVMScaleSet'
  | 'HighCostGetVMScaleSet';

export const COMPUTE_POLICIES: readonly ComputePolicyName[] = [
  'PutVM',
  'UpdateVM',
  'DeleteVM',
  'LowCostGet',
  'HighCostGet',
  'GetOperation',
  'PutVMScaleSet',
  'UpdateVMScaleSet',
  'DeleteVMScaleSet',
  'LowCostGetVMScaleSet',
  'HighCostGetVMScaleSet',
];

export interface ComputeBucket {
  /** The name after `Microsoft.Compute/` in the headers (e.g. `PutVM`, `PutVM3Min`). */
  name: string;
  /** Counted per subscription and region, or per resource (VM) as well. */
  scope: 'subscription' | 'resource';
  /** Tokens a full bucket holds. */
  burst: number;
  /** Tokens added per minute of Azure time. */
  perMinute: number;
}

export type ComputeThrottleLimits = Partial<Record<ComputePolicyName, readonly ComputeBucket[]>>;

const documented = (
  name: string,
  resource: [number, number] | undefined,
  subscription: [number, number],
): ComputeBucket[] => [
  ...(resource ? [{ name, scope: 'resource' as const, perMinute: resource[0], burst: resource[1] }] : []),
  { name, scope: 'subscription', perMinute: subscription[0], burst: subscription[1] },
];

/**
 * Scale sets' policies ("Throttling limits for Virtual Machine Scale Sets", same page): create,
 * update, delete, get one and the costly reads (instance view per set; lists per subscription only).
 * The VMs a Flexible set creates or deletes are not requests and take no PutVM/DeleteVM token.
 */
const SCALE_SET_LIMITS = {
  PutVMScaleSet: documented('PutVMScaleSet', [4, 12], [125, 375]),
  UpdateVMScaleSet: documented('UpdateVMScaleSet', [4, 12], [500, 1500]),
  DeleteVMScaleSet: documented('DeleteVMScaleSet', [4, 12], [175, 525]),
  LowCostGetVMScaleSet: documented('LowCostGetVMScaleSet', [12, 36], [800, 2400]),
  HighCostGetVMScaleSet: documented('HighCostGetVMScaleSet', [10, 30], [360, 1080]),
};

/** "Compute throttling limits" (learn.microsoft.com, 2024): [refill per minute, bucket capacity]. */
export const AZURE_COMPUTE_LIMITS: Readonly<Required<ComputeThrottleLimits>> = {
  ...SCALE_SET_LIMITS,
  PutVM: documented('PutVM', [4, 12], [500, 1500]),
  UpdateVM: documented('UpdateVM', [4, 12], [500, 1500]),
  DeleteVM: documented('DeleteVM', [4, 12], [500, 1500]),
  LowCostGet: documented('LowCostGet', [12, 36], [8000, 24000]),
  HighCostGet: documented('HighCostGet', undefined, [300, 900]),
  GetOperation: documented('GetOperation', [15, 45], [5000, 15000]),
};

const windowed = (name: string, per3Min: number, per30Min: number): ComputeBucket[] => [
  { name: `${name}3Min`, scope: 'subscription', burst: per3Min, perMinute: per3Min / 3 },
  { name: `${name}30Min`, scope: 'subscription', burst: per30Min, perMinute: per30Min / 30 },
];

/** The 3-/30-minute policies as recorded in Compute's response headers (DeleteVM estimated). */
export const AZURE_LEGACY_COMPUTE_LIMITS: Readonly<Required<ComputeThrottleLimits>> = {
  PutVM: windowed('PutVM', 240, 1200),
  UpdateVM: windowed('PutVM', 240, 1200),
  DeleteVM: windowed('DeleteVM', 240, 1200),
  LowCostGet: windowed('LowCostGet', 4000, 32000),
  HighCostGet: windowed('HighCostGet', 140, 700),
  GetOperation: windowed('GetOperation', 50000, 400000),
  // Estimate: the legacy 3-/30-minute scale set limits are not published; the documented ones stand in.
  ...SCALE_SET_LIMITS,
};

export type ComputeThrottleSetting = 'azure' | 'azure-legacy' | ComputeThrottleLimits;

export function computeLimitsOf(setting: ComputeThrottleSetting): ComputeThrottleLimits {
  if (setting === 'azure') return AZURE_COMPUTE_LIMITS;
  if (setting === 'azure-legacy') return AZURE_LEGACY_COMPUTE_LIMITS;
  return setting;
}

/** A VM request as Compute sees it. */
export interface ComputeRequest {
  policy: ComputePolicyName;
  subscriptionId: string;
  /** The region whose buckets count it ('*' when the request spans regions, e.g. a list). */
  region: string;
  /** The VM (lower-case id) for per-resource buckets. */
  resourceKey?: string;
}

export type ComputeDecision =
  { allowed: true; headers: Record<string, string> } | { allowed: false; error: ArmError };

export class ComputeThrottle {
  private readonly buckets: TokenBuckets;

  constructor(
    private readonly limits: ComputeThrottleLimits,
    timeScale: () => number,
    now: () => number = Date.now,
  ) {
    for (const [policy, buckets] of Object.entries<readonly ComputeBucket[] | undefined>(limits)) {
      if (!buckets) continue;
      if (!(COMPUTE_POLICIES as readonly string[]).includes(policy)) {
        throw new Error(`computeThrottle.${policy} is not a Compute policy (${COMPUTE_POLICIES.join(', ')})`);
      }
      for (const b of buckets) {
        checkBucketLimits(`computeThrottle.${policy}.${b.name}`, {
          burst: b.burst,
          perSecond: b.perMinute / 60,
        });
        if (b.scope !== 'subscription' && b.scope !== 'resource') {
          throw new Error(`computeThrottle.${policy}.${b.name}.scope must be 'subscription' or 'resource'`);
        }
      }
    }
    this.buckets = new TokenBuckets(timeScale, now);
  }

  /**
   * Takes one token from every bucket of the request's policy, or none when any is empty (then the
   * 429 to answer). Undefined when the policy is not limited or time is instant.
   */
  take(request: ComputeRequest): ComputeDecision | undefined {
    const policy = this.limits[request.policy];
    if (!policy || policy.length === 0 || !this.buckets.active) return undefined;
    const entries = policy
      .filter((b) => b.scope === 'subscription' || request.resourceKey !== undefined)
      .map((b) => ({
        bucket: b,
        key: [
          request.policy,
          b.name,
          b.scope,
          request.subscriptionId.toLowerCase(),
          request.region.toLowerCase(),
          b.scope === 'resource' ? (request.resourceKey ?? '') : '',
        ].join('|'),
        limits: { burst: b.burst, perSecond: b.perMinute / 60 } satisfies BucketLimits,
      }));
    const waits = entries.map((e) => this.buckets.waitMs(e.key, e.limits));
    const retryAfterMs = Math.max(0, ...waits);
    if (retryAfterMs > 0) {
      const header = entries
        .map(
          (e, i) =>
            `Microsoft.Compute/${e.bucket.name};${waits[i]! > 0 ? 0 : Math.floor(this.buckets.peek(e.key, e.limits))}`,
        )
        .join(',');
      const empty = entries.find((_, i) => waits[i]! > 0)!;
      const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
      const now = new Date();
      return {
        allowed: false,
        error: new ArmError(
          429,
          'OperationNotAllowed',
          `The server rejected the request because too many requests have been received for this ${empty.bucket.scope}.`,
          {
            'retry-after': String(seconds),
            // At a small time scale whole seconds are far too coarse; the SDKs honour this header first.
            'x-ms-retry-after-ms': String(retryAfterMs),
            'x-ms-ratelimit-remaining-resource': header,
          },
          undefined,
          [
            {
              code: 'TooManyRequests',
              target: empty.bucket.name,
              message: JSON.stringify({
                operationGroup: empty.bucket.name,
                startTime: now.toISOString(),
                endTime: new Date(now.getTime() + retryAfterMs).toISOString(),
                allowedRequestCount: empty.bucket.burst,
                measuredRequestCount: empty.bucket.burst + 1,
              }),
            },
          ],
        ),
      };
    }
    const header = entries
      .map((e) => {
        const taken = this.buckets.take(e.key, e.limits);
        return `Microsoft.Compute/${e.bucket.name};${taken.remaining}`;
      })
      .join(',');
    return { allowed: true, headers: { 'x-ms-ratelimit-remaining-resource': header } };
  }

  reset(): void {
    this.buckets.reset();
  }
}

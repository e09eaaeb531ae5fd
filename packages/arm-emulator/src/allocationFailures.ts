import { randomUUID } from 'node:crypto';

import { ArmError } from './armError';
import { ArmTypes } from './armTypes';
import { asArray, asObject, asString } from './json';
import { normalizeLocation } from './regions';
import type { ResourceRecord } from './store/records';

/**
 * Capacity that is not there: a VM of `size` in `zone` (of `location`) cannot be allocated. Azure
 * answers that in one of three ways, and so does the emulator:
 *
 * - `ZonalAllocationFailed` and `AllocationFailed`: the PUT is accepted (201 and an operation); the
 *   operation ends Failed with that code and the VM stays, provisioningState `Failed`, deletable (a
 *   PUT of the same VM tries the allocation again).
 * - `SkuNotAvailable`: the PUT itself is refused (409 Conflict) and no VM is created.
 *
 * A rule fires on every VM create that matches (and on a re-PUT of a Failed VM), `count` times when
 * given, then it is dropped.
 */
export const ALLOCATION_FAILURE_CODES = [
  'ZonalAllocationFailed',
  'AllocationFailed',
  'SkuNotAvailable',
] as const;
export type AllocationFailureCode = (typeof ALLOCATION_FAILURE_CODES)[number];

export interface AllocationFailureRule {
  code: AllocationFailureCode;
  /** The VM size (any case); every size when absent. */
  size?: string;
  /** The availability zone ("1", "2", "3"); every zone, and VMs without one, when absent. */
  zone?: string;
  /** The region (any spelling); every region when absent. */
  location?: string;
  /** How many VM creates it fails before it is dropped; every one when absent. */
  count?: number;
  /** Replaces Azure's message. */
  message?: string;
}

export type AllocationOutcome =
  { kind: 'lro'; failure: { code: string; message: string } } | { kind: 'sync'; error: ArmError };

interface ActiveRule {
  id: string;
  rule: AllocationFailureRule;
  remaining: number | undefined;
}

export class AllocationFailures {
  private rules: ActiveRule[] = [];

  constructor(initial: readonly AllocationFailureRule[] = []) {
    for (const rule of initial) this.add(rule);
  }

  /** Validates and adds a rule; returns its id. */
  add(input: unknown): string {
    const rule = parseAllocationFailureRule(input);
    const id = randomUUID();
    this.rules.push({ id, rule, remaining: rule.count });
    return id;
  }

  clear(): void {
    this.rules = [];
  }

  list(): { id: string; remaining: number | null; rule: AllocationFailureRule }[] {
    return this.rules.map((r) => ({ id: r.id, remaining: r.remaining ?? null, rule: r.rule }));
  }

  /**
   * What Azure answers a create of this VM in `location`, or undefined when it can be allocated.
   * Only VM creates (and re-PUTs of a Failed VM) allocate; updates of a running VM do not.
   */
  check(
    record: ResourceRecord,
    existing: ResourceRecord | undefined,
    location: string,
  ): AllocationOutcome | undefined {
    if (record.type !== ArmTypes.vm || this.rules.length === 0) return undefined;
    if (existing && existing.provisioningState !== 'Failed') return undefined;
    const size = asString(asObject(asObject(record.body.properties)?.hardwareProfile)?.vmSize) ?? '';
    const zones = asArray(record.body.zones).filter((z): z is string => typeof z === 'string');
    const region = normalizeLocation(location);
    const match = this.rules.find(
      (r) =>
        (r.rule.size === undefined || r.rule.size.toLowerCase() === size.toLowerCase()) &&
        (r.rule.zone === undefined || zones.includes(r.rule.zone)) &&
        (r.rule.location === undefined || normalizeLocation(r.rule.location) === region),
    );
    if (!match) return undefined;
    if (match.remaining !== undefined) {
      match.remaining -= 1;
      if (match.remaining <= 0) this.rules = this.rules.filter((r) => r !== match);
    }
    const { code } = match.rule;
    if (code === 'SkuNotAvailable') {
      return {
        kind: 'sync',
        error: new ArmError(
          409,
          code,
          match.rule.message ??
            `The requested size for resource '${record.id}' is currently not available in location '${region}' zones '${zones.join(',')}' for subscription '${record.subscriptionId}'. Please try another size or deploy to a different location or zones. See https://aka.ms/azureskunotavailable for details.`,
        ),
      };
    }
    const where = code === 'ZonalAllocationFailed' ? 'zone' : 'region';
    return {
      kind: 'lro',
      failure: {
        code,
        message:
          match.rule.message ??
          `Allocation failed. We do not have sufficient capacity for the requested VM size in this ${where}. Read more about improving likelihood of allocation success at http://aka.ms/allocation-guidance`,
      },
    };
  }
}

export function parseAllocationFailureRule(input: unknown): AllocationFailureRule {
  const raw = asObject(input);
  if (!raw) throw new Error('allocation failure rule must be a JSON object');
  const code = raw.code;
  if (typeof code !== 'string' || !(ALLOCATION_FAILURE_CODES as readonly string[]).includes(code)) {
    throw new Error(
      `allocation failure rule.code must be one of ${ALLOCATION_FAILURE_CODES.join(', ')}, got ${JSON.stringify(code ?? null)}`,
    );
  }
  const rule: AllocationFailureRule = { code: code as AllocationFailureCode };
  for (const field of ['size', 'zone', 'location', 'message'] as const) {
    const value = raw[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') {
      throw new Error(`allocation failure rule.${field} must be a non-empty string`);
    }
    rule[field] = value;
  }
  if (raw.count !== undefined) {
    if (typeof raw.count !== 'number' || !Number.isInteger(raw.count) || raw.count < 1) {
      throw new Error('allocation failure rule.count must be a positive integer');
    }
    rule.count = raw.count;
  }
  return rule;
}

/**
 * When a zone cannot allocate a VM size (ARM's ZonalAllocationFailed, AllocationFailed, SkuNotAvailable,
 * OverconstrainedZonalAllocationRequest), the node goes to the zone of its pool's list that has the
 * fewest of the pool's nodes among the zones not known to fail for that size (ties: the first in the
 * list). The VM records where it went and why in a tag, so a later apply of the same spec keeps it there
 * (virtualMachines.ts `normalize`) instead of moving it back and forth.
 */
import type { ResourceFailure } from '../failure';
import { type JsonObject, type PlannedResource, ResourceTypes } from './types';

/** Tag on a VM placed outside its planned zone: `zone <to> (zone <from>: <ARM code>)`. */
export const TAG_PLACEMENT = 'clusterProvisioner.placement';

const allocationFailureCodes = new Set(
  [
    'ZonalAllocationFailed',
    'AllocationFailed',
    'SkuNotAvailable',
    'OverconstrainedZonalAllocationRequest',
    'OverconstrainedAllocationRequest',
  ].map((c) => c.toLowerCase()),
);

export function isAllocationFailure(code: string): boolean {
  return allocationFailureCodes.has(code.toLowerCase());
}

/** A node placed outside its planned zone, as the status shows it. */
export interface PlacementDecision {
  node: string;
  pool: string;
  vmSize: string;
  fromZone: string;
  toZone: string;
  /** ARM's error in the planned zone. */
  error: ResourceFailure;
}

/** Per pool: the pool's zones (in spec order) and how many of its nodes each holds. */
export type PoolZoneCounts = Record<string, { zones: string[]; counts: Record<string, number> }>;

/** Counts the plan's VMs per pool and zone. */
export function poolZoneCounts(resources: readonly PlannedResource[]): PoolZoneCounts {
  const out: PoolZoneCounts = {};
  for (const r of resources) {
    if (r.type !== ResourceTypes.virtualMachine || r.pool === undefined || r.zone === undefined) continue;
    const pool = (out[r.pool] ??= { zones: [], counts: {} });
    if (!pool.zones.includes(r.zone)) pool.zones.push(r.zone);
    pool.counts[r.zone] = (pool.counts[r.zone] ?? 0) + 1;
  }
  for (const pool of Object.values(out)) pool.zones.sort();
  return out;
}

/** The pool's zone with the fewest nodes among those not failing; undefined when none is left. */
export function chooseFallbackZone(
  pool: { zones: string[]; counts: Record<string, number> },
  failing: ReadonlySet<string>,
): string | undefined {
  let best: string | undefined;
  for (const zone of pool.zones) {
    if (failing.has(zone)) continue;
    if (best === undefined || (pool.counts[zone] ?? 0) < (pool.counts[best] ?? 0)) best = zone;
  }
  return best;
}

export function vmSizeOf(vm: PlannedResource): string {
  const props = vm.body['properties'] as JsonObject | undefined;
  const hw = props?.['hardwareProfile'] as JsonObject | undefined;
  const size = hw?.['vmSize'];
  return typeof size === 'string' ? size : '';
}

/** The VM planned again in another zone, tagged with where it went and why. */
export function relocatedVm(vm: PlannedResource, toZone: string, failure: ResourceFailure): PlannedResource {
  const tags = (vm.body['tags'] as JsonObject | undefined) ?? {};
  return {
    ...vm,
    zone: toZone,
    body: {
      ...vm.body,
      zones: [toZone],
      tags: { ...tags, [TAG_PLACEMENT]: `zone ${toZone} (zone ${vm.zone ?? 'none'}: ${failure.code})` },
    },
  };
}

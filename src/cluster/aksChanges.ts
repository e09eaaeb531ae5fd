/**
 * What AKS refuses to change on an existing cluster, checked against the spec the cluster was last
 * provisioned from, before anything is written. A pool's zones, VM size, max pods and OS disk are
 * fixed when the pool is created: a new pool (another name) is the way to change them.
 */
import type { SpecError } from './rawInput';
import type { AksClusterSpec, AksNodePoolSpec } from './spec';

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((value) => b.includes(value));

const show = (zones: readonly string[]): string => (zones.length > 0 ? `[${zones.join(', ')}]` : 'no zones');

const immutablePoolFields: {
  field: 'vmSize' | 'maxPods' | 'osDiskSizeGB';
  differs: (previous: AksNodePoolSpec, next: AksNodePoolSpec) => boolean;
}[] = [
  { field: 'vmSize', differs: (a, b) => a.vmSize.toLowerCase() !== b.vmSize.toLowerCase() },
  { field: 'maxPods', differs: (a, b) => a.maxPods !== b.maxPods },
  { field: 'osDiskSizeGB', differs: (a, b) => a.osDiskSizeGB !== b.osDiskSizeGB },
];

/** Refusals for `next` given the spec the cluster exists with (`previous`); empty when the change is allowed. */
export function checkAksChange(previous: AksClusterSpec, next: AksClusterSpec): SpecError[] {
  const errors: SpecError[] = [];
  const before = new Map(previous.nodePools.map((pool) => [pool.name, pool]));
  next.nodePools.forEach((pool, index) => {
    const existing = before.get(pool.name);
    if (!existing) return;
    const path = `nodePools[${index}]`;
    if (!sameSet(existing.zones, pool.zones)) {
      errors.push({
        path: `${path}.zones`,
        message: `pool "${pool.name}" exists in ${show(existing.zones)}; AKS cannot move a pool to ${show(pool.zones)} — add a pool with another name and remove this one`,
      });
    }
    for (const { field, differs } of immutablePoolFields) {
      if (!differs(existing, pool)) continue;
      errors.push({
        path: `${path}.${field}`,
        message: `pool "${pool.name}" was created with ${field} ${String(existing[field] ?? 'default')}; AKS cannot change it on an existing pool — add a pool with another name and remove this one`,
      });
    }
  });
  return errors;
}

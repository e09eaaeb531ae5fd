/**
 * Worker pools built as one Flexible-orchestration virtual machine scale set per zone (issue 12,
 * docs/large-clusters.md "Flexible scale sets per zone vs single VMs"). Every member is a plain VM
 * with its own NIC (no public IP), created by Azure from the set's profile and named by it
 * (`<set>_<8 hex>`): the plan knows each zone's capacity, not the nodes.
 *
 * - Which way a pool is built: an existing pool keeps what it was built with; a new one takes the
 *   spec's `orchestration`, else FlexibleScaleSet from FLEX_POOL_MIN_COUNT nodes on.
 * - Capacity per zone: a new pool splits its count evenly over its zones (the first zones take the
 *   remainder, as round-robin placement does); an existing pool keeps each zone's current members and
 *   only the difference is placed — growing into the emptiest zones, shrinking from the fullest — so
 *   a later apply never moves a node between zones.
 */
import { renderCustomData } from '../bootstrap/cloudConfig';
import { clusterBootstrap } from '../bootstrap/clusterBootstrap';
import {
  FLEX_POOL_MIN_COUNT,
  type IaasClusterSpec,
  type IaasNodePoolSpec,
  type PoolOrchestration,
} from '../spec';
import { type PlanContext, resource, sshOnlyLinux, TAG_POOL } from './context';
import { type PlannedResource, ResourceTypes } from './types';

/** The zone key of a regional pool (no zones) in per-zone counts. */
export const NO_ZONE = '';

/** Members per zone of a Flexible pool's existing sets (`NO_ZONE` for a regional pool's one set). */
export type ZoneCapacities = Readonly<Record<string, number>>;

/** What exists of the cluster's Flexible pools: per pool, its sets' capacities per zone. */
export type ExistingScaleSets = Readonly<Record<string, ZoneCapacities>>;

/** The ARM API version the members' NICs are created through (required in Flexible mode). */
export const SCALE_SET_NETWORK_API_VERSION = '2020-11-01';

export class OrchestrationChangeError extends Error {
  override readonly name = 'OrchestrationChangeError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How pool `pool` (at index `index` of the spec) is built. `existing` is what it was built with when
 * it has nodes or sets today; an explicit different value throws naming `nodePools[<index>].orchestration`.
 */
export function poolOrchestration(
  pool: Pick<IaasNodePoolSpec, 'count' | 'orchestration'>,
  index: number,
  existing: PoolOrchestration | undefined,
): PoolOrchestration {
  if (existing !== undefined) {
    if (pool.orchestration !== undefined && pool.orchestration !== existing) {
      const path = `nodePools[${index}].orchestration`;
      throw new OrchestrationChangeError(
        path,
        `${path} cannot change from "${existing}" to "${pool.orchestration}" on an existing pool: its nodes were built that way; leave the field out (or set it to "${existing}"), or create a new pool and remove this one`,
      );
    }
    return existing;
  }
  return pool.orchestration ?? (pool.count >= FLEX_POOL_MIN_COUNT ? 'FlexibleScaleSet' : 'VirtualMachines');
}

/**
 * Capacity per zone key (`NO_ZONE` when `zones` is empty) for `count` nodes. Without `existing`:
 * an even split, the earlier zones taking the remainder. With it: each zone keeps its members, the
 * difference goes one node at a time to the emptiest listed zone (ties: the earlier) or comes from
 * the fullest (zones no longer listed first; ties: the later zone).
 */
export function splitCapacity(
  zones: readonly string[],
  count: number,
  existing?: ZoneCapacities,
): Record<string, number> {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`node count must be a whole number ≥ 0 (got ${count})`);
  }
  const keys = zones.length > 0 ? [...zones] : [NO_ZONE];
  const out: Record<string, number> = {};
  for (const key of keys) out[key] = 0;
  for (const [key, n] of Object.entries(existing ?? {})) out[key] = (out[key] ?? 0) + Math.max(0, n);
  const listed = new Set(keys);
  let total = Object.values(out).reduce((a, b) => a + b, 0);
  while (total < count) {
    const key = keys.reduce((best, k) => ((out[k] ?? 0) < (out[best] ?? 0) ? k : best));
    out[key] = (out[key] ?? 0) + 1;
    total++;
  }
  while (total > count) {
    let victim: string | undefined;
    for (const key of Object.keys(out)) {
      const n = out[key] ?? 0;
      if (n === 0) continue;
      if (victim === undefined) {
        victim = key;
        continue;
      }
      const v = out[victim] ?? 0;
      const aListed = listed.has(key);
      const bListed = listed.has(victim);
      if (aListed !== bListed ? !aListed : n > v || (n === v && key > victim)) victim = key;
    }
    if (victim === undefined) break;
    out[victim] = (out[victim] ?? 0) - 1;
    total--;
  }
  // A zone no longer listed with no members left has no set any more.
  for (const key of Object.keys(out)) if (!listed.has(key) && out[key] === 0) delete out[key];
  return out;
}

/** `<cluster>-<pool>-z<zone>`, or `<cluster>-<pool>` for a regional pool. */
export function scaleSetName(cluster: string, pool: string, zone: string): string {
  return zone === NO_ZONE ? `${cluster}-${pool}` : `${cluster}-${pool}-z${zone}`;
}

export interface ScaleSetRefs {
  workerSubnetId: string;
  workerIdentityId: string;
  /** The worker identity and its role assignments (what a worker VM waits for besides its NIC). */
  workerReady: string[];
}

/** The pool's scale sets, one per zone key of `capacities`. */
export function planPoolScaleSets(
  spec: IaasClusterSpec,
  ctx: PlanContext,
  pool: IaasNodePoolSpec,
  refs: ScaleSetRefs,
  capacities: Record<string, number>,
): PlannedResource[] {
  const bootstrap = clusterBootstrap(spec, ctx.subscriptionId);
  // One custom data per pool (the same as its single worker VMs would get): nothing per node, no secret.
  const customData = Buffer.from(
    renderCustomData({ cluster: bootstrap, role: 'worker', pool: pool.name }, pool.cloudInit),
    'utf8',
  ).toString('base64');
  const { adminUsername, publicKey } = spec.ssh;
  return Object.entries(capacities).map(([zone, capacity]) => {
    const name = scaleSetName(spec.name, pool.name, zone);
    return resource({
      id: ctx.id(ResourceTypes.virtualMachineScaleSet, name),
      type: ResourceTypes.virtualMachineScaleSet,
      role: 'workerScaleSet',
      ...(zone !== NO_ZONE ? { zone } : {}),
      pool: pool.name,
      dependsOn: [refs.workerSubnetId, ...refs.workerReady],
      owned: true,
      body: {
        location: spec.location,
        identity: { type: 'UserAssigned', userAssignedIdentities: { [refs.workerIdentityId]: {} } },
        tags: ctx.tags('workerScaleSet', {
          [TAG_POOL]: pool.name,
          'clusterProvisioner.kubernetesVersion': spec.kubernetesVersion,
        }),
        ...(zone !== NO_ZONE ? { zones: [zone] } : {}),
        sku: { name: pool.vmSize, capacity },
        properties: {
          orchestrationMode: 'Flexible',
          platformFaultDomainCount: 1,
          virtualMachineProfile: {
            storageProfile: {
              imageReference: { ...spec.image },
              osDisk: {
                osType: 'Linux',
                createOption: 'FromImage',
                caching: 'ReadWrite',
                diskSizeGB: pool.osDisk.sizeGB,
                managedDisk: { storageAccountType: pool.osDisk.type },
                deleteOption: 'Delete',
              },
            },
            osProfile: {
              // Azure appends 6 characters per member; the Kubernetes node name is the computer name.
              computerNamePrefix: name.slice(0, 15),
              adminUsername,
              linuxConfiguration: sshOnlyLinux(adminUsername, publicKey),
              customData,
            },
            networkProfile: {
              networkApiVersion: SCALE_SET_NETWORK_API_VERSION,
              networkInterfaceConfigurations: [
                {
                  name: 'nic',
                  properties: {
                    primary: true,
                    deleteOption: 'Delete',
                    ipConfigurations: [
                      {
                        name: 'ipconfig1',
                        properties: {
                          primary: true,
                          privateIPAddressVersion: 'IPv4',
                          subnet: { id: refs.workerSubnetId },
                        },
                      },
                    ],
                  },
                },
              ],
            },
            diagnosticsProfile: { bootDiagnostics: { enabled: true } },
          },
        },
      },
    });
  });
}

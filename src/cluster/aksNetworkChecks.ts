/**
 * AKS network rules that hold for a created VNet (checked at validation) and a brought one (checked
 * once it has been read: `checkBroughtAksNetwork` is pure, given what ARM returned).
 */
import { cidrsOverlap, type Ipv4Cidr, parseIpv4Cidr, usableSubnetAddresses } from './cidr';
import type { SpecError } from './rawInput';
import type { AksClusterSpec } from './spec';

/** AKS's default `maxPods` per node: 30 with Azure CNI (pods take subnet addresses), 250 otherwise. */
export function defaultMaxPods(plugin: string | undefined, overlay: boolean): number {
  return plugin === 'azure' && !overlay ? 30 : 250;
}

export interface PoolSizing {
  count?: number;
  maxCount?: number;
  maxPods?: number;
}

/**
 * Addresses the node subnet must hold: with Azure CNI every node takes one and each of its pods one
 * more, so nodes × (maxPods + 1), pools at their largest; with overlay or kubenet, one per node.
 */
export function nodeSubnetAddressesNeeded(
  pools: readonly PoolSizing[],
  plugin: string | undefined,
  overlay: boolean,
): number {
  const podsOnSubnet = plugin === 'azure' && !overlay;
  return pools.reduce((sum, pool) => {
    const nodes = Math.max(pool.count ?? 0, pool.maxCount ?? 0);
    const perNode = podsOnSubnet ? (pool.maxPods ?? defaultMaxPods(plugin, overlay)) + 1 : 1;
    return sum + nodes * perNode;
  }, 0);
}

export function nodeSubnetCapacityProblem(
  subnet: Ipv4Cidr,
  pools: readonly PoolSizing[],
  plugin: string | undefined,
  overlay: boolean,
): string | undefined {
  const needed = nodeSubnetAddressesNeeded(pools, plugin, overlay);
  const usable = usableSubnetAddresses(subnet);
  if (needed <= usable) return undefined;
  const why =
    plugin === 'azure' && !overlay
      ? 'Azure CNI gives every node and each of its pods an address: nodes × (maxPods + 1), pools at maxCount'
      : 'one per node, pools at maxCount';
  return `${subnet.text} has ${usable} usable addresses but the node pools need ${needed} (${why})`;
}

/** What a brought network looks like in ARM (the VNet's address space, the node subnet's range). */
export interface BroughtAksNetwork {
  vnetAddressPrefixes: string[];
  nodeSubnetAddressPrefix: string;
}

/**
 * Checks a brought VNet against the spec: the service and pod ranges must not overlap it (AKS would
 * route cluster-internal addresses into the VNet), and the node subnet must hold every node (and,
 * with Azure CNI, every pod).
 */
export function checkBroughtAksNetwork(spec: AksClusterSpec, network: BroughtAksNetwork): SpecError[] {
  const errors: SpecError[] = [];
  const ranges = network.vnetAddressPrefixes.flatMap((text) => {
    const parsed = parseIpv4Cidr(text);
    return parsed.ok ? [parsed.cidr] : [];
  });
  const vnetName = spec.network.nodeSubnet?.vnetName ?? 'the VNet';
  for (const field of ['serviceCidr', 'podCidr'] as const) {
    const text = spec.network[field];
    if (text === undefined) continue;
    const parsed = parseIpv4Cidr(text);
    if (!parsed.ok) continue;
    const hit = ranges.find((range) => cidrsOverlap(range, parsed.cidr));
    if (hit) {
      errors.push({
        path: `network.${field}`,
        message: `${text} overlaps ${hit.text} of the brought VNet ${vnetName}; choose a range outside it`,
      });
    }
  }
  const subnet = parseIpv4Cidr(network.nodeSubnetAddressPrefix);
  if (subnet.ok) {
    const problem = nodeSubnetCapacityProblem(
      subnet.cidr,
      spec.nodePools,
      spec.network.plugin,
      spec.network.pluginMode === 'overlay',
    );
    if (problem) errors.push({ path: 'network.nodeSubnet', message: problem });
  }
  return errors;
}

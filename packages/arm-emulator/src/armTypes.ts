/** The ARM resource types the emulator serves, and how their ids are built and keyed. */
export const ArmTypes = {
  resourceGroup: 'Microsoft.Resources/resourceGroups',
  vnet: 'Microsoft.Network/virtualNetworks',
  subnet: 'Microsoft.Network/virtualNetworks/subnets',
  nsg: 'Microsoft.Network/networkSecurityGroups',
  publicIp: 'Microsoft.Network/publicIPAddresses',
  natGateway: 'Microsoft.Network/natGateways',
  loadBalancer: 'Microsoft.Network/loadBalancers',
  nic: 'Microsoft.Network/networkInterfaces',
  vm: 'Microsoft.Compute/virtualMachines',
  managedCluster: 'Microsoft.ContainerService/managedClusters',
  agentPool: 'Microsoft.ContainerService/managedClusters/agentPools',
} as const;

export type ArmType = (typeof ArmTypes)[Exclude<keyof typeof ArmTypes, 'resourceGroup'>];

const byLowerCase = new Map<string, ArmType>(
  Object.entries(ArmTypes)
    .filter(([k]) => k !== 'resourceGroup')
    .map(([, v]) => [v.toLowerCase(), v as ArmType]),
);

/** Canonical type for `namespace/type[/child]` in any case, or undefined when not served. */
export function resolveArmType(typePath: string): ArmType | undefined {
  return byLowerCase.get(typePath.toLowerCase());
}

/** Child types and their parent type (subnets of a VNet, agent pools of a cluster). */
export function parentTypeOf(type: ArmType): ArmType | undefined {
  const segments = type.split('/');
  return segments.length > 2 ? resolveArmType(segments.slice(0, -1).join('/')) : undefined;
}

export function namespaceOf(type: string): string {
  return type.split('/')[0] ?? type;
}

/** Where a resource lives: the names in the URL, in the case the client sent them. */
export interface ResourceAddress {
  subscriptionId: string;
  resourceGroup: string;
  type: ArmType;
  /** One name per type segment after the namespace (VNet name, then subnet name). */
  names: string[];
}

export function resourceIdOf(address: ResourceAddress): string {
  const [namespace, ...segments] = address.type.split('/');
  let id = `/subscriptions/${address.subscriptionId}/resourceGroups/${address.resourceGroup}/providers/${namespace}`;
  segments.forEach((segment, i) => {
    id += `/${segment}/${address.names[i] ?? ''}`;
  });
  return id;
}

/** ARM ids are case-insensitive: the lower-cased id is the store key. */
export function keyOf(id: string): string {
  return id.replace(/\/+$/, '').toLowerCase();
}

export function resourceGroupKey(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}`.toLowerCase();
}

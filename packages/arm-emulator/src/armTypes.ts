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

/** A served type in its canonical spelling (see `providers/index.ts`). */
export type ArmType = string;

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

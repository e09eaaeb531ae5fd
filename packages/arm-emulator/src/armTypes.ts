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
  vmss: 'Microsoft.Compute/virtualMachineScaleSets',
  managedCluster: 'Microsoft.ContainerService/managedClusters',
  agentPool: 'Microsoft.ContainerService/managedClusters/agentPools',
  userAssignedIdentity: 'Microsoft.ManagedIdentity/userAssignedIdentities',
  policyAssignment: 'Microsoft.Authorization/policyAssignments',
} as const;

/**
 * The table type of an extension resource of `scopeType` (a role assignment on a subnet, a Flux
 * configuration of a cluster). ARM addresses one as `<scope id>/providers/<Namespace>/<type>/<name>`;
 * the router reads that as the scope's type segments, `providers`, then `<type>`, with the namespace
 * as the name at `providers` — so the table key is `<scopeType>/providers/<type>`.
 */
export function extensionType(scopeType: string, type: string): string {
  const [, ...segments] = type.split('/');
  return `${scopeType}/providers/${segments.join('/')}`;
}

/** The namespace an extension type's resources live in, or undefined for an ordinary type. */
export function extensionNamespaceOf(provider: { type: string; armType?: string }): string | undefined {
  return provider.type.includes('/providers/') ? namespaceOf(provider.armType ?? '') : undefined;
}

/** The address of a resource's parent of type `parentType` (names of the segments it lacks dropped). */
export function parentAddressOf(address: ResourceAddress, parentType: string): ResourceAddress {
  const dropped = address.type.split('/').length - parentType.split('/').length;
  return { ...address, type: parentType, names: address.names.slice(0, address.names.length - dropped) };
}

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

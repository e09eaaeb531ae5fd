/**
 * The resource types the app can reconcile: one module per ARM type, one line each. Adding a type to
 * the app = its module under `types/<namespace>/` (plus the namespace's `sdk.ts` the first time),
 * one line here, its `ResourceTypes` entry and its planner.
 */
import { roleAssignments } from './authorization/roleAssignments';
import { virtualMachines } from './compute/virtualMachines';
import { virtualMachineScaleSets } from './compute/virtualMachineScaleSets';
import { agentPools } from './containerService/agentPools';
import { managedClusters } from './containerService/managedClusters';
import { vaults } from './keyVault/vaults';
import { clusterExtensions } from './kubernetesConfiguration/extensions';
import { fluxConfigurations } from './kubernetesConfiguration/fluxConfigurations';
import { userAssignedIdentities } from './msi/userAssignedIdentities';
import { loadBalancers } from './network/loadBalancers';
import { natGateways } from './network/natGateways';
import { networkInterfaces } from './network/networkInterfaces';
import { networkSecurityGroups } from './network/networkSecurityGroups';
import { publicIPAddresses } from './network/publicIPAddresses';
import { subnets } from './network/subnets';
import { virtualNetworks } from './network/virtualNetworks';
import { policyAssignments } from './policy/policyAssignments';
import type { ResourceTypeModule } from './resourceType';

export interface ResourceTypeRegistry {
  /** The module of an ARM type (case-insensitive), or a clear error naming the type. */
  get(type: string): ResourceTypeModule;
  /** Every registered type. */
  readonly types: readonly string[];
}

export function createRegistry(modules: readonly ResourceTypeModule[]): ResourceTypeRegistry {
  const byType = new Map<string, ResourceTypeModule>();
  for (const m of modules) {
    if (byType.has(m.type.toLowerCase())) throw new Error(`Resource type "${m.type}" is registered twice`);
    byType.set(m.type.toLowerCase(), m);
  }
  return {
    get(type: string): ResourceTypeModule {
      const found = byType.get(type.toLowerCase());
      if (!found) throw new Error(`No resource type module for "${type}"`);
      return found;
    },
    types: modules.map((m) => m.type),
  };
}

/** What the app's activities reconcile. */
export const resourceTypes: ResourceTypeRegistry = createRegistry([
  virtualNetworks,
  subnets,
  networkSecurityGroups,
  publicIPAddresses,
  natGateways,
  loadBalancers,
  networkInterfaces,
  virtualMachines,
  virtualMachineScaleSets,
  userAssignedIdentities,
  roleAssignments,
  managedClusters,
  agentPools,
  policyAssignments,
  clusterExtensions,
  fluxConfigurations,
  vaults,
]);

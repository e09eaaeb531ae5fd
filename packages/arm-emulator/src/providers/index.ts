import { badRequest } from '../armError';
import { ArmTypes } from '../armTypes';
import { policyAssignments } from './authorization/policyAssignments';
import { roleAssignmentsAt } from './authorization/roleAssignments';
import { runCommands } from './compute/runCommands';
import { virtualMachines } from './compute/virtualMachines';
import { virtualMachineScaleSets } from './compute/virtualMachineScaleSets';
import { agentPools } from './containerService/agentPools';
import { managedClusters } from './containerService/managedClusters';
import {
  systemTopicEventSubscriptions,
  systemTopics,
  topicEventSubscriptions,
  topics,
} from './eventGrid/topics';
import { components, workspaces } from './insights/components';
import { secrets } from './keyVault/secrets';
import { vaults } from './keyVault/vaults';
import { clusterExtensions } from './kubernetesConfiguration/extensions';
import { fluxConfigurations } from './kubernetesConfiguration/fluxConfigurations';
import { userAssignedIdentities } from './managedIdentity/userAssignedIdentities';
import { loadBalancers } from './network/loadBalancers';
import { natGateways } from './network/natGateways';
import { networkInterfaces } from './network/networkInterfaces';
import { networkSecurityGroups } from './network/networkSecurityGroups';
import { publicIPAddresses } from './network/publicIPAddresses';
import { subnets } from './network/subnets';
import { virtualNetworks } from './network/virtualNetworks';
import type { ResourceProvider } from './provider';
import { resourceGroups } from './resources/resourceGroups';
import { blobContainers, blobServices, storageAccounts } from './storage/storageAccounts';
import { serverfarms } from './web/serverfarms';
import { siteConfig, sites } from './web/sites';

/** Every resource type the emulator serves. Adding a type: one module and one line here. */
export const PROVIDERS: readonly ResourceProvider[] = [
  virtualNetworks,
  subnets,
  networkSecurityGroups,
  publicIPAddresses,
  natGateways,
  loadBalancers,
  networkInterfaces,
  virtualMachines,
  virtualMachineScaleSets,
  runCommands,
  managedClusters,
  agentPools,
  userAssignedIdentities,
  storageAccounts,
  blobServices,
  blobContainers,
  workspaces,
  components,
  serverfarms,
  sites,
  siteConfig,
  topics,
  topicEventSubscriptions,
  systemTopics,
  systemTopicEventSubscriptions,
  roleAssignmentsAt(undefined),
  roleAssignmentsAt(ArmTypes.vnet),
  roleAssignmentsAt(ArmTypes.subnet),
  roleAssignmentsAt('Microsoft.KeyVault/vaults'),
  roleAssignmentsAt('Microsoft.KeyVault/vaults/secrets'),
  roleAssignmentsAt(storageAccounts.type),
  roleAssignmentsAt(components.type),
  roleAssignmentsAt(topics.type),
  policyAssignments,
  clusterExtensions,
  fluxConfigurations,
  vaults,
  secrets,
];

const byType = new Map(PROVIDERS.map((p) => [p.type.toLowerCase(), p]));

/** Canonical type for `namespace/type[/child]` in any case, or undefined when not served. */
export function resolveArmType(typePath: string): string | undefined {
  return byType.get(typePath.toLowerCase())?.type;
}

/** The provider of a served type (any case). */
export function providerOf(type: string): ResourceProvider {
  const provider = byType.get(type.toLowerCase());
  if (!provider)
    throw badRequest('InvalidResourceType', `The resource type '${type}' is not served by this emulator.`);
  return provider;
}

/** Child types and their parent type (subnets of a VNet, agent pools of a cluster). */
export function parentTypeOf(type: string): string | undefined {
  const segments = type.split('/');
  // An extension resource's parent is its scope: `<scopeType>/providers/<type>` → `<scopeType>`.
  const drop = segments[segments.length - 2]?.toLowerCase() === 'providers' ? 2 : 1;
  return segments.length > 2 ? resolveArmType(segments.slice(0, -drop).join('/')) : undefined;
}

/** Latency per type at time scale 1, keyed by lower-case type. */
export const DEFAULT_LATENCY_MS: Readonly<Record<string, { write: number; delete: number }>> =
  Object.fromEntries([resourceGroups, ...PROVIDERS].map((p) => [p.type.toLowerCase(), { ...p.latencyMs }]));

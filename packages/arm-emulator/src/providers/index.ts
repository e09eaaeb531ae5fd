import { badRequest } from '../armError';
import { virtualMachines } from './compute/virtualMachines';
import { agentPools } from './containerService/agentPools';
import { managedClusters } from './containerService/managedClusters';
import { vaults } from './keyVault/vaults';
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
  managedClusters,
  agentPools,
  userAssignedIdentities,
  vaults,
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
  return segments.length > 2 ? resolveArmType(segments.slice(0, -1).join('/')) : undefined;
}

/** Latency per type at time scale 1, keyed by lower-case type. */
export const DEFAULT_LATENCY_MS: Readonly<Record<string, { write: number; delete: number }>> =
  Object.fromEntries([resourceGroups, ...PROVIDERS].map((p) => [p.type.toLowerCase(), { ...p.latencyMs }]));

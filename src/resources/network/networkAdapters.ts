import type {
  LoadBalancer,
  NatGateway,
  NetworkInterface,
  NetworkSecurityGroup,
  PublicIPAddress,
  Subnet,
  VirtualNetwork,
} from '@azure/arm-network';

import type { JsonObject } from '../../cluster/plan/types';
import { nameAt, type ResourceAdapter } from '../resourceAdapter';
import { toJson } from '../wire';

// The plan's bodies are checked against the SDK's own serializers by the integration tests (a
// re-apply makes no write), so these casts only move plain JSON across the library boundary.
const model = <T>(body: JsonObject): T => body as unknown as T;
const json = (value: unknown): JsonObject => toJson(value) as JsonObject;

export const virtualNetworkAdapter: ResourceAdapter = {
  type: 'Microsoft.Network/virtualNetworks',
  carryOver: ['subnets'],
  get: async (c, ref) => json(await c.network.virtualNetworks.get(ref.resourceGroup, nameAt(ref, 0))),
  put: async (c, ref, body, lro) =>
    json(
      await c.network.virtualNetworks.createOrUpdate(
        ref.resourceGroup,
        nameAt(ref, 0),
        model<VirtualNetwork>(body),
        lro,
      ),
    ),
  delete: async (c, ref, lro) => {
    await c.network.virtualNetworks.delete(ref.resourceGroup, nameAt(ref, 0), lro);
  },
};

export const subnetAdapter: ResourceAdapter = {
  type: 'Microsoft.Network/virtualNetworks/subnets',
  get: async (c, ref) => json(await c.network.subnets.get(ref.resourceGroup, nameAt(ref, 0), nameAt(ref, 1))),
  put: async (c, ref, body, lro) =>
    json(
      await c.network.subnets.createOrUpdate(
        ref.resourceGroup,
        nameAt(ref, 0),
        nameAt(ref, 1),
        model<Subnet>(body),
        lro,
      ),
    ),
  delete: async (c, ref, lro) => {
    await c.network.subnets.delete(ref.resourceGroup, nameAt(ref, 0), nameAt(ref, 1), lro);
  },
};

export const networkSecurityGroupAdapter: ResourceAdapter = {
  type: 'Microsoft.Network/networkSecurityGroups',
  get: async (c, ref) => json(await c.network.networkSecurityGroups.get(ref.resourceGroup, nameAt(ref, 0))),
  put: async (c, ref, body, lro) =>
    json(
      await c.network.networkSecurityGroups.createOrUpdate(
        ref.resourceGroup,
        nameAt(ref, 0),
        model<NetworkSecurityGroup>(body),
        lro,
      ),
    ),
  delete: async (c, ref, lro) => {
    await c.network.networkSecurityGroups.delete(ref.resourceGroup, nameAt(ref, 0), lro);
  },
};

export const publicIPAddressAdapter: ResourceAdapter = {
  type: 'Microsoft.Network/publicIPAddresses',
  get: async (c, ref) => json(await c.network.publicIPAddresses.get(ref.resourceGroup, nameAt(ref, 0))),
  put: async (c, ref, body, lro) =>
    json(
      await c.network.publicIPAddresses.createOrUpdate(
        ref.resourceGroup,
        nameAt(ref, 0),
        model<PublicIPAddress>(body),
        lro,
      ),
    ),
  delete: async (c, ref, lro) => {
    await c.network.publicIPAddresses.delete(ref.resourceGroup, nameAt(ref, 0), lro);
  },
  outputs: (actual): Record<string, string> =>
    typeof actual['ipAddress'] === 'string' ? { ipAddress: actual['ipAddress'] } : {},
};

export const natGatewayAdapter: ResourceAdapter = {
  type: 'Microsoft.Network/natGateways',
  get: async (c, ref) => json(await c.network.natGateways.get(ref.resourceGroup, nameAt(ref, 0))),
  put: async (c, ref, body, lro) =>
    json(
      await c.network.natGateways.createOrUpdate(
        ref.resourceGroup,
        nameAt(ref, 0),
        model<NatGateway>(body),
        lro,
      ),
    ),
  delete: async (c, ref, lro) => {
    await c.network.natGateways.delete(ref.resourceGroup, nameAt(ref, 0), lro);
  },
};

export const loadBalancerAdapter: ResourceAdapter = {
  type: 'Microsoft.Network/loadBalancers',
  get: async (c, ref) => json(await c.network.loadBalancers.get(ref.resourceGroup, nameAt(ref, 0))),
  put: async (c, ref, body, lro) =>
    json(
      await c.network.loadBalancers.createOrUpdate(
        ref.resourceGroup,
        nameAt(ref, 0),
        model<LoadBalancer>(body),
        lro,
      ),
    ),
  delete: async (c, ref, lro) => {
    await c.network.loadBalancers.delete(ref.resourceGroup, nameAt(ref, 0), lro);
  },
};

export const networkInterfaceAdapter: ResourceAdapter = {
  type: 'Microsoft.Network/networkInterfaces',
  get: async (c, ref) => json(await c.network.networkInterfaces.get(ref.resourceGroup, nameAt(ref, 0))),
  put: async (c, ref, body, lro) =>
    json(
      await c.network.networkInterfaces.createOrUpdate(
        ref.resourceGroup,
        nameAt(ref, 0),
        model<NetworkInterface>(body),
        lro,
      ),
    ),
  delete: async (c, ref, lro) => {
    await c.network.networkInterfaces.delete(ref.resourceGroup, nameAt(ref, 0), lro);
  },
  outputs: (actual): Record<string, string> => {
    const configs = actual['ipConfigurations'];
    const first = Array.isArray(configs) ? configs[0] : undefined;
    const ip =
      first && typeof first === 'object' && !Array.isArray(first) ? first['privateIPAddress'] : undefined;
    return typeof ip === 'string' ? { privateIPAddress: ip } : {};
  },
};

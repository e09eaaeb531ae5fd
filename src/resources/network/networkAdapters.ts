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
import { type LroOptions, nameAt, type ReconcileClients, type ResourceAdapter } from '../resourceAdapter';
import { toJson } from '../wire';

// The plan's bodies are checked against the SDK's own serializers by the integration tests (a
// re-apply makes no write), so these casts only move plain JSON across the library boundary.
const model = <T>(body: JsonObject): T => body as unknown as T;
const json = (value: unknown): JsonObject => toJson(value) as JsonObject;

/** The operations every top-level network resource type has on its typed SDK client. */
interface TopLevelOperations<T> {
  get(resourceGroup: string, name: string): PromiseLike<T>;
  createOrUpdate(resourceGroup: string, name: string, body: T, options: LroOptions): PromiseLike<T>;
  delete(resourceGroup: string, name: string, options: LroOptions): PromiseLike<unknown>;
}

/** An adapter for a resource addressed as `<resource group>/<name>` through one typed operation group. */
function topLevelAdapter<T>(
  type: string,
  operations: (clients: ReconcileClients) => TopLevelOperations<T>,
  extra: Pick<ResourceAdapter, 'outputs' | 'carryOver'> = {},
): ResourceAdapter {
  return {
    type,
    get: async (c, ref) => json(await operations(c).get(ref.resourceGroup, nameAt(ref, 0))),
    put: async (c, ref, body, lro) =>
      json(await operations(c).createOrUpdate(ref.resourceGroup, nameAt(ref, 0), model<T>(body), lro)),
    delete: async (c, ref, lro) => {
      await operations(c).delete(ref.resourceGroup, nameAt(ref, 0), lro);
    },
    ...extra,
  };
}

export const virtualNetworkAdapter = topLevelAdapter<VirtualNetwork>(
  'Microsoft.Network/virtualNetworks',
  (c) => c.network.virtualNetworks,
  { carryOver: ['subnets'] },
);

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

export const networkSecurityGroupAdapter = topLevelAdapter<NetworkSecurityGroup>(
  'Microsoft.Network/networkSecurityGroups',
  (c) => c.network.networkSecurityGroups,
);

export const publicIPAddressAdapter = topLevelAdapter<PublicIPAddress>(
  'Microsoft.Network/publicIPAddresses',
  (c) => c.network.publicIPAddresses,
  {
    outputs: (actual): Record<string, string> =>
      typeof actual['ipAddress'] === 'string' ? { ipAddress: actual['ipAddress'] } : {},
  },
);

export const natGatewayAdapter = topLevelAdapter<NatGateway>(
  'Microsoft.Network/natGateways',
  (c) => c.network.natGateways,
);

export const loadBalancerAdapter = topLevelAdapter<LoadBalancer>(
  'Microsoft.Network/loadBalancers',
  (c) => c.network.loadBalancers,
);

export const networkInterfaceAdapter = topLevelAdapter<NetworkInterface>(
  'Microsoft.Network/networkInterfaces',
  (c) => c.network.networkInterfaces,
  {
    outputs: (actual): Record<string, string> => {
      const configs = actual['ipConfigurations'];
      const first = Array.isArray(configs) ? configs[0] : undefined;
      const ip =
        first && typeof first === 'object' && !Array.isArray(first) ? first['privateIPAddress'] : undefined;
      return typeof ip === 'string' ? { privateIPAddress: ip } : {};
    },
  },
);

/**
 * What an AKS spec needs checked against ARM before the first write, as field errors: the
 * Kubernetes versions the region offers (`…/locations/{location}/kubernetesVersions`) and, for a
 * brought network, the VNet and node subnet as they are. The rules themselves are pure
 * (cluster/aksVersions.ts, cluster/aksNetworkChecks.ts); this module only reads.
 */
import { checkBroughtAksNetwork } from '../cluster/aksNetworkChecks';
import { checkOfferedVersions, offeredVersionsFrom } from '../cluster/aksVersions';
import { ResourceTypes } from '../cluster/plan/types';
import type { SpecError } from '../cluster/rawInput';
import type { AksClusterSpec } from '../cluster/spec';
import { isNotFound, type ReconcileOptions, withTransientRetry } from './reconcile';
import { parseResourceId } from './resourceId';
import { containerServiceSdk } from './types/containerService/sdk';
import type { ResourceTypeRegistry } from './types/registry';
import type { ArmConnection } from './types/sdkNamespace';

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

export async function aksPreflight(
  types: ResourceTypeRegistry,
  arm: ArmConnection,
  spec: AksClusterSpec,
  options: ReconcileOptions = {},
): Promise<SpecError[]> {
  const location = `/subscriptions/${arm.subscriptionId}/providers/Microsoft.ContainerService/locations/${spec.location}`;
  const versions = await withTransientRetry(
    location,
    () => arm.clientOf(containerServiceSdk).managedClusters.listKubernetesVersions(spec.location),
    options,
  );
  const errors = checkOfferedVersions(spec, offeredVersionsFrom(versions.values ?? []));

  const brought = spec.network.nodeSubnet;
  if (brought) {
    const vnetId = `/subscriptions/${arm.subscriptionId}/resourceGroups/${brought.vnetResourceGroup}/providers/${ResourceTypes.virtualNetwork}/${brought.vnetName}`;
    const subnetId = `${vnetId}/subnets/${brought.name}`;
    const read = async (id: string, type: string) => {
      const module = types.get(type);
      try {
        return await withTransientRetry(id, () => module.get(arm, parseResourceId(id)), options);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    };
    const vnet = await read(vnetId, ResourceTypes.virtualNetwork);
    const subnet = vnet ? await read(subnetId, ResourceTypes.subnet) : undefined;
    if (!vnet || !subnet) {
      errors.push({
        path: 'network.nodeSubnet',
        message: `${vnet ? `subnet "${brought.name}" of VNet "${brought.vnetName}"` : `VNet "${brought.vnetName}"`} does not exist in resource group "${brought.vnetResourceGroup}"`,
      });
    } else {
      const space = vnet['addressSpace'] as { addressPrefixes?: unknown } | undefined;
      const prefix =
        typeof subnet['addressPrefix'] === 'string'
          ? subnet['addressPrefix']
          : strings(subnet['addressPrefixes'])[0];
      errors.push(
        ...checkBroughtAksNetwork(spec, {
          vnetAddressPrefixes: strings(space?.addressPrefixes),
          nodeSubnetAddressPrefix: prefix ?? '',
        }),
      );
    }
  }
  return errors;
}

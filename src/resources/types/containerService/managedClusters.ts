/**
 * An AKS managed cluster. After creation its pools belong to their `agentPools` resources: AKS
 * refuses new pools through a managed-cluster PUT, and re-sending the profiles would fight the pool
 * resources (and the autoscaler) over counts, so an existing cluster is compared and PUT without
 * them. The autoscaler profile travels with kebab-case keys on the wire and camelCase in the SDK
 * model; both spellings are accepted here.
 */
import type { ManagedCluster } from '@azure/arm-containerservice';

import type { JsonObject } from '../../../cluster/plan/types';
import { ResourceTypes } from '../../../cluster/plan/types';
import { asJson, asModel, nameAt, type ResourceTypeModule } from '../resourceType';
import { containerServiceSdk } from './sdk';

const kebabToCamel = (key: string): string => key.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The plan's wire keys for the autoscaler profile, as the SDK's model spells them. */
export function withModelKeys(model: JsonObject): JsonObject {
  const profile = model['autoScalerProfile'];
  if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) return model;
  return {
    ...model,
    autoScalerProfile: Object.fromEntries(Object.entries(profile).map(([k, v]) => [kebabToCamel(k), v])),
  };
}

export const managedClusters: ResourceTypeModule = {
  type: ResourceTypes.managedCluster,
  get: async (arm, ref) =>
    asJson(await arm.clientOf(containerServiceSdk).managedClusters.get(ref.resourceGroup, nameAt(ref, 0))),
  createOrUpdate: async (arm, ref, body, lro) =>
    asJson(
      await arm
        .clientOf(containerServiceSdk)
        .managedClusters.createOrUpdate(
          ref.resourceGroup,
          nameAt(ref, 0),
          asModel<ManagedCluster>(withModelKeys(body)),
          lro,
        ),
    ),
  delete: async (arm, ref, lro) => {
    await arm.clientOf(containerServiceSdk).managedClusters.delete(ref.resourceGroup, nameAt(ref, 0), lro);
  },
  normalize(desired) {
    const { agentPoolProfiles: _pools, ...rest } = withModelKeys(desired);
    return rest;
  },
  // A PUT without the profiles would ask AKS to drop every pool: the live ones are sent back as they are.
  carryOver: ['agentPoolProfiles'],
  outputs: (actual): Record<string, string> => ({
    ...(typeof actual['fqdn'] === 'string' ? { fqdn: actual['fqdn'] } : {}),
    ...(typeof actual['privateFQDN'] === 'string' ? { privateFqdn: actual['privateFQDN'] } : {}),
    ...(typeof actual['currentKubernetesVersion'] === 'string'
      ? { kubernetesVersion: actual['currentKubernetesVersion'] }
      : {}),
  }),
};

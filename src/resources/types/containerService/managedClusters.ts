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

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Renames a key, keeping the value (when present). */
function renamed(obj: JsonObject, from: string, to: string): JsonObject {
  if (!(from in obj)) return obj;
  const { [from]: value, ...rest } = obj;
  return value === undefined ? rest : { ...rest, [to]: value };
}

/**
 * The plan's wire spellings as the SDK's model spells them: the autoscaler profile's kebab-case
 * keys, and the acronyms the SDK writes in camelCase (`enableRBAC` → `enableRbac`,
 * `aadProfile.enableAzureRBAC` → `enableAzureRbac`). Its serializer reads only those names: a field
 * under the wire name would be dropped from the PUT and differ from every GET.
 */
export function withModelKeys(model: JsonObject): JsonObject {
  let out = renamed(model, 'enableRBAC', 'enableRbac');
  const profile = out['autoScalerProfile'];
  if (isObject(profile)) {
    out = {
      ...out,
      autoScalerProfile: Object.fromEntries(Object.entries(profile).map(([k, v]) => [kebabToCamel(k), v])),
    };
  }
  const aad = out['aadProfile'];
  if (isObject(aad)) out = { ...out, aadProfile: renamed(aad, 'enableAzureRBAC', 'enableAzureRbac') };
  return out;
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
    ...(typeof actual['privateFqdn'] === 'string' ? { privateFqdn: actual['privateFqdn'] } : {}),
    ...(typeof actual['currentKubernetesVersion'] === 'string'
      ? { kubernetesVersion: actual['currentKubernetesVersion'] }
      : {}),
  }),
};

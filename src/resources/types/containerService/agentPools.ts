/**
 * An AKS agent pool, the one way pools are added, changed and removed once the cluster exists.
 * When the cluster autoscaler owns a pool's size, an existing pool is written without a count: AKS
 * refuses a manual count on such a pool ("Cannot manually scale AgentPool ... with cluster autoscaler
 * enabled"), and the spec's count is only the size to start at. Zones and VM size are fixed at creation.
 */
import type { AgentPool } from '@azure/arm-containerservice';

import type { JsonObject } from '../../../cluster/plan/types';
import { ResourceTypes } from '../../../cluster/plan/types';
import { TerminalError } from '../../errors';
import { asJson, asModel, nameAt, type ResourceTypeModule } from '../resourceType';
import { containerServiceSdk } from './sdk';

/**
 * A pool's `properties.type` (VirtualMachineScaleSets) is `typePropertiesType` in the SDK's model:
 * flattened, `type` would be the resource type, differ from every GET and be dropped from the PUT.
 */
function withModelKeys(model: JsonObject): JsonObject {
  const { type, ...rest } = model;
  return type === undefined ? rest : { ...rest, typePropertiesType: type };
}

const zonesOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.map((zone) => String(zone)).sort() : [];

export const agentPools: ResourceTypeModule = {
  type: ResourceTypes.agentPool,
  get: async (arm, ref) =>
    asJson(
      await arm
        .clientOf(containerServiceSdk)
        .agentPools.get(ref.resourceGroup, nameAt(ref, 0), nameAt(ref, 1)),
    ),
  createOrUpdate: async (arm, ref, body, lro) =>
    asJson(
      await arm
        .clientOf(containerServiceSdk)
        .agentPools.createOrUpdate(
          ref.resourceGroup,
          nameAt(ref, 0),
          nameAt(ref, 1),
          asModel<AgentPool>(withModelKeys(body)),
          lro,
        ),
    ),
  delete: async (arm, ref, lro) => {
    await arm
      .clientOf(containerServiceSdk)
      .agentPools.delete(ref.resourceGroup, nameAt(ref, 0), nameAt(ref, 1), lro);
  },
  normalize(wire, existing, ref) {
    const desired = withModelKeys(wire);
    if (zonesOf(desired['availabilityZones']).join() !== zonesOf(existing['availabilityZones']).join()) {
      throw new TerminalError(
        'AgentPoolZonesImmutable',
        `pool "${nameAt(ref, 1)}" exists in zones [${zonesOf(existing['availabilityZones']).join(', ')}]; AKS cannot change a pool's zones — add a pool with another name`,
        ref.id,
      );
    }
    if (desired['enableAutoScaling'] === true && typeof existing['count'] === 'number') {
      // The autoscaler owns the count: an existing pool is written without one (AKS keeps its count,
      // moved into a new window by AKS itself), and the count is not compared.
      const { count: _ignored, ...withoutCount } = desired;
      return withoutCount;
    }
    return desired;
  },
  outputs: (actual): Record<string, string> => ({
    ...(typeof actual['count'] === 'number' ? { count: String(actual['count']) } : {}),
    ...(typeof actual['provisioningState'] === 'string'
      ? { provisioningState: actual['provisioningState'] }
      : {}),
  }),
};

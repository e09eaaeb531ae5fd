/** A subnet: a child of its virtual network, addressed as `<resource group>/<vnet>/<subnet>`. */
import type { Subnet } from '@azure/arm-network';

import { ResourceTypes } from '../../../cluster/plan/types';
import { asJson, asModel, nameAt, type ResourceTypeModule } from '../resourceType';
import { networkSdk } from './sdk';

export const subnets: ResourceTypeModule = {
  type: ResourceTypes.subnet,
  get: async (arm, ref) =>
    asJson(await arm.clientOf(networkSdk).subnets.get(ref.resourceGroup, nameAt(ref, 0), nameAt(ref, 1))),
  createOrUpdate: async (arm, ref, body, lro) =>
    asJson(
      await arm
        .clientOf(networkSdk)
        .subnets.createOrUpdate(
          ref.resourceGroup,
          nameAt(ref, 0),
          nameAt(ref, 1),
          asModel<Subnet>(body),
          lro,
        ),
    ),
  delete: async (arm, ref, lro) => {
    await arm.clientOf(networkSdk).subnets.delete(ref.resourceGroup, nameAt(ref, 0), nameAt(ref, 1), lro);
  },
};

import type { VirtualMachine } from '@azure/arm-compute';

import type { JsonObject } from '../../cluster/plan/types';
import { nameAt, type ResourceAdapter } from '../resourceAdapter';
import { toJson } from '../wire';

export const virtualMachineAdapter: ResourceAdapter = {
  type: 'Microsoft.Compute/virtualMachines',
  get: async (c, ref) =>
    toJson(await c.compute.virtualMachines.get(ref.resourceGroup, nameAt(ref, 0))) as JsonObject,
  put: async (c, ref, body, lro) =>
    toJson(
      await c.compute.virtualMachines.createOrUpdate(
        ref.resourceGroup,
        nameAt(ref, 0),
        body as unknown as VirtualMachine,
        lro,
      ),
    ) as JsonObject,
  delete: async (c, ref, lro) => {
    await c.compute.virtualMachines.delete(ref.resourceGroup, nameAt(ref, 0), lro);
  },
};

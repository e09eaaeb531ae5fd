/**
 * A user-assigned managed identity (an AKS control plane runs as one). Its outputs are the ids a
 * role assignment and a workload need: the service principal's object id and the client id.
 * Microsoft.ManagedIdentity answers at once: no long-running operation.
 */
import type { Identity } from '@azure/arm-msi';

import { ResourceTypes } from '../../../cluster/plan/types';
import { asJson, asModel, nameAt, type ResourceTypeModule } from '../resourceType';
import { msiSdk } from './sdk';

export const userAssignedIdentities: ResourceTypeModule = {
  type: ResourceTypes.userAssignedIdentity,
  get: async (arm, ref) =>
    asJson(await arm.clientOf(msiSdk).userAssignedIdentities.get(ref.resourceGroup, nameAt(ref, 0))),
  createOrUpdate: async (arm, ref, body) =>
    asJson(
      await arm
        .clientOf(msiSdk)
        .userAssignedIdentities.createOrUpdate(ref.resourceGroup, nameAt(ref, 0), asModel<Identity>(body)),
    ),
  delete: async (arm, ref) => {
    await arm.clientOf(msiSdk).userAssignedIdentities.delete(ref.resourceGroup, nameAt(ref, 0));
  },
  outputs: (actual): Record<string, string> => ({
    ...(typeof actual['principalId'] === 'string' ? { principalId: actual['principalId'] } : {}),
    ...(typeof actual['clientId'] === 'string' ? { clientId: actual['clientId'] } : {}),
    ...(typeof actual['tenantId'] === 'string' ? { tenantId: actual['tenantId'] } : {}),
  }),
};

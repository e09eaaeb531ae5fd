/** A policy assignment at a resource group's scope (`<scope>/providers/Microsoft.Authorization/policyAssignments/<name>`). */
import type { PolicyAssignment } from '@azure/arm-policy';

import { ResourceTypes } from '../../../cluster/plan/types';
import type { ResourceRef } from '../../resourceId';
import { asJson, asModel, nameAt, type ResourceTypeModule } from '../resourceType';
import { policySdk } from './sdk';

const scopeOf = (ref: ResourceRef): string =>
  `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}`;

export const policyAssignments: ResourceTypeModule = {
  type: ResourceTypes.policyAssignment,
  get: async (arm, ref) =>
    asJson(await arm.clientOf(policySdk).policyAssignments.get(scopeOf(ref), nameAt(ref, 0))),
  createOrUpdate: async (arm, ref, body) =>
    asJson(
      await arm
        .clientOf(policySdk)
        .policyAssignments.create(scopeOf(ref), nameAt(ref, 0), asModel<PolicyAssignment>(body)),
    ),
  delete: async (arm, ref) => {
    await arm.clientOf(policySdk).policyAssignments.delete(scopeOf(ref), nameAt(ref, 0));
  },
};

/**
 * A role assignment at any scope (a subnet, a VNet, a resource group), addressed by its full id.
 * ARM never changes who or what an assignment grants: a different principal or role for the same
 * name is refused here, as ARM would (`RoleAssignmentUpdateNotPermitted`), instead of sent.
 */
import type { RoleAssignmentCreateParameters } from '@azure/arm-authorization';

import { ResourceTypes } from '../../../cluster/plan/types';
import { TerminalError } from '../../errors';
import { asJson, asModel, type ResourceTypeModule } from '../resourceType';
import { authorizationSdk } from './sdk';

const sameId = (a: unknown, b: unknown): boolean =>
  typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();

export const roleAssignments: ResourceTypeModule = {
  type: ResourceTypes.roleAssignment,
  get: async (arm, ref) => asJson(await arm.clientOf(authorizationSdk).roleAssignments.getById(ref.id)),
  createOrUpdate: async (arm, ref, body) =>
    asJson(
      await arm
        .clientOf(authorizationSdk)
        .roleAssignments.createById(ref.id, asModel<RoleAssignmentCreateParameters>(body)),
    ),
  delete: async (arm, ref) => {
    await arm.clientOf(authorizationSdk).roleAssignments.deleteById(ref.id);
  },
  normalize(desired, existing, ref) {
    for (const field of ['principalId', 'roleDefinitionId'] as const) {
      if (desired[field] !== undefined && !sameId(desired[field], existing[field])) {
        throw new TerminalError(
          'RoleAssignmentUpdateNotPermitted',
          `the role assignment exists with another ${field} (${JSON.stringify(existing[field] ?? null)}); tenant, scope, principal and role of an assignment cannot change — delete it first`,
          ref.id,
        );
      }
    }
    return desired;
  },
};

/**
 * Role assignments: extension resources at any scope (`<scope>/providers/Microsoft.Authorization/roleAssignments/<guid>`).
 * Each scope type the emulator serves them at is its own entry in the provider table, made here by
 * `roleAssignmentsAt`; they are children of their scope (gone with it). ARM's rules: the name is a
 * GUID, the role a known definition, an assignment never changes principal or role, and one
 * principal holds one role once per scope.
 */
import { badRequest, conflict } from '../../armError';
import { extensionType } from '../../armTypes';
import { asObject, asString } from '../../json';
import type { ResourceProvider } from '../provider';
import { BUILT_IN_ROLES } from './roleDefinitions';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ROLE_DEFINITION =
  /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Authorization\/roleDefinitions\/([^/]+)$|^\/providers\/Microsoft\.Authorization\/roleDefinitions\/([^/]+)$/i;
export const ROLE_ASSIGNMENT_TYPE = 'Microsoft.Authorization/roleAssignments';

export function roleAssignmentsAt(scopeType: string | undefined): ResourceProvider {
  return {
    type: scopeType === undefined ? ROLE_ASSIGNMENT_TYPE : extensionType(scopeType, ROLE_ASSIGNMENT_TYPE),
    armType: ROLE_ASSIGNMENT_TYPE,
    latencyMs: { write: 0, delete: 0 },
    sync: true,
    nameRule: {
      pattern: GUID,
      message: (name) =>
        `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
    },
    locationless: true,
    prepare(ctx, record, existing, parent) {
      const props = asObject(record.body.properties) ?? {};
      const roleDefinitionId = asString(props.roleDefinitionId) ?? '';
      const match = ROLE_DEFINITION.exec(roleDefinitionId);
      const roleGuid = (match?.[1] ?? match?.[2] ?? '').toLowerCase();
      if (!BUILT_IN_ROLES[roleGuid]) {
        throw badRequest(
          'RoleDefinitionDoesNotExist',
          `The specified role definition with ID '${roleGuid || roleDefinitionId}' does not exist.`,
        );
      }
      const condition = asString(props.condition);
      if (condition !== undefined && asString(props.conditionVersion) !== '2.0')
        throw badRequest(
          'InvalidConditionVersion',
          `The role assignment condition needs conditionVersion '2.0', got '${asString(props.conditionVersion) ?? ''}'.`,
        );
      const principalId = asString(props.principalId) ?? '';
      if (!GUID.test(principalId)) {
        throw badRequest('InvalidPrincipalId', `A valid principal ID must be provided for role assignment.`);
      }
      if (existing) {
        const before = asObject(existing.body.properties) ?? {};
        if (
          asString(before.principalId)?.toLowerCase() !== principalId.toLowerCase() ||
          asString(before.roleDefinitionId)?.toLowerCase() !== roleDefinitionId.toLowerCase()
        ) {
          throw badRequest(
            'RoleAssignmentUpdateNotPermitted',
            'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.',
          );
        }
      }
      const siblings = parent ? ctx.childrenOf(parent) : [];
      const duplicate = siblings.find((other) => {
        if (other.key === record.key || other.type !== record.type) return false;
        const p = asObject(other.body.properties) ?? {};
        return (
          asString(p.principalId)?.toLowerCase() === principalId.toLowerCase() &&
          asString(p.roleDefinitionId)?.toLowerCase() === roleDefinitionId.toLowerCase()
        );
      });
      if (duplicate) throw conflict('RoleAssignmentExists', 'The role assignment already exists.');
      // When it was made: a data plane honours it once it has propagated (keyVault/dataPlaneAccess.ts).
      if (!record.derived.createdOn) record.derived.createdOn = new Date().toISOString();
      return undefined;
    },
    render(ctx, record, _body, props) {
      const parent = record.parentKey ? ctx.record(record.parentKey) : undefined;
      props.scope =
        parent?.id ?? `/subscriptions/${record.subscriptionId}/resourceGroups/${record.resourceGroup}`;
      props.principalType ??= 'ServicePrincipal';
      const createdOn = asString(record.derived.createdOn);
      if (createdOn !== undefined) props.createdOn = createdOn;
      delete props.provisioningState;
    },
  };
}

/**
 * What an IaaS cluster's nodes read their bootstrap secrets with (see docs/bootstrap.md): a Key
 * Vault in RBAC mode owned by the cluster, and two user-assigned identities with the least they
 * need — control-plane nodes read every secret of the vault (the CA material, the service-account
 * key, the join token), workers only the join-token secret (a role assignment scoped to that one
 * secret). The vault's tenant is the identities' tenant (an identity's output), so no setting names it.
 * The provisioner itself gets Key Vault Secrets Officer on the vault: in RBAC mode a vault's creator
 * has no data-plane access, and the app writes the secrets right after that assignment is applied.
 * Purge protection stays off: the cluster's DELETE removes the vault with it.
 */
import { controlPlaneIdentityName, keyVaultName, VaultSecrets, workerIdentityName } from '../bootstrap/names';
import type { IaasClusterSpec } from '../spec';
import { type PlanContext, resource } from './context';
import { stableGuid } from './guid';
import { type PlannedResource, ResourceTypes } from './types';

/** Built-in role "Key Vault Secrets User": read secret contents. */
export const KEY_VAULT_SECRETS_USER_ROLE = '4633458b-17de-408a-b874-0445c86b69e6';
/** Built-in role "Key Vault Secrets Officer": every secret operation (the app writes the secrets). */
export const KEY_VAULT_SECRETS_OFFICER_ROLE = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7';
/**
 * The provisioner's principal in a plan made without it (the CLI's offline `plan`, planner tests):
 * the app's own POST always plans with the real one (provisionerPrincipal.ts).
 */
export const PROVISIONER_PRINCIPAL_PLACEHOLDER = '[principalId of the provisioner]';
/** Days a deleted vault is kept (Azure's minimum) when it cannot be purged at once. */
export const VAULT_SOFT_DELETE_DAYS = 7;

export interface BootstrapAccessPlan {
  resources: PlannedResource[];
  vaultId: string;
  controlPlaneIdentityId: string;
  workerIdentityId: string;
  /** The provisioner's own Key Vault Secrets Officer assignment on the vault (the secrets are written after it). */
  appAssignmentId: string;
  /** What a node of each role must wait for before it boots: its identity and its role assignment. */
  controlPlaneReady: string[];
  workerReady: string[];
}

export function planBootstrapAccess(
  spec: IaasClusterSpec,
  ctx: PlanContext,
  provisionerPrincipalId: string = PROVISIONER_PRINCIPAL_PLACEHOLDER,
): BootstrapAccessPlan {
  const controlPlaneIdentityId = ctx.id(
    ResourceTypes.userAssignedIdentity,
    controlPlaneIdentityName(spec.name),
  );
  const workerIdentityId = ctx.id(ResourceTypes.userAssignedIdentity, workerIdentityName(spec.name));
  const vaultId = ctx.id(
    ResourceTypes.keyVault,
    keyVaultName(ctx.subscriptionId, spec.resourceGroup, spec.name),
  );
  const roleDefinitionId = `/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER_ROLE}`;
  const identity = (id: string): PlannedResource =>
    resource({
      id,
      type: ResourceTypes.userAssignedIdentity,
      role: 'nodeIdentity',
      dependsOn: [],
      owned: true,
      body: { location: spec.location, tags: ctx.tags('nodeIdentity') },
    });
  // The provisioner's own data-plane role: in RBAC mode the vault's creator may not write secrets.
  // Its name does not depend on the principal, so a plan made without it names the same resource.
  const appAssignmentId = `${vaultId}/providers/${ResourceTypes.roleAssignment}/${stableGuid(vaultId, KEY_VAULT_SECRETS_OFFICER_ROLE, 'provisioner')}`;
  const appAssignment = resource({
    id: appAssignmentId,
    type: ResourceTypes.roleAssignment,
    role: 'vaultAppRoleAssignment',
    dependsOn: [vaultId],
    owned: true,
    body: {
      properties: {
        roleDefinitionId: `/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_OFFICER_ROLE}`,
        principalId: provisionerPrincipalId,
        principalType: 'ServicePrincipal',
        description: `cluster ${spec.name}: the provisioner writes the bootstrap secrets`,
      },
    },
  });
  const assignment = (scope: string, identityId: string, description: string): PlannedResource =>
    resource({
      id: `${scope}/providers/${ResourceTypes.roleAssignment}/${stableGuid(scope, KEY_VAULT_SECRETS_USER_ROLE, identityId)}`,
      type: ResourceTypes.roleAssignment,
      role: 'vaultRoleAssignment',
      // The secrets are written once the provisioner's own assignment exists (clusterSecrets.ts), so
      // a secret-scoped assignment finds its scope and a node never boots before its secrets exist.
      dependsOn: [identityId, vaultId, appAssignmentId],
      owned: true,
      body: {
        properties: {
          roleDefinitionId,
          principalId: `[principalId of ${identityId}]`,
          principalType: 'ServicePrincipal',
          description,
        },
      },
      inputs: [{ path: 'properties.principalId', from: identityId, output: 'principalId' }],
    });
  const vault = resource({
    id: vaultId,
    type: ResourceTypes.keyVault,
    role: 'clusterVault',
    dependsOn: [controlPlaneIdentityId],
    owned: true,
    body: {
      location: spec.location,
      tags: ctx.tags('clusterVault'),
      properties: {
        tenantId: `[tenantId of ${controlPlaneIdentityId}]`,
        sku: { family: 'A', name: 'standard' },
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        softDeleteRetentionInDays: VAULT_SOFT_DELETE_DAYS,
      },
    },
    inputs: [{ path: 'properties.tenantId', from: controlPlaneIdentityId, output: 'tenantId' }],
  });
  const controlPlaneRead = assignment(
    vaultId,
    controlPlaneIdentityId,
    `cluster ${spec.name}: control-plane nodes read the CA material and the join token`,
  );
  const workerRead = assignment(
    `${vaultId}/secrets/${VaultSecrets.joinToken}`,
    workerIdentityId,
    `cluster ${spec.name}: workers read the join token only`,
  );
  return {
    resources: [
      identity(controlPlaneIdentityId),
      identity(workerIdentityId),
      vault,
      appAssignment,
      controlPlaneRead,
      workerRead,
    ],
    vaultId,
    appAssignmentId,
    controlPlaneIdentityId,
    workerIdentityId,
    controlPlaneReady: [controlPlaneIdentityId, controlPlaneRead.id],
    workerReady: [workerIdentityId, workerRead.id],
  };
}

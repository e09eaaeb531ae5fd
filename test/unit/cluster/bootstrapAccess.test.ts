import { keyVaultName } from '../../../src/cluster/bootstrap/names';
import { planCluster } from '../../../src/cluster/plan';
import {
  KEY_VAULT_SECRETS_OFFICER_ROLE,
  KEY_VAULT_SECRETS_USER_ROLE,
  PROVISIONER_PRINCIPAL_PLACEHOLDER,
} from '../../../src/cluster/plan/bootstrapAccess';
import type { Plan, PlannedResource } from '../../../src/cluster/plan/types';
import { parseClusterSpec } from '../../../src/cluster/validate';
import { iaasInput, SUBSCRIPTION_ID } from './fixtures';

function plan(): Plan {
  const parsed = parseClusterSpec(iaasInput());
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return planCluster(parsed.spec, { subscriptionId: SUBSCRIPTION_ID });
}

describe('bootstrap access: the cluster vault, the node identities and their roles', () => {
  const p = plan();
  const rg = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-demo/providers`;
  const cpIdentity = `${rg}/Microsoft.ManagedIdentity/userAssignedIdentities/demo-control-plane-id`;
  const workerIdentity = `${rg}/Microsoft.ManagedIdentity/userAssignedIdentities/demo-workers-id`;
  const vaultId = `${rg}/Microsoft.KeyVault/vaults/${keyVaultName(SUBSCRIPTION_ID, 'rg-demo', 'demo')}`;
  const assignments = p.resources.filter((r) => r.role === 'vaultRoleAssignment');
  const appAssignment = p.resources.find((r) => r.role === 'vaultAppRoleAssignment');
  const assignmentOf = (identity: string): PlannedResource[] =>
    assignments.filter((a) => a.inputs?.some((i) => i.from === identity));

  it('plans an owned RBAC-mode vault without purge protection, its tenant taken from an identity', () => {
    const vault = p.resources.find((r) => r.id === vaultId);
    expect(vault).toMatchObject({
      owned: true,
      role: 'clusterVault',
      dependsOn: [cpIdentity],
      body: {
        properties: {
          enableRbacAuthorization: true,
          sku: { family: 'A', name: 'standard' },
          softDeleteRetentionInDays: 7,
        },
      },
      inputs: [{ path: 'properties.tenantId', from: cpIdentity, output: 'tenantId' }],
    });
    expect(JSON.stringify(vault?.body)).not.toContain('enablePurgeProtection');
  });

  it('gives control-plane nodes read of the vault and workers read of the join-token secret only', () => {
    expect(assignments).toHaveLength(2);
    const [cp] = assignmentOf(cpIdentity);
    const [worker] = assignmentOf(workerIdentity);
    expect(assignmentOf(cpIdentity)).toHaveLength(1);
    expect(assignmentOf(workerIdentity)).toHaveLength(1);
    expect(cp?.id.startsWith(`${vaultId}/providers/Microsoft.Authorization/roleAssignments/`)).toBe(true);
    expect(
      worker?.id.startsWith(
        `${vaultId}/secrets/join-token/providers/Microsoft.Authorization/roleAssignments/`,
      ),
    ).toBe(true);
    for (const a of [cp, worker]) {
      expect(a?.body).toMatchObject({
        properties: {
          roleDefinitionId: `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER_ROLE}`,
          principalType: 'ServicePrincipal',
        },
      });
    }
  });

  it('gives the provisioner Key Vault Secrets Officer on the vault, before any node role (the secrets are written between)', () => {
    expect(appAssignment).toMatchObject({
      type: 'Microsoft.Authorization/roleAssignments',
      owned: true,
      dependsOn: [vaultId],
      body: {
        properties: {
          roleDefinitionId: `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_OFFICER_ROLE}`,
          principalId: PROVISIONER_PRINCIPAL_PLACEHOLDER,
        },
      },
    });
    expect(
      appAssignment?.id.startsWith(`${vaultId}/providers/Microsoft.Authorization/roleAssignments/`),
    ).toBe(true);
    for (const a of assignments) expect(a.dependsOn).toContain(appAssignment?.id);
    const parsed = parseClusterSpec(iaasInput());
    if (!parsed.ok) throw new Error('spec');
    const principal = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
    const real = planCluster(parsed.spec, {
      subscriptionId: SUBSCRIPTION_ID,
      provisionerPrincipalId: principal,
    });
    const realApp = real.resources.find((r) => r.role === 'vaultAppRoleAssignment');
    // Same resource with or without the principal; the app's POST plans with the real one.
    expect(realApp?.id).toBe(appAssignment?.id);
    expect(realApp?.body).toMatchObject({ properties: { principalId: principal } });
    expect(() =>
      planCluster(parsed.spec, { subscriptionId: SUBSCRIPTION_ID, provisionerPrincipalId: 'me' }),
    ).toThrow(/provisionerPrincipalId must be a GUID/);
  });

  it('attaches each VM to its role identity, and boots it only once its role is assigned', () => {
    const vms = p.resources.filter((r) => r.type === 'Microsoft.Compute/virtualMachines');
    expect(vms.length).toBeGreaterThan(0);
    for (const vm of vms) {
      const identity = vm.pool === 'controlPlane' ? cpIdentity : workerIdentity;
      expect(vm.body['identity']).toEqual({
        type: 'UserAssigned',
        userAssignedIdentities: { [identity]: {} },
      });
      const [role] = assignmentOf(identity);
      expect(vm.dependsOn).toEqual(expect.arrayContaining([identity, role?.id]));
    }
  });
});

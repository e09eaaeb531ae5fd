/**
 * Who may read an IaaS cluster's Key Vault, end to end (docs/bootstrap.md): the provisioner writes the
 * secrets through its own Key Vault Secrets Officer assignment (retrying while it propagates), a
 * worker's identity reads only the join token, a control-plane identity reads the CA material, status
 * shows only public facts, and DELETE purges the soft-deleted vault so the same spec can be made again.
 */
import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import type { AccessToken } from '@azure/core-auth';
import { SecretClient } from '@azure/keyvault-secrets';
import { DEFAULT_SUBSCRIPTION_ID } from '@azure-cluster-provisioner/arm-emulator';

import { keyVaultName, VaultSecrets } from '../../../src/cluster/bootstrap/names';
import { KEY_VAULT_SECRETS_OFFICER_ROLE } from '../../../src/cluster/plan/bootstrapAccess';
import { caCertHash } from '../../../src/secrets/clusterPki';
import { type ArmResource, type Environment, exampleSpec, startEnvironment } from './iaasHarness';

/** How long a new role assignment takes to reach the emulator's Key Vault data plane here. */
const PROPAGATION_MS = 2500;

describe('IaaS cluster vault access: RBAC on the data plane, status facts, purge on delete', () => {
  let env: Environment;
  const name = 'kvacc';
  const spec = exampleSpec(name, {
    controlPlane: { count: 1, vmSize: 'Standard_D4s_v5', zones: ['1'] },
    nodePools: [{ name: 'general', count: 1, vmSize: 'Standard_D4s_v5', zones: ['1'] }],
  });
  const vaultName = keyVaultName(DEFAULT_SUBSCRIPTION_ID, 'rg-demo', name);

  beforeAll(async () => {
    env = await startEnvironment(0.01, {}, { rbacPropagationMs: PROPAGATION_MS });
  });
  afterAll(async () => {
    await env?.close();
  });

  const resources = (): ArmResource[] => env.api.clusterResources(name);
  const byName = (n: string): ArmResource | undefined => resources().find((r) => r.name === n);
  const vaultUri = (): string =>
    String(resources().find((r) => r.type === 'Microsoft.KeyVault/vaults')?.properties?.['vaultUri']);
  const client = (token: string): SecretClient =>
    new SecretClient(
      vaultUri(),
      {
        getToken: (): Promise<AccessToken> =>
          Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
      },
      {
        disableChallengeResourceVerification: true,
        tlsOptions: { ca: env.emulator.caCertPem },
        retryOptions: { maxRetries: 0 },
      },
    );
  /** A token as IMDS issues it to a process on the VM, for the VM's identity. */
  const nodeToken = (vm: string, identity: string): string =>
    env.emulator.identityToken(byName(vm)?.id ?? '', byName(identity)?.id ?? '').access_token;
  const management = (): KeyVaultManagementClient =>
    new KeyVaultManagementClient(
      { getToken: () => Promise.resolve({ token: 'e2e', expiresOnTimestamp: Date.now() + 3_600_000 }) },
      DEFAULT_SUBSCRIPTION_ID,
      {
        endpoint: env.emulator.url,
        credentials: { scopes: [`${env.emulator.url}/.default`] },
        tlsOptions: { ca: env.emulator.caCertPem },
        retryOptions: { maxRetries: 0 },
      },
    );
  const deletedVaultNames = async (): Promise<string[]> => {
    const names: string[] = [];
    for await (const v of management().vaults.listDeleted()) names.push(v.name ?? '');
    return names;
  };
  const appAssignments = (): ArmResource[] =>
    (env.emulator.resources() as ArmResource[]).filter(
      (r) =>
        r.type === 'Microsoft.Authorization/roleAssignments' &&
        r.properties?.['principalId'] === env.emulator.appPrincipalId,
    );

  it('provisions while the provisioner’s own role assignment propagates, retrying ForbiddenByRbac', async () => {
    expect((await env.api.request('POST', 'clusters', spec)).status).toBe(202);
    const { final } = await env.api.waitForCluster(name, 120_000);
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
    // The first writes were refused until the assignment reached Key Vault, then retried and accepted.
    const vaultCalls = env.emulator.operations().filter((o) => o.path.startsWith(`/_vaults/${vaultName}/`));
    const firstAccepted = vaultCalls.findIndex((o) => o.status === 200);
    expect(
      vaultCalls.slice(0, Math.max(firstAccepted, 0)).filter((o) => o.status === 403).length,
    ).toBeGreaterThan(0);
    expect(vaultCalls.some((o) => o.method === 'PUT' && o.status === 200)).toBe(true);
  });

  it('gives the provisioner Key Vault Secrets Officer on the vault, and nothing more', () => {
    const vault = resources().find((r) => r.type === 'Microsoft.KeyVault/vaults');
    expect(
      appAssignments().map((a) => ({
        scope: String(a.properties?.['scope']).toLowerCase(),
        role: String(a.properties?.['roleDefinitionId']).split('/').pop(),
      })),
    ).toEqual([{ scope: vault?.id.toLowerCase(), role: KEY_VAULT_SECRETS_OFFICER_ROLE }]);
  });

  it("lets a worker's identity read the join token only, and a control-plane identity the CA material", async () => {
    // Every assignment of the cluster has propagated by now.
    await new Promise((resolve) => setTimeout(resolve, PROPAGATION_MS));
    const worker = client(nodeToken(`${name}-general-0`, `${name}-workers-id`));
    expect((await worker.getSecret(VaultSecrets.joinToken)).value).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    await expect(worker.getSecret(VaultSecrets.clusterCaKey)).rejects.toMatchObject({
      statusCode: 403,
      code: 'Forbidden',
    });
    await expect(worker.getSecret(VaultSecrets.clusterCaCert)).rejects.toMatchObject({ statusCode: 403 });
    await expect(worker.setSecret(VaultSecrets.joinToken, 'aaaaaa.bbbbbbbbbbbbbbbb')).rejects.toMatchObject({
      statusCode: 403,
    });

    const controlPlane = client(nodeToken(`${name}-cp-0`, `${name}-control-plane-id`));
    expect((await controlPlane.getSecret(VaultSecrets.clusterCaKey)).value).toMatch(/PRIVATE KEY/);
    expect((await controlPlane.getSecret(VaultSecrets.etcdCaKey)).value).toMatch(/PRIVATE KEY/);
    await expect(controlPlane.setSecret(VaultSecrets.clusterCaKey, 'x')).rejects.toMatchObject({
      statusCode: 403,
    });

    // A VM cannot get a token for the other role's identity (IMDS refuses an identity it lacks).
    expect(() => nodeToken(`${name}-general-0`, `${name}-control-plane-id`)).toThrow(/Identity not found/);
  });

  it('shows the CA hash and the join token’s id and expiry in status, never a secret value', async () => {
    const view = (await env.api.cluster(name)) as { bootstrap?: Record<string, string> };
    const controlPlane = client(nodeToken(`${name}-cp-0`, `${name}-control-plane-id`));
    const ca = await controlPlane.getSecret(VaultSecrets.clusterCaCert);
    const token = await controlPlane.getSecret(VaultSecrets.joinToken);
    expect(view.bootstrap).toEqual({
      caCertHash: caCertHash(ca.value ?? ''),
      joinTokenSecretId: token.properties.id,
      joinTokenExpiresOn: token.properties.expiresOn?.toISOString(),
    });
    expect(view.bootstrap?.['caCertHash']).toMatch(/^sha256:[0-9a-f]{64}$/);
    const text = JSON.stringify(view);
    expect(text).not.toContain(token.value);
    expect(text).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
  });

  it('deletes the assignment and purges the vault, so nothing of ours remains and the same spec is made again', async () => {
    expect((await env.api.request('DELETE', `clusters/${name}`)).status).toBe(202);
    const deleted = await env.api.waitForCluster(name, 120_000);
    expect(deleted.final.runtimeStatus).toBe('Completed');
    expect(resources()).toEqual([]);
    expect(appAssignments()).toEqual([]);
    expect(await deletedVaultNames()).not.toContain(vaultName);

    expect((await env.api.request('POST', 'clusters', spec)).status).toBe(202);
    const again = await env.api.waitForCluster(name, 120_000);
    expect(again.final.error).toBeUndefined();
    expect(again.final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
    expect(appAssignments()).toHaveLength(1);

    expect((await env.api.request('DELETE', `clusters/${name}`)).status).toBe(202);
    expect((await env.api.waitForCluster(name, 120_000)).final.runtimeStatus).toBe('Completed');
    expect(await deletedVaultNames()).toEqual([]);
  });
});

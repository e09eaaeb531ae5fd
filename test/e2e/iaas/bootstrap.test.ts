/**
 * The Kubernetes bootstrap of an IaaS cluster, end to end (docs/bootstrap.md): what each VM boots
 * with, what the cluster's Key Vault holds, who may read it, and that DELETE leaves nothing behind.
 */
import type { AccessToken } from '@azure/core-auth';
import { SecretClient } from '@azure/keyvault-secrets';
import { DEFAULT_SUBSCRIPTION_ID } from '@azure-cluster-provisioner/arm-emulator';

import { keyVaultName, VaultSecrets } from '../../../src/cluster/bootstrap/names';
import { KEY_VAULT_SECRETS_USER_ROLE } from '../../../src/cluster/plan/bootstrapAccess';
import { caCertHash } from '../../../src/secrets/clusterPki';
import { type ArmResource, type Environment, exampleSpec, startEnvironment } from './iaasHarness';

type Resource = ArmResource & { identity?: { userAssignedIdentities?: Record<string, unknown> } };

const TOKEN = /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/;

describe('IaaS bootstrap end to end: custom data, Key Vault, identities and roles', () => {
  let env: Environment;
  const name = 'boot';
  const spec = exampleSpec(name, {
    kubernetesVersion: '1.33.2',
    controlPlane: { count: 3, vmSize: 'Standard_D4s_v5', zones: ['1', '2', '3'] },
    nodePools: [{ name: 'general', count: 2, vmSize: 'Standard_D4s_v5', zones: ['1', '2'] }],
  });
  const vaultName = keyVaultName(DEFAULT_SUBSCRIPTION_ID, 'rg-demo', name);

  beforeAll(async () => {
    env = await startEnvironment(0.01);
  });
  afterAll(async () => {
    await env?.close();
  });

  const resources = (): Resource[] => env.api.clusterResources(name);
  const vaultClient = (): SecretClient => {
    const vault = resources().find((r) => r.type === 'Microsoft.KeyVault/vaults');
    const credential = {
      getToken: (): Promise<AccessToken> =>
        Promise.resolve({ token: 'e2e', expiresOnTimestamp: Date.now() + 3_600_000 }),
    };
    return new SecretClient(String(vault?.properties?.['vaultUri']), credential, {
      disableChallengeResourceVerification: true,
      tlsOptions: { ca: env.emulator.caCertPem },
      retryOptions: { maxRetries: 0 },
    });
  };
  const secretWrites = (): number =>
    env.emulator.operations().filter((o) => o.method === 'PUT' && o.path.startsWith('/_vaults/')).length;

  it('provisions every VM with the custom data of its role, the right endpoint and version, and no secret', async () => {
    expect((await env.api.request('POST', 'clusters', spec)).status).toBe(202);
    const { final } = await env.api.waitForCluster(name, 90_000);
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });

    const vms = resources().filter((r) => r.type === 'Microsoft.Compute/virtualMachines');
    expect(vms).toHaveLength(5);
    const roles: Record<string, string> = {};
    for (const vm of vms) {
      // ARM never returns custom data; the emulator shows tests what the VM was created with.
      expect(JSON.stringify(vm)).not.toContain('customData');
      const data = env.emulator.customData(vm.id);
      expect(data?.startsWith('#cloud-config\n')).toBe(true);
      const role = /ROLE='([a-zA-Z]+)'/.exec(data ?? '')?.[1] ?? '';
      roles[vm.name] = role;
      expect(data).toMatch(/ENDPOINT_HOST='boot-[0-9a-f]{8}\.eastus\.cloudapp\.azure\.com'/);
      expect(data).toContain("K8S_APT_VERSION='1.33.2-*'");
      expect(data).toContain(`VAULT_URI='https://${vaultName}.vault.azure.net'`);
      expect(data).not.toMatch(/PRIVATE KEY/);
      expect(data).not.toMatch(TOKEN);
    }
    expect(roles).toEqual({
      'boot-cp-0': 'initControlPlane',
      'boot-cp-1': 'joinControlPlane',
      'boot-cp-2': 'joinControlPlane',
      'boot-general-0': 'worker',
      'boot-general-1': 'worker',
    });
  });

  it('keeps the CA material and a join token with an expiry in the vault, and only public facts in status', async () => {
    const client = vaultClient();
    const names: string[] = [];
    for await (const p of client.listPropertiesOfSecrets()) names.push(p.name);
    expect(names.sort()).toEqual(Object.values(VaultSecrets).sort());
    const ca = await client.getSecret(VaultSecrets.clusterCaCert);
    expect(ca.value).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect((await client.getSecret(VaultSecrets.clusterCaKey)).value).toMatch(/PRIVATE KEY/);
    const token = await client.getSecret(VaultSecrets.joinToken);
    expect(token.value).toMatch(TOKEN);
    expect(token.properties.expiresOn?.getTime()).toBeGreaterThan(Date.now());
    expect(token.properties.tags?.['caCertHash']).toBe(caCertHash(ca.value ?? ''));

    const status = JSON.stringify(await env.api.cluster(name));
    expect(status).not.toContain(token.value);
    expect(status).not.toMatch(/PRIVATE KEY/);
    expect(env.logs.join('\n')).not.toContain(token.value);
  });

  it('gives each node identity exactly its role: control plane reads the vault, workers the join token only', () => {
    const all = resources();
    const identities = all.filter((r) => r.type === 'Microsoft.ManagedIdentity/userAssignedIdentities');
    expect(identities.map((r) => r.name).sort()).toEqual(['boot-control-plane-id', 'boot-workers-id']);
    const vault = all.find((r) => r.type === 'Microsoft.KeyVault/vaults');
    expect(vault?.properties).toMatchObject({ enableRbacAuthorization: true });
    expect(vault?.properties?.['enablePurgeProtection']).not.toBe(true);
    const assignments = (env.emulator.resources() as Resource[]).filter(
      (r) => r.type === 'Microsoft.Authorization/roleAssignments',
    );
    const rolesOf = (identityName: string): { scope: string; role: string }[] => {
      const principal = identities.find((i) => i.name === identityName)?.properties?.['principalId'];
      return assignments
        .filter((a) => a.properties?.['principalId'] === principal)
        .map((a) => ({
          scope: String(a.properties?.['scope']).toLowerCase(),
          role: String(a.properties?.['roleDefinitionId']).split('/').pop() ?? '',
        }));
    };
    expect(rolesOf('boot-control-plane-id')).toEqual([
      { scope: vault?.id.toLowerCase(), role: KEY_VAULT_SECRETS_USER_ROLE },
    ]);
    expect(rolesOf('boot-workers-id')).toEqual([
      { scope: `${vault?.id.toLowerCase()}/secrets/join-token`, role: KEY_VAULT_SECRETS_USER_ROLE },
    ]);
    for (const vm of all.filter((r) => r.type === 'Microsoft.Compute/virtualMachines')) {
      const wanted = vm.name.startsWith('boot-cp-') ? 'boot-control-plane-id' : 'boot-workers-id';
      const attached = Object.keys(vm.identity?.userAssignedIdentities ?? {}).map((id) =>
        id.split('/').pop(),
      );
      expect(attached).toEqual([wanted]);
    }
  });

  it('writes nothing, to ARM or the vault, when the same spec is applied again', async () => {
    const writes = env.api.writes();
    const secrets = secretWrites();
    expect((await env.api.request('POST', 'clusters', spec)).status).toBe(202);
    const { final } = await env.api.waitForCluster(name, 90_000);
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
    expect(env.api.writes() - writes).toBe(0);
    expect(secretWrites() - secrets).toBe(0);
  });

  it('refuses a kubernetesVersion change on the existing cluster, naming the field', async () => {
    const res = await env.api.request('POST', 'clusters', { ...spec, kubernetesVersion: '1.32.4' });
    expect(res.status).toBe(409);
    expect(JSON.stringify(res.json)).toMatch(/kubernetesVersion cannot change/);
  });

  it('deletes the vault, the identities and the role assignments with the cluster', async () => {
    expect((await env.api.request('DELETE', `clusters/${name}`)).status).toBe(202);
    const { final } = await env.api.waitForCluster(name, 90_000);
    expect(final.runtimeStatus).toBe('Completed');
    expect(resources()).toEqual([]);
    const leftovers = (env.emulator.resources() as Resource[]).filter(
      (r) => r.id.toLowerCase().includes(vaultName) || r.name.startsWith(`${name}-`),
    );
    expect(leftovers).toEqual([]);
  });
});

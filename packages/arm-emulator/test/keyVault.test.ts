import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import type { GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { SecretClient } from '@azure/keyvault-secrets';

import { errorCode, type Kit, LOCATION, RG, startKit, SUBSCRIPTION } from './armTestKit';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/** Records the scopes and tenant each token was asked for (the challenge decides them). */
function recordingCredential(): TokenCredential & { asked: { scopes: string[]; tenantId?: string }[] } {
  const asked: { scopes: string[]; tenantId?: string }[] = [];
  return {
    asked,
    getToken: (scopes: string | string[], options?: GetTokenOptions) => {
      asked.push({
        scopes: Array.isArray(scopes) ? scopes : [scopes],
        ...(options?.tenantId !== undefined ? { tenantId: options.tenantId } : {}),
      });
      return Promise.resolve({ token: 'kv-test-token', expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };
}

const vaultBody = {
  location: LOCATION,
  properties: {
    tenantId: TENANT,
    sku: { family: 'A' as const, name: 'standard' as const },
    enableRbacAuthorization: true,
    softDeleteRetentionInDays: 7,
    enablePurgeProtection: false,
  },
};

describe('Microsoft.KeyVault/vaults and their secrets through @azure/arm-keyvault and @azure/keyvault-secrets', () => {
  let kit: Kit;
  let kv: KeyVaultManagementClient;
  beforeAll(async () => {
    kit = await startKit({ timeScale: 1 });
    const credential = recordingCredential();
    kv = new KeyVaultManagementClient(credential, SUBSCRIPTION, {
      endpoint: kit.emulator.url,
      credentials: { scopes: [`${kit.emulator.url}/.default`] },
      tlsOptions: { ca: kit.emulator.caCertPem },
      retryOptions: { maxRetries: 0 },
    });
    // RBAC-mode vaults: the caller (the app's static token) may write secrets in the whole group.
    const authorization = new AuthorizationManagementClient(credential, SUBSCRIPTION, {
      endpoint: kit.emulator.url,
      credentialScopes: [`${kit.emulator.url}/.default`],
      tlsOptions: { ca: kit.emulator.caCertPem },
      retryOptions: { maxRetries: 0 },
    });
    await authorization.roleAssignments.createById(
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Authorization/roleAssignments/7c1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6`,
      {
        roleDefinitionId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/b86a8fe4-44ce-4948-aee5-eccb2c155cd7`,
        principalId: kit.emulator.appPrincipalId,
        principalType: 'ServicePrincipal',
      },
    );
  });
  afterAll(() => kit.close());

  const secretClient = (vaultUri: string, credential: TokenCredential) =>
    new SecretClient(vaultUri, credential, {
      disableChallengeResourceVerification: true,
      tlsOptions: { ca: kit.emulator.caCertPem },
      retryOptions: { maxRetries: 0 },
    });

  it('creates an RBAC-mode vault at once, with a vaultUri where its secrets are served', async () => {
    const vault = await kv.vaults.beginCreateOrUpdateAndWait(RG, 'kv-demo-0001', vaultBody, {
      updateIntervalInMs: 10,
    });
    expect(vault.properties.enableRbacAuthorization).toBe(true);
    expect(vault.properties.enableSoftDelete).toBe(true);
    expect(vault.properties.vaultUri).toBe(`${kit.emulator.url}/_vaults/kv-demo-0001/`);
    const read = await kv.vaults.get(RG, 'kv-demo-0001');
    expect(read.properties.tenantId).toBe(TENANT);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['without a tenant', { tenantId: undefined }, /tenantId/],
    ['with soft delete off', { enableSoftDelete: false }, /soft delete/],
    ['with a retention below 7 days', { softDeleteRetentionInDays: 3 }, /7 to 90/],
  ])('refuses a vault %s', async (_what, change, message) => {
    const body = { ...vaultBody, properties: { ...vaultBody.properties, ...change } };
    await expect(
      kv.vaults.beginCreateOrUpdateAndWait(RG, 'kv-bad', body, {
        updateIntervalInMs: 10,
      }),
    ).rejects.toThrow(message);
  });

  it('refuses an invalid name and turning purge protection off once on', async () => {
    expect(
      await errorCode(
        kv.vaults.beginCreateOrUpdateAndWait(RG, 'kv--double', vaultBody, { updateIntervalInMs: 10 }),
      ),
    ).toBe('InvalidResourceName');
    const on = { ...vaultBody, properties: { ...vaultBody.properties, enablePurgeProtection: true } };
    await kv.vaults.beginCreateOrUpdateAndWait(RG, 'kv-protected', on, { updateIntervalInMs: 10 });
    await expect(
      kv.vaults.beginCreateOrUpdateAndWait(RG, 'kv-protected', vaultBody, { updateIntervalInMs: 10 }),
    ).rejects.toThrow(/irreversible/);
  });

  it('serves secrets to the real SecretClient after its challenge: versions, expiry, tags, disabled secrets', async () => {
    const vault = await kv.vaults.beginCreateOrUpdateAndWait(RG, 'kv-secrets', vaultBody, {
      updateIntervalInMs: 10,
    });
    const credential = recordingCredential();
    const client = secretClient(vault.properties.vaultUri ?? '', credential);

    const expiresOn = new Date(Math.floor(Date.now() / 1000 + 7200) * 1000);
    const first = await client.setSecret('join-token', 'abcdef.0123456789abcdef', {
      expiresOn,
      tags: { caCertHash: `sha256:${'a'.repeat(64)}` },
      contentType: 'text/plain',
    });
    // The challenge told the client which scope and tenant to ask for.
    expect(credential.asked[0]).toEqual({
      scopes: ['https://vault.azure.net/.default'],
      tenantId: expect.any(String) as string,
    });
    const second = await client.setSecret('join-token', 'ghijkl.0123456789abcdef', { expiresOn });
    expect(second.properties.version).not.toBe(first.properties.version);

    const latest = await client.getSecret('join-token');
    expect(latest.value).toBe('ghijkl.0123456789abcdef');
    expect(latest.properties.expiresOn?.toISOString()).toBe(expiresOn.toISOString());
    const old = await client.getSecret('join-token', { version: first.properties.version ?? '' });
    expect(old.value).toBe('abcdef.0123456789abcdef');
    expect(old.properties.tags).toEqual({ caCertHash: `sha256:${'a'.repeat(64)}` });

    const names: string[] = [];
    for await (const p of client.listPropertiesOfSecrets()) names.push(p.name);
    expect(names).toEqual(['join-token']);
    const versions: string[] = [];
    for await (const p of client.listPropertiesOfSecretVersions('join-token')) versions.push(p.version ?? '');
    expect(versions).toHaveLength(2);

    await client.setSecret('off', 'x', { enabled: false });
    await expect(client.getSecret('off')).rejects.toMatchObject({ statusCode: 403 });
    await expect(client.getSecret('missing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'SecretNotFound',
    });
  });

  it('keeps secrets out of ARM and the state, and a recreated vault starts empty', async () => {
    const vault = await kv.vaults.beginCreateOrUpdateAndWait(RG, 'kv-reborn', vaultBody, {
      updateIntervalInMs: 10,
    });
    const client = secretClient(vault.properties.vaultUri ?? '', recordingCredential());
    await client.setSecret('ca-key', '-----BEGIN PRIVATE KEY-----');
    expect(JSON.stringify(kit.emulator.resources())).not.toContain('BEGIN PRIVATE KEY');
    await kv.vaults.delete(RG, 'kv-reborn');
    await expect(client.getSecret('ca-key')).rejects.toMatchObject({ statusCode: 404 });
    // Soft-deleted: the name is free again once purged.
    await kv.vaults.purgeDeleted('kv-reborn', LOCATION, { updateIntervalInMs: 10 });
    await kv.vaults.beginCreateOrUpdateAndWait(RG, 'kv-reborn', vaultBody, { updateIntervalInMs: 10 });
    await expect(client.getSecret('ca-key')).rejects.toMatchObject({
      statusCode: 404,
      code: 'SecretNotFound',
    });
  });
});

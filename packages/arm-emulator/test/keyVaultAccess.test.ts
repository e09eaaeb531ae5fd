/**
 * Key Vault's data-plane authorization (RBAC and access policies), identity tokens as IMDS issues
 * them, and soft-deleted vaults (list, get, purge, the name they hold), through the real SDK clients.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import type { TokenCredential } from '@azure/core-auth';
import { SecretClient } from '@azure/keyvault-secrets';

import { errorCode, id, type Kit, LOCATION, rawRequest, RG, startKit, SUBSCRIPTION } from './armTestKit';

const ROLES = {
  secretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  secretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  administrator: '00482a5a-887f-4fb3-b363-3b7fe8e74483',
  reader: '21090545-7ca7-4776-b22c-e363652d74d2',
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
};
const roleId = (guid: string): string =>
  `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

const tokenCredential = (token: string): TokenCredential => ({
  getToken: () => Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
});
const APP = tokenCredential('static-app-token');

const vaultBody = (rbac = true, extra: Record<string, unknown> = {}) => ({
  location: LOCATION,
  properties: {
    tenantId: '00000000-0000-0000-0000-000000000000',
    sku: { family: 'A' as const, name: 'standard' as const },
    enableRbacAuthorization: rbac,
    softDeleteRetentionInDays: 7,
    ...extra,
  },
});

describe('Key Vault data-plane access, identity tokens and soft delete', () => {
  let kit: Kit;
  let kv: KeyVaultManagementClient;
  let authorization: AuthorizationManagementClient;
  let msi: ManagedServiceIdentityClient;
  let counter = 0;

  const options = () => ({
    endpoint: kit.emulator.url,
    credentialScopes: [`${kit.emulator.url}/.default`],
    credentials: { scopes: [`${kit.emulator.url}/.default`] },
    tlsOptions: { ca: kit.emulator.caCertPem },
    retryOptions: { maxRetries: 0 },
  });
  const lro = { updateIntervalInMs: 10 };
  const secrets = (vaultUri: string, credential: TokenCredential) =>
    new SecretClient(vaultUri, credential, {
      disableChallengeResourceVerification: true,
      tlsOptions: { ca: kit.emulator.caCertPem },
      retryOptions: { maxRetries: 0 },
    });
  const assign = async (scope: string, role: string, principalId: string): Promise<string> => {
    counter += 1;
    const assignmentId = `${scope}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
    await authorization.roleAssignments.createById(assignmentId, {
      roleDefinitionId: roleId(role),
      principalId,
      principalType: 'ServicePrincipal',
    });
    return assignmentId;
  };
  const newVault = async (name: string, rbac = true, extra: Record<string, unknown> = {}) => {
    const vault = await kv.vaults.beginCreateOrUpdateAndWait(RG, name, vaultBody(rbac, extra), lro);
    return { id: vault.id ?? '', uri: vault.properties.vaultUri ?? '' };
  };

  beforeAll(async () => {
    kit = await startKit({ timeScale: 0 });
    kv = new KeyVaultManagementClient(APP, SUBSCRIPTION, options());
    authorization = new AuthorizationManagementClient(APP, SUBSCRIPTION, options());
    msi = new ManagedServiceIdentityClient(APP, SUBSCRIPTION, options());
  });
  afterAll(() => kit.close());

  it('refuses the vault creator everything until a data role is assigned (Owner and Contributor give none)', async () => {
    const vault = await newVault('kv-rbac-app');
    const client = secrets(vault.uri, APP);
    const refusal = await client.setSecret('a', 'x').catch((err: unknown) => err);
    expect(refusal).toMatchObject({ statusCode: 403, code: 'Forbidden' });
    const message = (refusal as Error).message;
    expect(message).toContain("Action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action'");
    expect(message).toContain(`oid=${kit.emulator.appPrincipalId}`);
    // The body carries Key Vault's inner code.
    const raw = await rawRequest(kit, 'GET', '/_vaults/kv-rbac-app/secrets?api-version=7.6', undefined, {
      authorization: 'Bearer static-app-token',
    });
    expect(raw.status).toBe(403);
    expect(raw.json).toMatchObject({ error: { code: 'Forbidden', innererror: { code: 'ForbiddenByRbac' } } });

    await assign(vault.id, ROLES.owner, kit.emulator.appPrincipalId);
    await assign(
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}`,
      ROLES.contributor,
      kit.emulator.appPrincipalId,
    );
    expect(await errorCode(client.setSecret('a', 'x'))).toBe('Forbidden');

    await assign(vault.id, ROLES.secretsOfficer, kit.emulator.appPrincipalId);
    await client.setSecret('a', 'x');
    expect((await client.getSecret('a')).value).toBe('x');
  });

  it('grants by role and scope: Secrets User reads, Reader lists only, a secret-scoped role reaches one secret', async () => {
    const vault = await newVault('kv-rbac-scopes');
    await assign(vault.id, ROLES.secretsOfficer, kit.emulator.appPrincipalId);
    const app = secrets(vault.uri, APP);
    await app.setSecret('join-token', 'token-value');
    await app.setSecret('ca-key', 'key-value');

    const identity = async (name: string) => {
      const made = await msi.userAssignedIdentities.createOrUpdate(RG, name, { location: LOCATION });
      return made.principalId ?? '';
    };
    // Tokens with an oid claim act as that principal (as Entra tokens do).
    const as = (principalId: string) => {
      const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
      return secrets(vault.uri, tokenCredential(`${part({ alg: 'none' })}.${part({ oid: principalId })}.`));
    };
    const worker = await identity('worker-id');
    await assign(`${vault.id}/secrets/join-token`, ROLES.secretsUser, worker);
    expect((await as(worker).getSecret('join-token')).value).toBe('token-value');
    expect(await errorCode(as(worker).getSecret('ca-key'))).toBe('Forbidden');
    expect(await errorCode(as(worker).setSecret('join-token', 'other'))).toBe('Forbidden');

    const controlPlane = await identity('cp-id');
    await assign(vault.id, ROLES.secretsUser, controlPlane);
    expect((await as(controlPlane).getSecret('ca-key')).value).toBe('key-value');
    expect(await errorCode(as(controlPlane).setSecret('ca-key', 'other'))).toBe('Forbidden');

    const reader = await identity('reader-id');
    await assign(`/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}`, ROLES.reader, reader);
    const names: string[] = [];
    for await (const p of as(reader).listPropertiesOfSecrets()) names.push(p.name);
    expect(names.sort()).toEqual(['ca-key', 'join-token']);
    expect(await errorCode(as(reader).getSecret('ca-key'))).toBe('Forbidden');

    const admin = await identity('admin-id');
    await assign(`/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}`, ROLES.administrator, admin);
    await as(admin).setSecret('ca-key', 'rotated');
    expect((await as(controlPlane).getSecret('ca-key')).value).toBe('rotated');
  });

  it('enforces access policies on a vault that is not in RBAC mode', async () => {
    const reader = (await msi.userAssignedIdentities.createOrUpdate(RG, 'policy-id', { location: LOCATION }))
      .principalId;
    const vault = await newVault('kv-policies', false, {
      accessPolicies: [
        {
          tenantId: '00000000-0000-0000-0000-000000000000',
          objectId: kit.emulator.appPrincipalId,
          permissions: { secrets: ['set', 'get'] },
        },
        {
          tenantId: '00000000-0000-0000-0000-000000000000',
          objectId: reader,
          permissions: { secrets: ['list'] },
        },
      ],
    });
    await secrets(vault.uri, APP).setSecret('s', 'v');
    const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const asReader = secrets(
      vault.uri,
      tokenCredential(`${part({ alg: 'none' })}.${part({ oid: reader })}.`),
    );
    const raw = await rawRequest(kit, 'GET', '/_vaults/kv-policies/secrets/s?api-version=7.6', undefined, {
      authorization: `Bearer ${part({ alg: 'none' })}.${part({ oid: reader })}.`,
    });
    expect(raw.json).toMatchObject({ error: { code: 'Forbidden', innererror: { code: 'AccessDenied' } } });
    const names: string[] = [];
    for await (const p of asReader.listPropertiesOfSecrets()) names.push(p.name);
    expect(names).toEqual(['s']);
  });

  it("issues a VM's identity token as IMDS would, and refuses an identity the VM does not have", async () => {
    const net = kit.clients.network;
    await net.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      'vnet',
      {
        location: LOCATION,
        addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
        subnets: [{ name: 'nodes', addressPrefix: '10.0.1.0/24' }],
      },
      lro,
    );
    await net.networkInterfaces.beginCreateOrUpdateAndWait(
      RG,
      'nic-0',
      {
        location: LOCATION,
        ipConfigurations: [
          { name: 'ip', subnet: { id: id('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'nodes') } },
        ],
      },
      lro,
    );
    const attached = await msi.userAssignedIdentities.createOrUpdate(RG, 'node-id', { location: LOCATION });
    const other = await msi.userAssignedIdentities.createOrUpdate(RG, 'other-id', { location: LOCATION });
    const vm = await kit.clients.compute.virtualMachines.beginCreateOrUpdateAndWait(
      RG,
      'node-0',
      {
        location: LOCATION,
        identity: { type: 'UserAssigned', userAssignedIdentities: { [attached.id ?? '']: {} } },
        hardwareProfile: { vmSize: 'Standard_D2s_v5' },
        osProfile: { computerName: 'node', adminUsername: 'azureuser' },
        storageProfile: {
          imageReference: {
            publisher: 'Canonical',
            offer: 'ubuntu-24_04-lts',
            sku: 'server',
            version: 'latest',
          },
        },
        networkProfile: { networkInterfaces: [{ id: id('Microsoft.Network/networkInterfaces', 'nic-0') }] },
      },
      lro,
    );
    const vault = await newVault('kv-imds');
    await assign(vault.id, ROLES.secretsOfficer, kit.emulator.appPrincipalId);
    await secrets(vault.uri, APP).setSecret('join-token', 'abc');
    await assign(vault.id, ROLES.secretsUser, attached.principalId ?? '');

    const token = kit.emulator.identityToken(vm.id ?? '', attached.id ?? '');
    expect(token).toMatchObject({
      token_type: 'Bearer',
      client_id: attached.clientId,
      resource: 'https://vault.azure.net',
    });
    expect(
      (await secrets(vault.uri, tokenCredential(token.access_token)).getSecret('join-token')).value,
    ).toBe('abc');

    const refused = await rawRequest(kit, 'POST', '/_emulator/identity-token', {
      vmId: vm.id,
      identityId: other.id,
    });
    expect(refused).toMatchObject({
      status: 400,
      json: { error: 'invalid_request', error_description: 'Identity not found' },
    });
    const viaRoute = await rawRequest(kit, 'POST', '/_emulator/identity-token', {
      vmId: vm.id,
      identityId: attached.id,
    });
    expect(viaRoute.status).toBe(200);
  });

  it('honours a role assignment only after the propagation delay', async () => {
    const slow = await startKit({ timeScale: 0, rbacPropagationMs: 400 });
    try {
      const opts = {
        endpoint: slow.emulator.url,
        credentialScopes: [`${slow.emulator.url}/.default`],
        credentials: { scopes: [`${slow.emulator.url}/.default`] },
        tlsOptions: { ca: slow.emulator.caCertPem },
        retryOptions: { maxRetries: 0 },
      };
      const vault = await new KeyVaultManagementClient(
        APP,
        SUBSCRIPTION,
        opts,
      ).vaults.beginCreateOrUpdateAndWait(RG, 'kv-slow', vaultBody(), lro);
      await new AuthorizationManagementClient(APP, SUBSCRIPTION, opts).roleAssignments.createById(
        `${vault.id ?? ''}/providers/Microsoft.Authorization/roleAssignments/11111111-0000-4000-8000-000000000001`,
        { roleDefinitionId: roleId(ROLES.secretsOfficer), principalId: slow.emulator.appPrincipalId },
      );
      const client = new SecretClient(vault.properties.vaultUri ?? '', APP, {
        disableChallengeResourceVerification: true,
        tlsOptions: { ca: slow.emulator.caCertPem },
        retryOptions: { maxRetries: 0 },
      });
      expect(await errorCode(client.setSecret('a', 'x'))).toBe('Forbidden');
      await new Promise((resolve) => setTimeout(resolve, 450));
      await client.setSecret('a', 'x');
    } finally {
      await slow.close();
    }
  });

  it('soft-deletes a vault: listed and read as deleted, its name refused until purged, then free', async () => {
    await newVault('kv-soft', true, { enablePurgeProtection: false });
    await kv.vaults.delete(RG, 'kv-soft');
    await expect(kv.vaults.get(RG, 'kv-soft')).rejects.toMatchObject({ statusCode: 404 });

    const deleted = await kv.vaults.getDeleted('kv-soft', LOCATION);
    expect(deleted.properties).toMatchObject({
      vaultId: id('Microsoft.KeyVault/vaults', 'kv-soft'),
      location: LOCATION,
      purgeProtectionEnabled: false,
    });
    const days =
      ((deleted.properties?.scheduledPurgeDate?.getTime() ?? 0) -
        (deleted.properties?.deletionDate?.getTime() ?? 0)) /
      86_400_000;
    expect(days).toBe(7);
    const listed: string[] = [];
    for await (const v of kv.vaults.listDeleted()) listed.push(v.name ?? '');
    expect(listed).toContain('kv-soft');

    const refused = await kv.vaults
      .beginCreateOrUpdateAndWait(RG, 'kv-soft', vaultBody(), lro)
      .catch((err: unknown) => err);
    expect(refused).toMatchObject({ statusCode: 409, code: 'ConflictError' });
    expect((refused as Error).message).toMatch(/already exists in deleted state/);

    await kv.vaults.purgeDeleted('kv-soft', LOCATION, lro);
    await expect(kv.vaults.getDeleted('kv-soft', LOCATION)).rejects.toMatchObject({ statusCode: 404 });
    const after: string[] = [];
    for await (const v of kv.vaults.listDeleted()) after.push(v.name ?? '');
    expect(after).not.toContain('kv-soft');
    // Purging what is gone is a 404 (the app treats it as done).
    expect(await errorCode(kv.vaults.purgeDeleted('kv-soft', LOCATION, lro).pollUntilDone())).toBe(
      'ResourceNotFound',
    );
    await newVault('kv-soft');
  });

  it('refuses to purge a vault with purge protection', async () => {
    await newVault('kv-protect', true, { enablePurgeProtection: true });
    await kv.vaults.delete(RG, 'kv-protect');
    expect(await errorCode(kv.vaults.purgeDeleted('kv-protect', LOCATION, lro).pollUntilDone())).toBe(
      'ConflictError',
    );
  });

  it('keeps soft-deleted vaults across a restart', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kv-soft-'));
    const stateFile = path.join(dir, 'state.json');
    const first = await startKit({ timeScale: 0, stateFile });
    const opts = (k: Kit) => ({
      endpoint: k.emulator.url,
      credentials: { scopes: [`${k.emulator.url}/.default`] },
      tlsOptions: { ca: k.emulator.caCertPem },
      retryOptions: { maxRetries: 0 },
    });
    const kv1 = new KeyVaultManagementClient(APP, SUBSCRIPTION, opts(first));
    await kv1.vaults.beginCreateOrUpdateAndWait(RG, 'kv-kept', vaultBody(), lro);
    await kv1.vaults.delete(RG, 'kv-kept');
    await first.close();
    const second = await startKit({ timeScale: 0, stateFile });
    try {
      const kv2 = new KeyVaultManagementClient(APP, SUBSCRIPTION, opts(second));
      expect((await kv2.vaults.getDeleted('kv-kept', LOCATION)).name).toBe('kv-kept');
    } finally {
      await second.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import type { TokenCredential } from '@azure/core-auth';

import { errorCode, type Kit, LOCATION, rawRequest, RG, startKit, SUBSCRIPTION } from './armTestKit';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const token: TokenCredential = {
  getToken: () => Promise.resolve({ token: 't', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

describe('Microsoft.ManagedIdentity/userAssignedIdentities through @azure/arm-msi', () => {
  let kit: Kit;
  let msi: ManagedServiceIdentityClient;
  beforeAll(async () => {
    // A real latency model: identities must still answer at once (they are not long-running).
    kit = await startKit({ timeScale: 1 });
    msi = new ManagedServiceIdentityClient(token, SUBSCRIPTION, {
      endpoint: kit.emulator.url,
      $host: kit.emulator.url,
      credentialScopes: [`${kit.emulator.url}/.default`],
      tlsOptions: { ca: kit.emulator.caCertPem },
      retryOptions: { maxRetries: 0 },
    });
  });
  afterAll(() => kit.close());

  it('creates an identity with read-only principal, client and tenant ids that never change', async () => {
    const created = await msi.userAssignedIdentities.createOrUpdate(RG, 'id-nodes', {
      location: LOCATION,
      tags: { role: 'nodes' },
    });
    expect(created.principalId).toMatch(GUID);
    expect(created.clientId).toMatch(GUID);
    expect(created.tenantId).toMatch(GUID);
    expect(created.type).toBe('Microsoft.ManagedIdentity/userAssignedIdentities');
    expect(created.tags).toEqual({ role: 'nodes' });

    // GET → modify → PUT, and a client that sends other ids: ARM keeps its own.
    const raw = await rawRequest(kit, 'PUT', `${created.id ?? ''}?api-version=2023-01-31`, {
      location: LOCATION,
      properties: { principalId: '11111111-1111-1111-1111-111111111111' },
    });
    expect(raw.status).toBe(200);
    expect(raw.headers['azure-asyncoperation']).toBeUndefined();
    const again = await msi.userAssignedIdentities.get(RG, 'id-nodes');
    expect([again.principalId, again.clientId]).toEqual([created.principalId, created.clientId]);

    const patched = await msi.userAssignedIdentities.update(RG, 'id-nodes', { tags: { role: 'x' } });
    expect(patched.tags).toEqual({ role: 'x' });
    expect(patched.principalId).toBe(created.principalId);

    const listed = [];
    for await (const i of msi.userAssignedIdentities.listByResourceGroup(RG)) listed.push(i.name);
    expect(listed).toEqual(['id-nodes']);
  });

  it('deletes at once, and a second delete is a no-op', async () => {
    await msi.userAssignedIdentities.createOrUpdate(RG, 'id-gone', { location: LOCATION });
    await msi.userAssignedIdentities.delete(RG, 'id-gone');
    expect(await errorCode(msi.userAssignedIdentities.get(RG, 'id-gone'))).toBe('ResourceNotFound');
    await msi.userAssignedIdentities.delete(RG, 'id-gone'); // 204: nothing left to delete
    const deletes = kit.emulator.operations().filter((o) => o.method === 'DELETE' && /id-gone$/.test(o.path));
    expect(deletes.map((o) => o.status)).toEqual([200, 204]);
  });

  it('refuses an identity without a location, naming it', async () => {
    // The SDK checks this itself, so ask without it.
    const res = await rawRequest(
      kit,
      'PUT',
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-bad?api-version=2023-01-31`,
      {},
    );
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'LocationRequired' } });
  });
});

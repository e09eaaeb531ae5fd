import * as https from 'node:https';

import { WebSiteManagementClient } from '@azure/arm-appservice';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { StorageManagementClient } from '@azure/arm-storage';
import type { TokenCredential } from '@azure/core-auth';

import { errorCode, type Kit, LOCATION, RG, startKit, SUBSCRIPTION } from './armTestKit';

const token: TokenCredential = {
  getToken: () => Promise.resolve({ token: 't', expiresOnTimestamp: Date.now() + 3_600_000 }),
};
const rgId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}`;
const id = (type: string, name: string): string => `${rgId}/providers/${type}/${name}`;
const V = {
  storage: '2026-06-01',
  web: '2025-05-01',
  insights: '2020-02-02',
  logs: '2023-09-01',
  eventGrid: '2022-06-15',
  msi: '2024-11-30',
};

describe('A Function App and what surrounds it (storage, plan, site, settings, telemetry, Event Grid)', () => {
  let kit: Kit;
  const put = (resourceId: string, apiVersion: string, body: Record<string, unknown>) =>
    kit.clients.resources.resources.beginCreateOrUpdateByIdAndWait(
      resourceId.slice(1),
      apiVersion,
      body,
      kit.lro,
    );
  const get = (resourceId: string, apiVersion: string) =>
    kit.clients.resources.resources.getById(resourceId.slice(1), apiVersion);

  beforeAll(async () => {
    kit = await startKit({ timeScale: 0.001 });
  });
  afterAll(() => kit.close());

  it('storage accounts through @azure/arm-storage: Location polling, endpoints, name rule, a default blob service for containers', async () => {
    const storage = new StorageManagementClient(token, SUBSCRIPTION, {
      endpoint: kit.emulator.url,
      credentialScopes: [`${kit.emulator.url}/.default`],
      tlsOptions: { ca: kit.emulator.caCertPem },
    } as ConstructorParameters<typeof StorageManagementClient>[2]);
    const account = await storage.storageAccounts.beginCreateAndWait(
      RG,
      'appstate01',
      { location: LOCATION, kind: 'StorageV2', sku: { name: 'Standard_LRS' }, allowSharedKeyAccess: false },
      kit.lro,
    );
    expect(account.primaryEndpoints?.blob).toBe('https://appstate01.blob.core.windows.net/');
    expect(account.allowSharedKeyAccess).toBe(false);
    const container = await storage.blobContainers.create(RG, 'appstate01', 'app-package', {
      publicAccess: 'None',
    });
    expect(container.id).toBe(
      `${id('Microsoft.Storage/storageAccounts', 'appstate01')}/blobServices/default/containers/app-package`,
    );
    expect(
      await errorCode(
        storage.storageAccounts.beginCreateAndWait(
          RG,
          'Bad-Name',
          { location: LOCATION, kind: 'StorageV2', sku: { name: 'Standard_LRS' } },
          kit.lro,
        ),
      ),
    ).toBe('InvalidResourceName');
  });

  it('a Flex Consumption app: plan, site with identity and functionAppConfig, app settings, Application Insights', async () => {
    const identity = await put(id('Microsoft.ManagedIdentity/userAssignedIdentities', 'app-id'), V.msi, {
      location: LOCATION,
    });
    const flexWindows = put(id('Microsoft.Web/serverfarms', 'bad-plan'), V.web, {
      location: LOCATION,
      sku: { name: 'FC1', tier: 'FlexConsumption' },
      properties: {},
    });
    expect(await errorCode(flexWindows)).toBe('BadRequest');
    const plan = await put(id('Microsoft.Web/serverfarms', 'app-plan'), V.web, {
      location: LOCATION,
      kind: 'functionapp',
      sku: { name: 'FC1', tier: 'FlexConsumption' },
      properties: { reserved: true },
    });
    const siteBody = {
      location: LOCATION,
      kind: 'functionapp,linux',
      identity: { type: 'UserAssigned', userAssignedIdentities: { [identity.id!]: {} } },
      properties: {
        serverFarmId: plan.id,
        httpsOnly: true,
        functionAppConfig: {
          deployment: {
            storage: { type: 'blobContainer', value: 'https://appstate01.blob.core.windows.net/app-package' },
          },
          runtime: { name: 'node', version: '22' },
        },
      },
    };
    const noConfig = put(id('Microsoft.Web/sites', 'acp-noconfig'), V.web, {
      ...siteBody,
      properties: { serverFarmId: plan.id },
    });
    expect(await errorCode(noConfig)).toBe('BadRequest');
    const site = await put(id('Microsoft.Web/sites', 'acp-app'), V.web, siteBody);
    expect((site.properties as Record<string, unknown>)['defaultHostName']).toBe('acp-app.azurewebsites.net');

    await put(`${site.id!}/config/appsettings`, V.web, {
      properties: { AZURE_SUBSCRIPTION_ID: SUBSCRIPTION, ARM_CREDENTIAL: 'default' },
    });
    const settings = await get(`${site.id!}/config/appsettings`, V.web);
    expect(settings.properties).toEqual({ AZURE_SUBSCRIPTION_ID: SUBSCRIPTION, ARM_CREDENTIAL: 'default' });

    const noWorkspace = put(id('Microsoft.Insights/components', 'ai-none'), V.insights, {
      location: LOCATION,
      kind: 'web',
      properties: {
        Application_Type: 'web',
        WorkspaceResourceId: id('Microsoft.OperationalInsights/workspaces', 'nope'),
      },
    });
    expect(await errorCode(noWorkspace)).toBeDefined();
    const ws = await put(id('Microsoft.OperationalInsights/workspaces', 'app-logs'), V.logs, {
      location: LOCATION,
      properties: { sku: { name: 'PerGB2018' } },
    });
    const ai = await put(id('Microsoft.Insights/components', 'app-ai'), V.insights, {
      location: LOCATION,
      kind: 'web',
      properties: { Application_Type: 'web', WorkspaceResourceId: ws.id, DisableLocalAuth: true },
    });
    expect((ai.properties as Record<string, unknown>)['ConnectionString']).toMatch(
      /^InstrumentationKey=[0-9a-f-]{36};/,
    );
  });

  it('Event Grid: a custom topic, a resource-group system topic, subscriptions that must name a function of an existing app', async () => {
    const topic = await put(id('Microsoft.EventGrid/topics', 'scaling'), V.eventGrid, {
      location: LOCATION,
      properties: { inputSchema: 'EventGridSchema' },
    });
    expect((topic.properties as Record<string, unknown>)['endpoint']).toMatch(/^https:\/\/scaling\./);
    const wrongLocation = put(id('Microsoft.EventGrid/systemTopics', 'rg-events-x'), V.eventGrid, {
      location: LOCATION,
      properties: { source: rgId, topicType: 'Microsoft.Resources.ResourceGroups' },
    });
    expect(await errorCode(wrongLocation)).toBe('InvalidRequest');
    const system = await put(id('Microsoft.EventGrid/systemTopics', 'rg-events'), V.eventGrid, {
      location: 'global',
      properties: { source: rgId, topicType: 'Microsoft.Resources.ResourceGroups' },
    });
    const toFunction = (site: string) => ({
      properties: {
        destination: {
          endpointType: 'AzureFunction',
          properties: { resourceId: `${id('Microsoft.Web/sites', site)}/functions/nodeScalingEvents` },
        },
        filter: {
          includedEventTypes: ['Microsoft.Resources.ResourceDeleteSuccess'],
          advancedFilters: [
            {
              operatorType: 'StringIn',
              key: 'data.operationName',
              values: ['Microsoft.Compute/virtualMachines/delete'],
            },
          ],
        },
      },
    });
    expect(
      await errorCode(
        put(`${system.id!}/eventSubscriptions/missing`, V.eventGrid, toFunction('no-such-app')),
      ),
    ).toBe('InvalidRequest');
    const sub = await put(`${system.id!}/eventSubscriptions/acp`, V.eventGrid, toFunction('acp-app'));
    expect((sub.properties as Record<string, unknown>)['topic']).toBe(system.id);
    await put(`${topic.id!}/eventSubscriptions/acp`, V.eventGrid, toFunction('acp-app'));
    const tooMany = toFunction('acp-app');
    tooMany.properties.filter.advancedFilters[0]!.values = Array.from(
      { length: 26 },
      (_, i) => `T${i}/write`,
    );
    expect(await errorCode(put(`${topic.id!}/eventSubscriptions/many`, V.eventGrid, tooMany))).toBe(
      'InvalidRequest',
    );
  });

  it("a Flex app's package through its SCM site: written to the deployment container with the app's identity, which needs a blob data role", async () => {
    const sdk = {
      endpoint: kit.emulator.url,
      credentials: { scopes: [`${kit.emulator.url}/.default`] },
      credentialScopes: [`${kit.emulator.url}/.default`],
      tlsOptions: { ca: kit.emulator.caCertPem },
    };
    const web = new WebSiteManagementClient(token, SUBSCRIPTION, sdk);
    const auth = new AuthorizationManagementClient(token, SUBSCRIPTION, sdk);
    const identity = await put(id('Microsoft.ManagedIdentity/userAssignedIdentities', 'pub-id'), V.msi, {
      location: LOCATION,
    });
    const principalId = (identity.properties as { principalId: string }).principalId;
    const storageId = id('Microsoft.Storage/storageAccounts', 'pubstate01');
    await put(storageId, V.storage, { location: LOCATION, kind: 'StorageV2', sku: { name: 'Standard_LRS' } });
    await put(`${storageId}/blobServices/default/containers/app-package`, V.storage, { properties: {} });
    const plan = await put(id('Microsoft.Web/serverfarms', 'pub-plan'), V.web, {
      location: LOCATION,
      sku: { name: 'FC1', tier: 'FlexConsumption' },
      properties: { reserved: true },
    });
    const site = await put(id('Microsoft.Web/sites', 'pub-app'), V.web, {
      location: LOCATION,
      kind: 'functionapp,linux',
      identity: { type: 'UserAssigned', userAssignedIdentities: { [identity.id!]: {} } },
      properties: {
        serverFarmId: plan.id,
        functionAppConfig: {
          deployment: {
            storage: {
              type: 'blobContainer',
              value: 'https://pubstate01.blob.core.windows.net/app-package',
              authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identity.id },
            },
          },
          runtime: { name: 'node', version: '22' },
        },
      },
    });
    const scm = (
      site.properties as { hostNameSslStates: { name: string; hostType: string }[] }
    ).hostNameSslStates.find((h) => h.hostType === 'Repository')!.name;
    expect(scm).toBe('pub-app.scm.azurewebsites.net');

    const send = (method: string, path: string, body?: Buffer, type?: string) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = https.request(
          `${kit.emulator.url}/_scm/${scm}${path}`,
          {
            method,
            ca: kit.emulator.caCertPem,
            headers: { authorization: 'Bearer t', ...(type ? { 'content-type': type } : {}) },
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString('utf8')));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const zip = storedZip(['host.json', 'package.json', 'dist/src/index.js']);

    // No keys before the host has something to run.
    expect(await errorCode(web.webApps.listHostKeys(RG, 'pub-app'))).toBe('BadRequest');
    expect((await send('POST', '/api/publish', zip, 'application/octet-stream')).status).toBe(415);
    expect((await send('POST', '/api/publish', Buffer.from('not a zip'), 'application/zip')).status).toBe(
      400,
    );
    const forbidden = await send('POST', '/api/publish', zip, 'application/zip');
    expect(forbidden.status).toBe(400);
    expect(forbidden.text).toContain('BlobUploadFailedException');
    expect(forbidden.text).toContain('AuthorizationPermissionMismatch');
    expect(kit.emulator.deployments()).toEqual([]);

    // Storage Blob Data Owner on the account, assigned at the account's scope.
    const assignment = await auth.roleAssignments.create(storageId, '6f3a1d0e-8c2b-4f7a-9e15-2b7d9c4a1e01', {
      roleDefinitionId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/b7e6dc6d-f1e8-4753-8033-0f276bb0955b`,
      principalId,
      principalType: 'ServicePrincipal',
    });
    expect(assignment.scope).toBe(storageId);
    const listed = [];
    for await (const a of auth.roleAssignments.listForScope(storageId)) listed.push(a.name);
    expect(listed).toEqual(['6f3a1d0e-8c2b-4f7a-9e15-2b7d9c4a1e01']);

    const published = await send('POST', '/api/publish?RemoteBuild=false', zip, 'application/zip');
    expect(published.status).toBe(202);
    const deploymentId = JSON.parse(published.text) as string;
    const latest = await send('GET', '/api/deployments/latest');
    expect(JSON.parse(latest.text)).toMatchObject({ id: deploymentId, status: 4, complete: true });
    const [deployed] = kit.emulator.deployments();
    expect(deployed).toMatchObject({ siteId: site.id, deploymentId, bytes: zip.length, remoteBuild: false });
    expect(deployed!.files).toEqual(['host.json', 'package.json', 'dist/src/index.js']);

    // Settings are read with the POST list action; host keys once a package runs (reads, not writes).
    await web.webApps.updateApplicationSettings(RG, 'pub-app', { properties: { A: '1' } });
    const before = kit.emulator.operations().length;
    expect((await web.webApps.listApplicationSettings(RG, 'pub-app')).properties).toEqual({ A: '1' });
    const keys = await web.webApps.listHostKeys(RG, 'pub-app');
    expect(keys.functionKeys?.['default']).toMatch(/^[\w-]{40,}$/);
    expect((await web.webApps.listHostKeys(RG, 'pub-app')).masterKey).toBe(keys.masterKey);
    expect(
      kit.emulator
        .operations()
        .slice(before)
        .filter((o) => o.write),
    ).toEqual([]);
  });
});

/** A zip of empty files, stored (what the SCM site reads is the central directory). */
function storedZip(names: string[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const name of names) {
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(n.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(n.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, n);
    central.push(entry, n);
    offset += 30 + n.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(names.length, 8);
  end.writeUInt16LE(names.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

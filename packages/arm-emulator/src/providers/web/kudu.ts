/**
 * What a Function App serves besides its ARM resource: the POST actions ARM proxies to the site
 * (`config/appsettings/list`, `host/default/listkeys`) and the SCM (Kudu) site's one-deploy endpoint
 * Flex Consumption apps take their package through (`POST https://<scm host>/api/publish`, then
 * `GET /api/deployments/latest`). The emulator serves the SCM site of `<app>.scm.azurewebsites.net`
 * at `<emulator>/_scm/<app>.scm.azurewebsites.net/…`.
 *
 * A Flex Consumption app keeps its package in the blob container its `functionAppConfig.deployment.storage`
 * names and writes it there with the identity it names, as Azure does: a publish fails with
 * `BlobUploadFailedException` (403 from storage) until that identity holds a blob data role on the
 * account. The package's file list, size and hash are kept with the site (inspectable through the
 * control API's `GET /_emulator/deployments`).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

import { ArmError, badRequest, notFound } from '../../armError';
import { extensionType, keyOf } from '../../armTypes';
import { asArray, asObject, asString, type JsonObject } from '../../json';
import type { ResourceRecord } from '../../store/records';
import { ROLE_ASSIGNMENT_TYPE } from '../authorization/roleAssignments';

const SITES = 'Microsoft.Web/sites';
const SERVERFARMS = 'Microsoft.Web/serverfarms';
const STORAGE = 'Microsoft.Storage/storageAccounts';

/** Roles whose data actions write blobs: Storage Blob Data Owner and Storage Blob Data Contributor. */
const BLOB_WRITERS = new Set([
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
]);

/** What the emulator needs from its store to serve a site's actions. */
export interface SiteStore {
  recordsOfType(type: string): ResourceRecord[];
  getRecord(key: string): ResourceRecord | undefined;
  render(record: ResourceRecord): JsonObject;
  annotate(key: string, values: JsonObject): void;
}

export interface SiteReply {
  status: number;
  body?: JsonObject | string;
}

/** A deployed package as the control API lists it. */
export interface DeployedPackage {
  siteId: string;
  scmHostName: string;
  deploymentId: string;
  receivedAt: string;
  bytes: number;
  sha256: string;
  remoteBuild: boolean;
  files: string[];
}

export function scmHostOf(siteName: string): string {
  return `${siteName.toLowerCase()}.scm.azurewebsites.net`;
}

/** The names of the files in a zip archive (from its central directory); throws when it is not one. */
export function zipFileNames(zip: Buffer): string[] {
  const EOCD = 0x06054b50;
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('no end of central directory record');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50)
      throw new Error(`central directory entry ${n} is damaged`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    if (!name.endsWith('/')) names.push(name);
    at += 46 + nameLength + extra + comment;
  }
  return names;
}

function siteByScmHost(store: SiteStore, host: string): ResourceRecord {
  const site = store.recordsOfType(SITES).find((s) => scmHostOf(s.name) === host.toLowerCase());
  if (!site) throw notFound('NotFound', `No site answers at ${host}.`);
  return site;
}

function isFlex(store: SiteStore, site: ResourceRecord): boolean {
  const farmId = asString(asObject(site.body.properties)?.serverFarmId);
  const farm = farmId === undefined ? undefined : store.getRecord(keyOf(farmId));
  return farm?.type === SERVERFARMS && asString(asObject(farm.body.sku)?.name)?.toUpperCase() === 'FC1';
}

/** Flex Consumption writes the package to its deployment container with its identity: refused as Azure refuses it. */
function checkDeploymentStorage(store: SiteStore, site: ResourceRecord): void {
  const storage = asObject(
    asObject(asObject(asObject(site.body.properties)?.functionAppConfig)?.deployment)?.storage,
  );
  const url = /^https:\/\/([a-z0-9]+)\.blob\.core\.windows\.net\/([^/?#]+)\/?$/i.exec(
    asString(storage?.value) ?? '',
  );
  const fail = (detail: string): ArmError =>
    badRequest('BadRequest', `BlobUploadFailedException: Failed to upload the package: ${detail}`);
  if (!url)
    throw fail(`the deployment storage '${asString(storage?.value) ?? ''}' is not a blob container URL.`);
  const [, accountName = '', containerName = ''] = url;
  const account = store
    .recordsOfType(STORAGE)
    .find((a) => a.name.toLowerCase() === accountName.toLowerCase());
  if (!account) throw fail(`the storage account '${accountName}' does not exist.`);
  if (!store.getRecord(`${account.key}/blobservices/default/containers/${containerName.toLowerCase()}`))
    throw fail(
      `404 (ContainerNotFound) the container '${containerName}' does not exist in '${accountName}'.`,
    );
  const auth = asObject(storage?.authentication);
  if (asString(auth?.type)?.toLowerCase() !== 'userassignedidentity') return;
  const identityId = asString(auth?.userAssignedIdentityResourceId) ?? '';
  const principalId = asString(store.getRecord(keyOf(identityId))?.derived.principalId);
  if (principalId === undefined) throw fail(`the identity '${identityId}' does not exist.`);
  const scopes = [
    ...store
      .recordsOfType(extensionType(STORAGE, ROLE_ASSIGNMENT_TYPE))
      .filter((r) => r.parentKey === account.key),
    ...store
      .recordsOfType(ROLE_ASSIGNMENT_TYPE)
      .filter(
        (r) =>
          r.resourceGroup.toLowerCase() === account.resourceGroup.toLowerCase() &&
          r.subscriptionId.toLowerCase() === account.subscriptionId.toLowerCase(),
      ),
  ];
  const allowed = scopes.some((r) => {
    const props = asObject(r.body.properties) ?? {};
    const role = (asString(props.roleDefinitionId) ?? '').split('/').pop()?.toLowerCase() ?? '';
    return asString(props.principalId)?.toLowerCase() === principalId.toLowerCase() && BLOB_WRITERS.has(role);
  });
  if (!allowed)
    throw fail(
      `403 (AuthorizationPermissionMismatch) the identity ${principalId} may not write blobs in '${accountName}'.`,
    );
}

/**
 * The SCM site: `POST api/publish` (one deploy: `Content-Type: application/zip`, answers 202 and the
 * deployment id) and `GET api/deployments/latest|<id>` (Kudu's status: 4 = success).
 */
export function scmRequest(
  store: SiteStore,
  method: string,
  host: string,
  path: string[],
  query: URLSearchParams,
  contentType: string | undefined,
  body: Buffer,
): SiteReply {
  const site = siteByScmHost(store, host);
  const route = path.map((s) => s.toLowerCase()).join('/');
  if (route === 'api/publish') {
    if (method !== 'POST') throw new ArmError(405, 'MethodNotAllowed', `${method} is not allowed here.`);
    if (!/^application\/zip\b/i.test(contentType ?? ''))
      throw new ArmError(
        415,
        'UnsupportedMediaType',
        `api/publish takes application/zip, not '${contentType ?? ''}'.`,
      );
    let files: string[];
    try {
      files = zipFileNames(body);
    } catch (err) {
      throw badRequest('BadRequest', `The package is not a zip archive: ${(err as Error).message}.`);
    }
    if (isFlex(store, site)) checkDeploymentStorage(store, site);
    const deployment: DeployedPackage = {
      siteId: site.id,
      scmHostName: scmHostOf(site.name),
      deploymentId: randomUUID(),
      receivedAt: new Date().toISOString(),
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      remoteBuild: (query.get('RemoteBuild') ?? query.get('remoteBuild') ?? 'false').toLowerCase() === 'true',
      files,
    };
    store.annotate(site.key, { package: deployment as unknown as JsonObject });
    return { status: 202, body: deployment.deploymentId };
  }
  const status = /^api\/deployments\/([^/]+)$/.exec(route);
  if (status && method === 'GET') {
    const deployed = asObject(site.derived.package);
    const id = asString(deployed?.deploymentId);
    if (!deployed || id === undefined || (status[1] !== 'latest' && status[1] !== id.toLowerCase()))
      throw notFound('NotFound', `No deployment '${status[1] ?? ''}' on ${host}.`);
    return {
      status: 200,
      body: {
        id,
        status: 4,
        status_text: '',
        complete: true,
        active: true,
        deployer: 'OneDeploy',
        received_time: asString(deployed.receivedAt) ?? '',
        end_time: asString(deployed.receivedAt) ?? '',
      },
    };
  }
  throw notFound('NotFound', `The SCM site has no route ${method} /${path.join('/')}.`);
}

/** The deployed packages of every site (control API). */
export function deployedPackages(store: SiteStore): DeployedPackage[] {
  return store
    .recordsOfType(SITES)
    .map((s) => asObject(s.derived.package))
    .filter((p): p is JsonObject => p !== undefined)
    .map((p) => ({ ...(p as unknown as DeployedPackage), files: asArray(p.files).map(String) }));
}

function newKey(): string {
  return randomBytes(40).toString('base64url');
}

/**
 * POST actions on a site, by the path after `sites/<name>/`: `config/appsettings/list` (the
 * settings, which a GET never shows on Azure) and `host/default/listkeys` (the host's keys; only
 * once a package runs, as the host answers them). Undefined when the path is no such action.
 */
export function siteAction(store: SiteStore, siteId: string, action: string[]): SiteReply | undefined {
  const route = action.map((s) => s.toLowerCase()).join('/');
  if (route !== 'config/appsettings/list' && route !== 'host/default/listkeys') return undefined;
  const site = store.getRecord(keyOf(siteId));
  if (!site || site.type !== SITES)
    throw notFound(
      'ResourceNotFound',
      `The Resource '${SITES}/${siteId.split('/').pop() ?? ''}' was not found.`,
    );
  if (route === 'config/appsettings/list') {
    const config = store.getRecord(`${site.key}/config/appsettings`);
    return {
      status: 200,
      body: config
        ? store.render(config)
        : {
            id: `${site.id}/config/appsettings`,
            name: 'appsettings',
            type: 'Microsoft.Web/sites/config',
            properties: {},
          },
    };
  }
  if (!site.derived.package)
    throw badRequest(
      'BadRequest',
      'Encountered an error (ServiceUnavailable) from host runtime: no package has been deployed to the app.',
    );
  let keys = asObject(site.derived.hostKeys);
  if (!keys) {
    keys = { masterKey: newKey(), functionKeys: { default: newKey() }, systemKeys: {} };
    store.annotate(site.key, { hostKeys: keys });
  }
  return { status: 200, body: keys };
}

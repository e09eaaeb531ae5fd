import { badRequest } from '../../armError';
import { asObject, asString, type JsonObject } from '../../json';
import type { Reference, ResourceProvider } from '../provider';
import { requireRef } from '../shared';
import { scmHostOf } from './kudu';

const SERVERFARMS = 'Microsoft.Web/serverfarms';
const IDENTITIES = 'Microsoft.ManagedIdentity/userAssignedIdentities';

function identityIds(body: JsonObject): string[] {
  return Object.keys(asObject(asObject(body.identity)?.userAssignedIdentities) ?? {});
}

/**
 * Web and function apps: the plan they run on and their user-assigned identities must exist; a
 * Flex Consumption app needs `functionAppConfig` (deployment storage and runtime). ARM computes the
 * host names. App settings are the child `config/appsettings`; the package arrives through the
 * emulator's publish endpoint (see startArmEmulator).
 */
export const sites: ResourceProvider = {
  type: 'Microsoft.Web/sites',
  latencyMs: { write: 0, delete: 0 },
  sync: true,
  patch: 'sync',
  readOnly: [
    'state',
    'defaultHostName',
    'hostNames',
    'enabledHostNames',
    'hostNameSslStates',
    'usageState',
    'availabilityState',
  ],
  nameRule: {
    pattern: /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,58}[a-zA-Z0-9])?$/,
    message: (name) => `The site name '${name}' is invalid: 2-60 letters, digits and hyphens.`,
  },
  references(record) {
    const refs: Reference[] = [];
    const farm = asString(asObject(record.body.properties)?.serverFarmId);
    if (farm !== undefined) refs.push({ target: farm, kind: 'serverFarm', via: record.id });
    for (const id of identityIds(record.body))
      refs.push({ target: id, kind: 'userAssignedIdentity', via: record.id });
    return refs;
  },
  prepare(ctx, record, _existing, _parent, location) {
    const props = asObject(record.body.properties) ?? {};
    const farm = requireRef(ctx, asString(props.serverFarmId), SERVERFARMS, record.id, location);
    for (const id of identityIds(record.body)) requireRef(ctx, id, IDENTITIES, record.id, location);
    const sku = asString(asObject(farm.body.sku)?.name)?.toUpperCase();
    if (sku === 'FC1') {
      const config = asObject(props.functionAppConfig);
      const runtime = asObject(config?.runtime);
      if (!asObject(asObject(config?.deployment)?.storage) || asString(runtime?.name) === undefined)
        throw badRequest(
          'BadRequest',
          `Site ${record.name} on Flex Consumption plan ${farm.name} needs properties.functionAppConfig with deployment.storage and runtime.`,
        );
    }
    return undefined;
  },
  render(_ctx, record, _body, props) {
    const host = `${record.name.toLowerCase()}.azurewebsites.net`;
    props.state = 'Running';
    props.defaultHostName = host;
    props.hostNames = [host];
    const scm = scmHostOf(record.name);
    props.enabledHostNames = [host, scm];
    props.hostNameSslStates = [
      { name: host, sslState: 'Disabled', hostType: 'Standard' },
      { name: scm, sslState: 'Disabled', hostType: 'Repository' },
    ];
  },
};

/** A site's configuration resources; the emulator serves `appsettings` (a string map). */
export const siteConfig: ResourceProvider = {
  type: 'Microsoft.Web/sites/config',
  latencyMs: { write: 0, delete: 0 },
  sync: true,
  putAlwaysOk: true,
  nameRule: {
    pattern: /^appsettings$/i,
    message: (name) => `The emulator serves config/appsettings only, not '${name}'.`,
  },
  prepare(_ctx, record) {
    for (const [key, value] of Object.entries(asObject(record.body.properties) ?? {}))
      if (typeof value !== 'string')
        throw badRequest('BadRequest', `App setting ${key} must be a string, got ${JSON.stringify(value)}.`);
    return undefined;
  },
  render(_ctx, _record, _body, props) {
    // The properties are the settings themselves: no provisioning state among them.
    delete props.provisioningState;
  },
};

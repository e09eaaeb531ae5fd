import { badRequest } from '../../armError';
import { asObject, asString } from '../../json';
import type { ResourceProvider } from '../provider';

const BLOB_SERVICES = 'Microsoft.Storage/storageAccounts/blobServices';

/**
 * Storage accounts: a name of 3-24 lowercase letters and digits, a SKU and a kind; ARM computes the
 * endpoints. Microsoft.Storage answers a create with 202 and a Location to poll. Every account has
 * its `default` blob service (a child resource, created with the account) that containers live in.
 */
export const storageAccounts: ResourceProvider = {
  type: 'Microsoft.Storage/storageAccounts',
  latencyMs: { write: 20_000, delete: 5_000 },
  readOnly: ['primaryEndpoints', 'primaryLocation', 'statusOfPrimary', 'creationTime'],
  poll: { write: 'location', delete: 'location' },
  patch: 'sync',
  nameRule: {
    pattern: /^[a-z0-9]{3,24}$/,
    message: (name) =>
      `${name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.`,
  },
  prepare(ctx, record, existing) {
    const sku = asString(asObject(record.body.sku)?.name);
    if (sku === undefined)
      throw badRequest('InvalidRequestContent', `Storage account ${record.name}: sku.name is required.`);
    if (existing && asString(record.body.kind) !== asString(existing.body.kind))
      throw badRequest('InvalidRequestContent', `Storage account ${record.name}: kind cannot be changed.`);
    if (existing) return undefined;
    return (op) => ctx.writeChild(record, BLOB_SERVICES, 'blobServices', 'default', { properties: {} }, op);
  },
  render(_ctx, record, _body, props) {
    const base = `https://${record.name}`;
    props.primaryEndpoints = {
      blob: `${base}.blob.core.windows.net/`,
      queue: `${base}.queue.core.windows.net/`,
      table: `${base}.table.core.windows.net/`,
      file: `${base}.file.core.windows.net/`,
    };
  },
};

/** The blob service of an account (always `default`). */
export const blobServices: ResourceProvider = {
  type: BLOB_SERVICES,
  latencyMs: { write: 0, delete: 0 },
  sync: true,
  nameRule: {
    pattern: /^default$/,
    message: (name) => `The blob service of an account is named 'default', not '${name}'.`,
  },
};

/** Blob containers (lowercase letters, digits and single hyphens, 3-63). */
export const blobContainers: ResourceProvider = {
  type: 'Microsoft.Storage/storageAccounts/blobServices/containers',
  latencyMs: { write: 0, delete: 0 },
  sync: true,
  nameRule: {
    pattern: /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/,
    message: (name) => `The specified container name '${name}' is invalid.`,
  },
  prepare(_ctx, record) {
    const access = asString(asObject(record.body.properties)?.publicAccess) ?? 'None';
    if (!['None', 'Blob', 'Container'].includes(access))
      throw badRequest(
        'InvalidRequestContent',
        `Container ${record.name}: publicAccess must be None, Blob or Container.`,
      );
    return undefined;
  },
};

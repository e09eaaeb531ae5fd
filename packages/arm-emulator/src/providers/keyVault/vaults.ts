import { badRequest } from '../../armError';
import { asNumber, asObject, asString } from '../../json';
import { nameHeldBySoftDeletedVault } from '../../keyVault/deletedVaults';
import type { ResourceProvider } from '../provider';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where a vault's secrets data plane is served: `<emulator>/_vaults/<name>/` (see keyVault/secretsDataPlane.ts). */
export function vaultDataPlanePath(name: string): string {
  return `/_vaults/${name.toLowerCase()}/`;
}

/**
 * Key vaults (management plane). Names are global, 3–24 letters, digits and hyphens, starting with a
 * letter, with no double hyphen. `tenantId` and `sku` are required; soft delete cannot be turned off
 * (Azure made it mandatory) and purge protection, once on, stays on. A deleted vault is soft-deleted
 * (keyVault/deletedVaults.ts): its name is refused until it is purged. Writes answer at once with
 * `provisioningState: Succeeded`, as Microsoft.KeyVault does. `vaultUri` points at this emulator's
 * secrets data plane for the vault.
 */
export const vaults: ResourceProvider = {
  type: 'Microsoft.KeyVault/vaults',
  latencyMs: { write: 0, delete: 0 },
  readOnly: ['vaultUri', 'hsmPoolResourceId', 'privateEndpointConnections'],
  sync: true,
  nameRule: {
    pattern: /^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/,
    message: (name) =>
      `The vault name '${name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens.`,
  },
  prepare(ctx, record, existing) {
    // A soft-deleted vault keeps its name until it is purged (or its retention ends).
    if (!existing && ctx.deletedVault(record.name)) throw nameHeldBySoftDeletedVault();
    const props = asObject(record.body.properties) ?? {};
    const tenantId = asString(props.tenantId);
    if (tenantId === undefined || !GUID.test(tenantId)) {
      throw badRequest('BadRequest', "The parameter 'properties.tenantId' is required and must be a GUID.");
    }
    const sku = asObject(props.sku);
    if (asString(sku?.family) !== 'A' || !['standard', 'premium'].includes(asString(sku?.name) ?? '')) {
      throw badRequest(
        'BadRequest',
        "The parameter 'properties.sku' must be { family: 'A', name: 'standard' | 'premium' }.",
      );
    }
    if (props.enableSoftDelete === false) {
      throw badRequest(
        'BadRequest',
        'The property "enableSoftDelete" cannot be set to false: soft delete is always on.',
      );
    }
    const retention = props.softDeleteRetentionInDays;
    if (retention !== undefined) {
      const days = asNumber(retention);
      if (days === undefined || !Number.isInteger(days) || days < 7 || days > 90) {
        throw badRequest('BadRequest', 'softDeleteRetentionInDays must be an integer from 7 to 90.');
      }
    }
    const wasProtected = asObject(existing?.body.properties)?.enablePurgeProtection === true;
    if (wasProtected && props.enablePurgeProtection !== true) {
      throw badRequest(
        'BadRequest',
        'The property "enablePurgeProtection" cannot be set to false. Enabling purge protection for a vault is an irreversible action.',
      );
    }
    return undefined;
  },
  render(ctx, record, _body, props) {
    props.vaultUri = `${ctx.baseUrl()}${vaultDataPlanePath(record.name)}`;
    props.enableSoftDelete = true;
    if (props.softDeleteRetentionInDays === undefined) props.softDeleteRetentionInDays = 90;
    if (props.enableRbacAuthorization === undefined) props.enableRbacAuthorization = false;
  },
};

import { asObject } from '../../json';
import type { ResourceProvider } from '../provider';

/**
 * A key vault's secrets as the management plane sees them (`Microsoft.KeyVault/vaults/secrets`):
 * metadata only. ARM never returns a secret's value; values live in the secrets data plane
 * (keyVault/secretsDataPlane.ts), which registers a secret here when it is first written, so a
 * role assignment can be scoped to one secret (`<vault id>/secrets/<name>`), as Azure allows.
 * Children of their vault: gone with it.
 */
export const secrets: ResourceProvider = {
  type: 'Microsoft.KeyVault/vaults/secrets',
  latencyMs: { write: 0, delete: 0 },
  readOnly: ['secretUri', 'secretUriWithVersion'],
  sync: true,
  locationless: true,
  nameRule: {
    pattern: /^[0-9a-zA-Z-]{1,127}$/,
    message: (name) => `The secret name '${name}' is invalid: 1-127 letters, digits and hyphens.`,
  },
  render(ctx, record, _body, props) {
    delete props.value;
    const parent = record.parentKey ? ctx.record(record.parentKey) : undefined;
    const vaultUri = parent ? `https://${parent.name.toLowerCase()}.vault.azure.net` : undefined;
    if (vaultUri) props.secretUri = `${vaultUri}/secrets/${record.name}`;
    props.attributes = asObject(props.attributes) ?? {};
  },
};

/**
 * A key vault (a cluster's bootstrap secrets live in one, see cluster/bootstrap/). Its output is the
 * data-plane URI the secrets are written to. Deleting it purges the soft-deleted vault too.
 *
 * This generation of `@azure/arm-keyvault` keeps `properties` nested in its models, where the other
 * management SDKs flatten them: the reconciler works on flattened models, so they are nested on the
 * way out and flattened on the way back.
 */
import type { VaultCreateOrUpdateParameters } from '@azure/arm-keyvault';

import { type JsonObject, ResourceTypes } from '../../../cluster/plan/types';
import { wireToModel } from '../../wire';
import { asJson, asModel, nameAt, type ResourceTypeModule } from '../resourceType';
import { keyVaultSdk } from './sdk';

const ENVELOPE = new Set(['id', 'name', 'type', 'location', 'tags', 'systemData']);

function nested(model: JsonObject): JsonObject {
  const envelope: JsonObject = {};
  const properties: JsonObject = {};
  for (const [key, value] of Object.entries(model)) {
    if (ENVELOPE.has(key)) envelope[key] = value;
    else properties[key] = value;
  }
  return { ...envelope, properties };
}

const flattened = (value: unknown): JsonObject => wireToModel(asJson(value)) as JsonObject;

export const vaults: ResourceTypeModule = {
  type: ResourceTypes.keyVault,
  get: async (arm, ref) =>
    flattened(await arm.clientOf(keyVaultSdk).vaults.get(ref.resourceGroup, nameAt(ref, 0))),
  createOrUpdate: async (arm, ref, model, lro) =>
    flattened(
      await arm
        .clientOf(keyVaultSdk)
        .vaults.createOrUpdate(
          ref.resourceGroup,
          nameAt(ref, 0),
          asModel<VaultCreateOrUpdateParameters>(nested(model)),
          lro,
        ),
    ),
  delete: async (arm, ref) => {
    await arm.clientOf(keyVaultSdk).vaults.delete(ref.resourceGroup, nameAt(ref, 0));
  },
  // Soft delete is always on: the deleted vault keeps its name for its retention days. Ours have no
  // purge protection, so it is purged at once and a cluster of the same name can be made again.
  afterDelete: async (arm, ref, lro) => {
    const client = arm.clientOf(keyVaultSdk);
    const name = nameAt(ref, 0).toLowerCase();
    for await (const deleted of client.vaults.listDeleted()) {
      const vaultId = deleted.properties?.vaultId ?? '';
      if ((deleted.name ?? '').toLowerCase() !== name || vaultId.toLowerCase() !== ref.id.toLowerCase()) {
        continue;
      }
      try {
        await client.vaults.purgeDeleted(deleted.name ?? name, deleted.properties?.location ?? '', lro);
      } catch (err) {
        // Purged meanwhile (a retried delete): nothing of ours remains, which is what was asked.
        if ((err as { statusCode?: unknown }).statusCode !== 404) throw err;
      }
    }
  },
  outputs: (actual): Record<string, string> =>
    typeof actual['vaultUri'] === 'string' ? { vaultUri: actual['vaultUri'] } : {},
};

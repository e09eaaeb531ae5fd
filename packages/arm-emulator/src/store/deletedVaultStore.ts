import { conflict } from '../armError';
import { keyOf } from '../armTypes';
import type { JsonObject } from '../json';
import { type DeletedVault, deletedVaultNotFound, renderDeletedVault } from '../keyVault/deletedVaults';
import { normalizeLocation } from '../regions';
import type { LroRecord } from './records';
import type { StoreCore } from './storeCore';

// Soft-deleted key vaults: Key Vault keeps a deleted vault and reserves its name until purged (the
// store adds them when a vault's delete completes, see StoreCore.complete).

/** A subscription's soft-deleted vaults, in one location or all, as Key Vault lists them. */
export function listDeletedVaults(core: StoreCore, subscriptionId: string, location?: string): JsonObject[] {
  core.settle();
  return core.state.deletedVaults
    .values()
    .filter(
      (v) =>
        v.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
        (location === undefined || v.location === normalizeLocation(location)),
    )
    .map(renderDeletedVault);
}

export function getDeletedVault(
  core: StoreCore,
  subscriptionId: string,
  location: string,
  name: string,
): JsonObject {
  return renderDeletedVault(requireDeletedVault(core, subscriptionId, location, name));
}

/**
 * Purges a soft-deleted vault: its name is free again at once. Answered as a long-running
 * operation (202 + Location), already finished, as Key Vault's purge ends when first polled.
 */
export function purgeDeletedVault(
  core: StoreCore,
  subscriptionId: string,
  location: string,
  name: string,
): LroRecord {
  const v = requireDeletedVault(core, subscriptionId, location, name);
  if (v.purgeProtectionEnabled) {
    throw conflict(
      'ConflictError',
      `The vault '${v.name}' has purge protection enabled and cannot be purged before ${new Date(v.scheduledPurgeAt).toISOString()}.`,
    );
  }
  core.state.deletedVaults.remove(v.name);
  const op = core.operations.start({
    kind: 'delete',
    pollVia: 'location',
    targetKey: keyOf(v.vaultId),
    targetId: `/subscriptions/${v.subscriptionId}/providers/Microsoft.KeyVault/locations/${v.location}/deletedVaults/${v.name}`,
    targetType: 'Microsoft.KeyVault/deletedVaults',
    subscriptionId: v.subscriptionId,
    resourceGroup: '',
    location: v.location,
    durationMs: 0,
    failure: undefined,
  });
  core.operations.finish(op);
  op.status = 'Succeeded';
  core.options.onChange();
  return op;
}

function requireDeletedVault(
  core: StoreCore,
  subscriptionId: string,
  location: string,
  name: string,
): DeletedVault {
  core.settle();
  const v = core.state.deletedVaults.find(name);
  if (
    !v ||
    v.subscriptionId.toLowerCase() !== subscriptionId.toLowerCase() ||
    v.location !== normalizeLocation(location)
  ) {
    throw deletedVaultNotFound(name);
  }
  return v;
}

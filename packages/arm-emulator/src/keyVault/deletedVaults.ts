/**
 * Soft-deleted key vaults. On Azure soft delete is always on: a deleted vault is kept for its
 * `softDeleteRetentionInDays` under `/subscriptions/{s}/providers/Microsoft.KeyVault/locations/{loc}/deletedVaults/{name}`,
 * its name stays reserved (a vault of that name cannot be created, in any subscription, until it
 * is purged or recovered) and `POST …/deletedVaults/{name}/purge` removes it for good (refused while
 * purge protection is on). Kept in the store's snapshot, so a restart keeps the reservation.
 */
import { ArmError } from '../armError';
import { asNumber, asObject, type JsonObject } from '../json';
import type { ResourceRecord } from '../store/records';

export const VAULT_TYPE = 'Microsoft.KeyVault/vaults';
export const DELETED_VAULT_TYPE = 'Microsoft.KeyVault/deletedVaults';
const DAY_MS = 24 * 60 * 60 * 1000;

export interface DeletedVault {
  name: string;
  subscriptionId: string;
  location: string;
  /** The vault's resource id when it was deleted. */
  vaultId: string;
  tags: Record<string, string>;
  deletedAt: number;
  scheduledPurgeAt: number;
  purgeProtectionEnabled: boolean;
}

/** The deleted-vault entry for a vault record being removed. */
export function deletedVaultOf(record: ResourceRecord, location: string, now: number): DeletedVault {
  const props = asObject(record.body.properties) ?? {};
  const days = asNumber(props.softDeleteRetentionInDays) ?? 90;
  const tags = asObject(record.body.tags) ?? {};
  return {
    name: record.name,
    subscriptionId: record.subscriptionId,
    location,
    vaultId: record.id,
    tags: Object.fromEntries(
      Object.entries(tags).filter((e): e is [string, string] => typeof e[1] === 'string'),
    ),
    deletedAt: now,
    scheduledPurgeAt: now + days * DAY_MS,
    purgeProtectionEnabled: props.enablePurgeProtection === true,
  };
}

/** As `GET …/deletedVaults/{name}` answers it. */
export function renderDeletedVault(v: DeletedVault): JsonObject {
  return {
    id: `/subscriptions/${v.subscriptionId}/providers/Microsoft.KeyVault/locations/${v.location}/deletedVaults/${v.name}`,
    name: v.name,
    type: DELETED_VAULT_TYPE,
    properties: {
      vaultId: v.vaultId,
      location: v.location,
      deletionDate: new Date(v.deletedAt).toISOString(),
      scheduledPurgeDate: new Date(v.scheduledPurgeAt).toISOString(),
      tags: { ...v.tags },
      purgeProtectionEnabled: v.purgeProtectionEnabled,
    },
  };
}

/** Key Vault's answer to creating a vault whose name a soft-deleted vault holds. */
export function nameHeldBySoftDeletedVault(): ArmError {
  return new ArmError(
    409,
    'ConflictError',
    'A vault with the same name already exists in deleted state. You need to either recover or purge existing key vault. Follow this link https://go.microsoft.com/fwlink/?linkid=2149745 for more information on soft delete.',
  );
}

export function deletedVaultNotFound(name: string): ArmError {
  return new ArmError(
    404,
    'ResourceNotFound',
    `The Resource 'Microsoft.KeyVault/deletedVaults/${name}' was not found.`,
  );
}

/** The soft-deleted vaults, by lower-case name (names are global), dropped once their retention ends. */
export class DeletedVaults {
  private readonly byName = new Map<string, DeletedVault>();

  clear(): void {
    this.byName.clear();
  }

  values(now = Date.now()): DeletedVault[] {
    this.expire(now);
    return [...this.byName.values()].sort((a, b) => a.deletedAt - b.deletedAt);
  }

  restore(values: DeletedVault[] | undefined): void {
    this.byName.clear();
    for (const v of values ?? []) this.byName.set(v.name.toLowerCase(), v);
  }

  add(v: DeletedVault): void {
    this.byName.set(v.name.toLowerCase(), v);
  }

  find(name: string, now = Date.now()): DeletedVault | undefined {
    this.expire(now);
    return this.byName.get(name.toLowerCase());
  }

  remove(name: string): void {
    this.byName.delete(name.toLowerCase());
  }

  private expire(now: number): void {
    for (const [key, v] of this.byName) if (v.scheduledPurgeAt <= now) this.byName.delete(key);
  }
}

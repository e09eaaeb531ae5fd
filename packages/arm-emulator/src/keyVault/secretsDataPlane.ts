/**
 * A key vault's secrets data plane, as `@azure/keyvault-secrets` speaks to it (REST 7.x), served at
 * `<emulator>/_vaults/<vault>/` (the vault's `vaultUri`):
 *
 * - challenge authentication: a request without a bearer token gets 401 with
 *   `WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/<tenant>", resource="https://vault.azure.net"`;
 *   the client then asks its credential for `https://vault.azure.net/.default` and retries. (Clients
 *   must set `disableChallengeResourceVerification: true`: the emulator's host is not `*.vault.azure.net`.)
 * - `PUT secrets/{name}` (a new version), `GET secrets/{name}[/{version}]`, `GET secrets`,
 *   `GET secrets/{name}/versions`, with `attributes` (`enabled`, `nbf`, `exp`, `created`, `updated`
 *   in Unix seconds), `tags` and `contentType`.
 * - a disabled secret's value is refused (403 `Forbidden`), as Key Vault does.
 *
 * Secret ids are Azure's (`https://<vault>.vault.azure.net/secrets/<name>/<version>`): clients parse
 * them into vault, name and version and send requests to the vaultUri they were built with.
 * Secrets belong to one incarnation of the vault (a deleted and recreated vault starts empty) and are
 * kept in the emulator's state file with everything else, so a restarted emulator still holds what it
 * acknowledged (as Key Vault does). Every request is authorized as Key Vault does (keyVault/dataPlaneAccess.ts):
 * the token names the caller, and an RBAC-mode vault needs a data role at the secret, vault, resource
 * group or subscription (403 `ForbiddenByRbac` otherwise).
 */
import { randomBytes } from 'node:crypto';

import { ArmError } from '../armError';
import type { ArmStore } from '../armStore';
import { asObject, asString, type Json, type JsonObject } from '../json';
import { EMULATOR_TENANT_ID } from '../providers/managedIdentity/userAssignedIdentities';
import {
  type AccessSettings,
  authorizeSecretAction,
  callerOf,
  DEFAULT_APP_PRINCIPAL_ID,
  type SecretAction,
} from './dataPlaneAccess';
import { VAULT_TYPE } from './deletedVaults';

const SECRET_TYPE = 'Microsoft.KeyVault/vaults/secrets';
const NAME = /^[0-9a-zA-Z-]{1,127}$/;

export interface SecretVersion {
  version: string;
  value: string;
  contentType?: string;
  tags: Record<string, string>;
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
}

export interface Secret {
  /** As first written (names are case-insensitive). */
  name: string;
  versions: SecretVersion[];
}

/** vault incarnation → its secrets (as kept in the state file). */
export type SecretsSnapshot = Record<string, Secret[]>;

export interface DataPlaneReply {
  status: number;
  body?: Json;
  headers?: Record<string, string>;
}

const kvError = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  new ArmError(status, code, message, headers);

export class SecretsDataPlane {
  /** vault incarnation (record key + seq) → secret name (lower case) → its name and versions, oldest first. */
  private readonly vaults = new Map<string, Map<string, Secret>>();

  /** `onChange`: called after every accepted write, so the state file is saved before the answer. */
  constructor(
    private readonly store: ArmStore,
    private readonly onChange: () => void = () => undefined,
    private readonly access: () => AccessSettings = () => ({
      appPrincipalId: DEFAULT_APP_PRINCIPAL_ID,
      rbacPropagationMs: 0,
    }),
  ) {}

  clear(): void {
    this.vaults.clear();
  }

  /** Every vault incarnation's secrets, for the state file. */
  snapshot(): SecretsSnapshot {
    return Object.fromEntries(
      [...this.vaults].map(([incarnation, secrets]) => [incarnation, [...secrets.values()]]),
    );
  }

  /** Loads what `snapshot()` saved (secrets of vaults that no longer exist are harmless: unreachable). */
  restore(snapshot: SecretsSnapshot | undefined): void {
    this.vaults.clear();
    for (const [incarnation, secrets] of Object.entries(snapshot ?? {})) {
      this.vaults.set(incarnation, new Map(secrets.map((secret) => [secret.name.toLowerCase(), secret])));
    }
  }

  /** `segments`: the path after `_vaults` (vault name first). */
  handle(
    method: string,
    segments: string[],
    authorization: string | undefined,
    body: Json | undefined,
  ): DataPlaneReply {
    const [vaultName = '', collection = '', name, version] = segments;
    const vault = this.store.findByName(VAULT_TYPE, vaultName);
    // A vault being deleted serves nothing (its secrets go with it).
    if (!vault || vault.provisioningState === 'Deleting')
      throw kvError(404, 'VaultNotFound', `The vault '${vaultName}' does not exist.`);
    if (authorization === undefined || !/^bearer\s+\S+/i.test(authorization)) {
      throw kvError(401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.', {
        'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${EMULATOR_TENANT_ID}", resource="https://vault.azure.net"`,
      });
    }
    if (collection.toLowerCase() !== 'secrets') {
      throw kvError(400, 'BadParameter', `The emulator serves only secrets (got '${collection}').`);
    }
    const token = authorization.replace(/^bearer\s+/i, '').trim();
    const action: SecretAction =
      method === 'PUT'
        ? 'setSecret'
        : name === undefined || name === '' || version === 'versions'
          ? 'readMetadata'
          : 'getSecret';
    const secretName = name === undefined || name === '' ? undefined : name;
    authorizeSecretAction(
      this.store,
      vault,
      secretName,
      action,
      callerOf(token, this.access().appPrincipalId),
      this.access(),
    );
    const incarnation = `${vault.key}#${vault.seq}`;
    let secrets = this.vaults.get(incarnation);
    if (!secrets) {
      secrets = new Map();
      this.vaults.set(incarnation, secrets);
    }
    // Secret ids name the vault as Azure does (clients parse them; requests go to the vaultUri).
    const base = `https://${vault.name.toLowerCase()}.vault.azure.net`;

    if (name === undefined || name === '') {
      if (method !== 'GET') throw kvError(405, 'BadParameter', `${method} is not allowed on secrets.`);
      const items = [...secrets.values()].flatMap((secret) => {
        const latest = secret.versions[secret.versions.length - 1];
        return latest ? [item(base, secret.name, latest)] : [];
      });
      return { status: 200, body: { value: items, nextLink: null } };
    }
    if (!NAME.test(name)) throw kvError(400, 'BadParameter', `The secret name '${name}' is invalid.`);
    const key = name.toLowerCase();

    if (method === 'PUT' && (version === undefined || version === '')) {
      const input = asObject(body);
      const value = asString(input?.value);
      if (value === undefined) throw kvError(400, 'BadParameter', "The parameter 'value' is required.");
      const attributes = asObject(input?.attributes) ?? {};
      const now = Math.floor(Date.now() / 1000);
      const entry: SecretVersion = {
        version: randomBytes(16).toString('hex'),
        value,
        tags: stringRecord(input?.tags),
        enabled: attributes.enabled !== false,
        created: now,
        updated: now,
        ...(typeof attributes.nbf === 'number' ? { nbf: attributes.nbf } : {}),
        ...(typeof attributes.exp === 'number' ? { exp: attributes.exp } : {}),
        ...(asString(input?.contentType) !== undefined ? { contentType: asString(input?.contentType) } : {}),
      };
      const secret = secrets.get(key) ?? { name, versions: [] };
      if (secret.versions.length === 0) {
        // The management plane sees the secret (metadata only) so roles can be scoped to it.
        this.store.put(
          {
            subscriptionId: vault.subscriptionId,
            resourceGroup: vault.resourceGroup,
            type: SECRET_TYPE,
            names: [vault.name, name],
          },
          { properties: { attributes: { enabled: entry.enabled } } },
        );
      }
      secret.versions.push(entry);
      secrets.set(key, secret);
      this.onChange();
      return { status: 200, body: bundle(base, secret.name, entry) };
    }
    if (method !== 'GET') throw kvError(405, 'BadParameter', `${method} is not allowed here.`);
    const secret = secrets.get(key);
    const versions = secret?.versions ?? [];
    if (!secret || versions.length === 0) {
      throw kvError(
        404,
        'SecretNotFound',
        `A secret with (name/id) ${name} was not found in this key vault.`,
      );
    }
    if (version === 'versions') {
      return {
        status: 200,
        body: { value: versions.map((v) => item(base, secret.name, v)), nextLink: null },
      };
    }
    const found =
      version === undefined || version === ''
        ? versions[versions.length - 1]
        : versions.find((v) => v.version === version);
    if (!found) {
      throw kvError(
        404,
        'SecretNotFound',
        `A secret with (name/id) ${name}/${version ?? ''} was not found in this key vault.`,
      );
    }
    if (!found.enabled) throw kvError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.');
    return { status: 200, body: bundle(base, secret.name, found) };
  }
}

function stringRecord(value: unknown): Record<string, string> {
  const record = asObject(value) ?? {};
  return Object.fromEntries(
    Object.entries(record).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

function attributesOf(v: SecretVersion): JsonObject {
  return {
    enabled: v.enabled,
    created: v.created,
    updated: v.updated,
    recoveryLevel: 'Recoverable+Purgeable',
    recoverableDays: 90,
    ...(v.nbf !== undefined ? { nbf: v.nbf } : {}),
    ...(v.exp !== undefined ? { exp: v.exp } : {}),
  };
}

function item(base: string, name: string, v: SecretVersion): JsonObject {
  return {
    id: `${base}/secrets/${name}/${v.version}`,
    attributes: attributesOf(v),
    tags: v.tags,
    ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
  };
}

function bundle(base: string, name: string, v: SecretVersion): JsonObject {
  return { ...item(base, name, v), value: v.value };
}

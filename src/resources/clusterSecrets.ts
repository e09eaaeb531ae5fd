/**
 * Writes an IaaS cluster's bootstrap secrets into its Key Vault (see docs/bootstrap.md), right after
 * the provisioner's own role assignment on the vault is applied and before any node's role
 * assignment or node that reads them: the CA material and service-account key (once, for the
 * cluster's life) and a join token with an expiry.
 *
 * Idempotent and quiet: what is there is never written again (a re-apply writes nothing), and
 * nothing secret leaves this module — callers get the public CA certificate hash, the secret ids and
 * the token's expiry, which is all an activity may return (durable history) or status may show.
 * The cluster CA certificate is written last: it marks a complete set, so a run that failed half-way
 * generates and writes the whole set again rather than mixing two.
 */
import type * as SecretsSdk from '@azure/keyvault-secrets';
import type { SecretClient } from '@azure/keyvault-secrets';

import { BOOTSTRAP_TOKEN_TTL_MINUTES } from '../cluster/bootstrap/kubeadmConfig';
import { CA_CERT_HASH_TAG, VaultSecrets } from '../cluster/bootstrap/names';
import type * as ClusterPki from '../secrets/clusterPki';
import { type ReconcileOptions, withTransientRetry } from './reconcile';
import type { AfterApply } from './resourceChains';
import type { ArmConnection, SdkNamespace } from './types/sdkNamespace';

export interface ClusterSecretsFacts {
  /** Public: `sha256:<hex>` of the cluster CA's public key, which joining nodes pin. */
  caCertHash: string;
  /** The join token's secret id (with its version) and its expiry (ISO 8601). */
  joinTokenSecretId: string;
  joinTokenExpiresOn: string;
  /** Secrets written by this call (names only); empty on a re-apply. */
  written: string[];
}

/**
 * The data-plane client of one vault, built through the connection's credential and TLS settings.
 * The challenge's resource is verified against `*.vault.azure.net` except for a vault served
 * elsewhere (the emulator's loopback address).
 */
export function vaultSecretsSdk(vaultUri: string): SdkNamespace<SecretClient> {
  return {
    name: `KeyVaultSecrets ${vaultUri.toLowerCase()}`,
    create: ({ credential, options }) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: keeps cold start small
      const sdk = require('@azure/keyvault-secrets') as typeof SecretsSdk;
      const azureHost = /\.vault\.azure\.net$/i.test(new URL(vaultUri).hostname);
      return new sdk.SecretClient(vaultUri, credential, {
        disableChallengeResourceVerification: !azureHost,
        ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
        ...(options.retryOptions ? { retryOptions: options.retryOptions } : {}),
      });
    },
  };
}

const isNotFound = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { statusCode?: unknown }).statusCode === 404;

async function valueOf(client: SecretClient, name: string): Promise<string | undefined> {
  try {
    return (await client.getSecret(name)).value;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** A join token is replaced when it has less than this left: a node booting now must still join. */
const TOKEN_MIN_REMAINING_MS = 30 * 60 * 1000;

export async function ensureClusterSecrets(client: SecretClient, now: Date): Promise<ClusterSecretsFacts> {
  // Loaded here, not at module load: key generation is needed once per cluster (cold start).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, see above
  const pki = require('../secrets/clusterPki') as typeof ClusterPki;
  const written: string[] = [];
  let caCert = await valueOf(client, VaultSecrets.clusterCaCert);
  if (caCert === undefined) {
    const material: Record<string, string> = pki.pkiSecrets(await pki.generateClusterPki(now));
    const entries = Object.entries(material).filter(([name]) => name !== VaultSecrets.clusterCaCert);
    for (const [name, value] of entries) {
      await client.setSecret(name, value, { contentType: 'application/x-pem-file' });
      written.push(name);
    }
    const cert = material[VaultSecrets.clusterCaCert] ?? '';
    await client.setSecret(VaultSecrets.clusterCaCert, cert, { contentType: 'application/x-pem-file' });
    caCert = cert;
    written.push(VaultSecrets.clusterCaCert);
  }
  const caCertHash = pki.caCertHash(caCert);

  let token = await latestToken(client);
  const fresh =
    token !== undefined &&
    token.enabled &&
    token.expiresOn !== undefined &&
    token.expiresOn.getTime() - now.getTime() >= TOKEN_MIN_REMAINING_MS &&
    token.caCertHash === caCertHash;
  if (!fresh || token === undefined) {
    token = await writeJoinToken(client, pki.newBootstrapToken(), caCertHash, now);
    written.push(VaultSecrets.joinToken);
  }
  return {
    caCertHash,
    joinTokenSecretId: token.id,
    joinTokenExpiresOn: (token.expiresOn ?? now).toISOString(),
    written,
  };
}

interface TokenFacts {
  id: string;
  enabled: boolean;
  expiresOn?: Date;
  caCertHash?: string;
}

async function latestToken(client: SecretClient): Promise<TokenFacts | undefined> {
  try {
    const { properties } = await client.getSecret(VaultSecrets.joinToken);
    return {
      id: properties.id ?? '',
      enabled: properties.enabled !== false,
      ...(properties.expiresOn ? { expiresOn: properties.expiresOn } : {}),
      ...(properties.tags?.[CA_CERT_HASH_TAG] !== undefined
        ? { caCertHash: properties.tags[CA_CERT_HASH_TAG] }
        : {}),
    };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Stores a bootstrap token as the join-token secret's new version, expiring with kubeadm's TTL
 * (whole seconds: Key Vault keeps Unix seconds), tagged with the CA hash joining nodes pin.
 */
export async function writeJoinToken(
  client: SecretClient,
  token: string,
  caCertHash: string,
  now: Date,
): Promise<TokenFacts & { expiresOn: Date }> {
  const expiresOn = new Date(
    Math.floor((now.getTime() + BOOTSTRAP_TOKEN_TTL_MINUTES * 60 * 1000) / 1000) * 1000,
  );
  const { properties } = await client.setSecret(VaultSecrets.joinToken, token, {
    expiresOn,
    contentType: 'text/plain',
    tags: { [CA_CERT_HASH_TAG]: caCertHash },
  });
  return { id: properties.id ?? '', enabled: true, expiresOn, caCertHash };
}

/**
 * Whether Key Vault refused a request for want of a role (403 with inner error `ForbiddenByRbac`):
 * what a new role assignment answers until it has propagated to Key Vault (minutes on Azure).
 */
export function isForbiddenByRbac(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { statusCode?: unknown; details?: unknown };
  if (e.statusCode !== 403) return false;
  const error = (
    e.details as { error?: { innerError?: { code?: unknown }; innererror?: { code?: unknown } } }
  )?.error;
  return (error?.innerError?.code ?? error?.innererror?.code) === 'ForbiddenByRbac';
}

export interface RbacWait {
  /** How long to keep retrying a `ForbiddenByRbac` refusal (ms); default `VAULT_RBAC_WAIT_SECONDS`. */
  maxWaitMs?: number;
  /** First delay (ms), doubled after each refusal up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  onWait?: (info: { attempt: number; delayMs: number }) => void;
}

/** Default for `VAULT_RBAC_WAIT_SECONDS`: bounded, well inside an activity's 10-minute timeout. */
export const DEFAULT_RBAC_WAIT_SECONDS = 300;

/** `VAULT_RBAC_WAIT_SECONDS` (a positive integer); a malformed value names the setting. */
export function rbacWaitFromEnv(env: Record<string, string | undefined>): number {
  const raw = env['VAULT_RBAC_WAIT_SECONDS']?.trim();
  if (raw === undefined || raw === '') return DEFAULT_RBAC_WAIT_SECONDS * 1000;
  if (!/^\d+$/.test(raw) || Number(raw) === 0 || Number(raw) > 3600) {
    throw new Error(`VAULT_RBAC_WAIT_SECONDS: must be an integer from 1 to 3600, got '${raw.slice(0, 40)}'`);
  }
  return Number(raw) * 1000;
}

/**
 * Runs `work` again while Key Vault answers `ForbiddenByRbac` (the provisioner's own role assignment
 * has not reached it yet), with doubling delays, for at most `maxWaitMs`; then the refusal is thrown,
 * saying how long it waited. Any other error is thrown at once.
 */
export async function retryWhileRbacPropagates<T>(work: () => Promise<T>, wait: RbacWait = {}): Promise<T> {
  const maxWaitMs = wait.maxWaitMs ?? DEFAULT_RBAC_WAIT_SECONDS * 1000;
  const maxDelayMs = wait.maxDelayMs ?? 30_000;
  const sleep = wait.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let delayMs = wait.baseDelayMs ?? 1000;
  let waited = 0;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (err) {
      if (!isForbiddenByRbac(err)) throw err;
      if (waited >= maxWaitMs) {
        throw new Error(
          `Key Vault still refused the provisioner (403 ForbiddenByRbac) ${Math.round(waited / 1000)} s after its Key Vault Secrets Officer assignment; role assignments can take minutes to propagate: retry the operation, or raise VAULT_RBAC_WAIT_SECONDS`,
          { cause: err },
        );
      }
      const next = Math.min(delayMs, maxDelayMs, maxWaitMs - waited);
      wait.onWait?.({ attempt, delayMs: next });
      await sleep(next);
      waited += next;
      delayMs *= 2;
    }
  }
}

/**
 * The apply step of the provisioner's own Key Vault Secrets Officer assignment on a cluster's vault
 * (resourceChains' `afterApply`): in RBAC mode the vault's creator has no data-plane access, so the
 * secrets are written once that assignment exists, retrying while it propagates. Only public facts
 * (the CA hash, the token's secret id and expiry) join its outputs.
 */
export function writeClusterSecretsAfterApply(
  arm: ArmConnection,
  options: ReconcileOptions = {},
  rbacWait: RbacWait = {},
): AfterApply {
  return async (planned, result, outputsOf) => {
    if (planned.role !== 'vaultAppRoleAssignment') return result;
    const vaultId = planned.id.slice(
      0,
      planned.id.toLowerCase().indexOf('/providers/microsoft.authorization/'),
    );
    const vaultUri = (await outputsOf(vaultId))['vaultUri'];
    if (vaultUri === undefined) throw new Error(`${vaultId} has no vaultUri`);
    // The RBAC wait sees the SDK's own error (the transient retry classifies errors as it throws them).
    const facts = await withTransientRetry(
      vaultId,
      () =>
        retryWhileRbacPropagates(
          async () => ensureClusterSecrets(arm.clientOf(vaultSecretsSdk(vaultUri)), new Date()),
          rbacWait,
        ),
      options,
    );
    return {
      ...result,
      outputs: {
        ...result.outputs,
        caCertHash: facts.caCertHash,
        joinTokenSecretId: facts.joinTokenSecretId,
        joinTokenExpiresOn: facts.joinTokenExpiresOn,
      },
    };
  };
}

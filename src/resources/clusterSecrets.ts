/**
 * Writes an IaaS cluster's bootstrap secrets into its Key Vault (see docs/bootstrap.md), right after
 * the vault is applied and before any role assignment or node that reads them: the CA material and
 * service-account key (once, for the cluster's life) and a join token with an expiry.
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
 * The apply step of a cluster's vault (resourceChains' `afterApply`): its secrets are written as soon
 * as it exists; only public facts (the CA hash, the token's secret id and expiry) join its outputs.
 */
export function writeClusterSecretsAfterApply(
  arm: ArmConnection,
  options: ReconcileOptions = {},
): AfterApply {
  return async (planned, result) => {
    if (planned.role !== 'clusterVault') return result;
    const vaultUri = result.outputs['vaultUri'];
    if (vaultUri === undefined) throw new Error(`${planned.id} has no vaultUri`);
    const facts = await withTransientRetry(
      planned.id,
      async () => ensureClusterSecrets(arm.clientOf(vaultSecretsSdk(vaultUri)), new Date()),
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

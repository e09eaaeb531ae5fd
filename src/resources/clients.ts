/**
 * The one place that builds Azure management SDK clients from app settings. Azure and local runs
 * differ only here: the ARM endpoint, the credential and the CA to trust.
 *
 * The clients are built per provider namespace on first use (see types/sdkNamespace.ts): the SDK
 * packages are large, and loading the app must stay cheap (cold start).
 */
import * as fs from 'node:fs';

import type { AccessToken, TokenCredential } from '@azure/core-auth';
import type * as IdentitySdk from '@azure/identity';

import type { ArmClientOptions, ArmConnection, SdkNamespace } from './types/sdkNamespace';

export type { ArmClientOptions, ArmConnection, SdkNamespace } from './types/sdkNamespace';

export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';
export const ARM_SCOPE = 'https://management.azure.com/.default';
const DEFAULT_EMULATOR_PORT = 7443;

/** The ARM emulator's default app principal (`DEFAULT_APP_PRINCIPAL_ID` in packages/arm-emulator). */
export const EMULATOR_APP_PRINCIPAL_ID = '5e1f0c2a-7d3b-4c8e-9a61-0b2d4f6e8a10';
/**
 * The default `ARM_STATIC_TOKEN`: an unsigned JWT whose `oid` claim names the emulator's default app
 * principal, so the app learns its principal from its token offline exactly as on Azure
 * (provisionerPrincipal.ts). The emulator checks no signature.
 */
export const DEFAULT_STATIC_TOKEN = [
  Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url'),
  Buffer.from(
    JSON.stringify({
      aud: 'https://management.azure.com',
      oid: EMULATOR_APP_PRINCIPAL_ID,
      sub: 'arm-emulator-app',
    }),
  ).toString('base64url'),
  '',
].join('.');

export interface ArmSettings {
  subscriptionId: string;
  /** ARM base URL (https). */
  endpoint: string;
  /** PEM of an extra CA to trust (the emulator's self-signed certificate). */
  caCertPem?: string;
  /** `default` = DefaultAzureCredential; `static` = a fixed bearer token (emulator only). */
  credential: 'default' | 'static';
  /** The token the static credential presents. */
  staticToken: string;
  /** LRO poll interval, passed by callers as `updateIntervalInMs`. */
  pollIntervalMs: number;
  /** Pipeline retries (SDK default 3). */
  maxRetries?: number;
  /** First retry delay (SDK default 1000 ms). */
  retryDelayMs?: number;
  /**
   * The reconciler's own transient retry (`ReconcileOptions.retry`), from `ARM_RETRY_MAX_ATTEMPTS`,
   * `ARM_RETRY_BASE_DELAY_MS` and `ARM_RETRY_MAX_DELAY_MS`; only the settings given are present.
   */
  retry?: ArmRetrySettings;
}

export interface ArmRetrySettings {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** A setting is missing or malformed; the message names it. */
export class ArmSettingsError extends Error {
  override readonly name = 'ArmSettingsError';

  constructor(
    readonly setting: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${setting}: ${message}`, options);
  }
}

type Env = Record<string, string | undefined>;

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function positiveInt(env: Env, name: string, allowZero: boolean): number | undefined {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || (!allowZero && value === 0)) {
    throw new ArmSettingsError(
      name,
      `must be a ${allowZero ? 'non-negative' : 'positive'} integer, got '${raw}'`,
    );
  }
  return value;
}

/**
 * Reads the ARM settings:
 * `AZURE_SUBSCRIPTION_ID` (required), `ARM_ENDPOINT` (https URL, default management.azure.com;
 * `emulator` = https://127.0.0.1:$EMULATOR_PORT), `ARM_CA_CERT_FILE` (PEM to trust),
 * `ARM_CREDENTIAL` (`default` | `static`, default `default`), `ARM_STATIC_TOKEN` (default `DEFAULT_STATIC_TOKEN`),
 * `ARM_POLL_INTERVAL_MS` (default 2000), `ARM_MAX_RETRIES`, `ARM_RETRY_DELAY_MS` (the SDK pipeline's
 * retry), `ARM_RETRY_MAX_ATTEMPTS`, `ARM_RETRY_BASE_DELAY_MS`, `ARM_RETRY_MAX_DELAY_MS` (the reconciler's).
 * A malformed value is an `ArmSettingsError` naming the setting, never silently ignored.
 */
export function armSettingsFromEnv(env: Env = process.env): ArmSettings {
  const subscriptionId = nonEmpty(env, 'AZURE_SUBSCRIPTION_ID');
  if (subscriptionId === undefined) {
    throw new ArmSettingsError('AZURE_SUBSCRIPTION_ID', 'is required (the subscription to provision in)');
  }
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(subscriptionId)) {
    throw new ArmSettingsError('AZURE_SUBSCRIPTION_ID', `must be a GUID, got '${subscriptionId}'`);
  }

  let endpoint = nonEmpty(env, 'ARM_ENDPOINT') ?? DEFAULT_ARM_ENDPOINT;
  if (endpoint.toLowerCase() === 'emulator') {
    const port = positiveInt(env, 'EMULATOR_PORT', false) ?? DEFAULT_EMULATOR_PORT;
    endpoint = `https://127.0.0.1:${port}`;
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (err) {
    throw new ArmSettingsError('ARM_ENDPOINT', `must be a URL, got '${endpoint}'`, { cause: err });
  }
  if (url.protocol !== 'https:') {
    // The SDK's bearer-token policy refuses to send a token over plain http.
    throw new ArmSettingsError('ARM_ENDPOINT', `must use https, got '${endpoint}'`);
  }

  const caFile = nonEmpty(env, 'ARM_CA_CERT_FILE');
  let caCertPem: string | undefined;
  if (caFile !== undefined) {
    try {
      caCertPem = fs.readFileSync(caFile, 'utf8');
    } catch (err) {
      throw new ArmSettingsError('ARM_CA_CERT_FILE', `cannot read '${caFile}': ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (!caCertPem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ArmSettingsError('ARM_CA_CERT_FILE', `'${caFile}' does not contain a PEM certificate`);
    }
  }

  const credential = (nonEmpty(env, 'ARM_CREDENTIAL') ?? 'default').toLowerCase();
  if (credential !== 'default' && credential !== 'static') {
    throw new ArmSettingsError('ARM_CREDENTIAL', `must be 'default' or 'static', got '${credential}'`);
  }

  const settings: ArmSettings = {
    subscriptionId,
    endpoint: url.origin + url.pathname.replace(/\/+$/, ''),
    credential,
    staticToken: nonEmpty(env, 'ARM_STATIC_TOKEN') ?? DEFAULT_STATIC_TOKEN,
    pollIntervalMs: positiveInt(env, 'ARM_POLL_INTERVAL_MS', false) ?? 2000,
  };
  if (caCertPem !== undefined) settings.caCertPem = caCertPem;
  const maxRetries = positiveInt(env, 'ARM_MAX_RETRIES', true);
  if (maxRetries !== undefined) settings.maxRetries = maxRetries;
  const retryDelayMs = positiveInt(env, 'ARM_RETRY_DELAY_MS', false);
  if (retryDelayMs !== undefined) settings.retryDelayMs = retryDelayMs;
  const retry = retrySettingsFromEnv(env);
  if (retry !== undefined) settings.retry = retry;
  return settings;
}

function retrySettingsFromEnv(env: Env): ArmRetrySettings | undefined {
  const retry: ArmRetrySettings = {};
  const maxAttempts = positiveInt(env, 'ARM_RETRY_MAX_ATTEMPTS', false);
  const baseDelayMs = positiveInt(env, 'ARM_RETRY_BASE_DELAY_MS', false);
  const maxDelayMs = positiveInt(env, 'ARM_RETRY_MAX_DELAY_MS', false);
  if (maxAttempts !== undefined) retry.maxAttempts = maxAttempts;
  if (baseDelayMs !== undefined) retry.baseDelayMs = baseDelayMs;
  if (maxDelayMs !== undefined) retry.maxDelayMs = maxDelayMs;
  if (baseDelayMs !== undefined && maxDelayMs !== undefined && maxDelayMs < baseDelayMs) {
    throw new ArmSettingsError(
      'ARM_RETRY_MAX_DELAY_MS',
      `must be at least ARM_RETRY_BASE_DELAY_MS (${baseDelayMs}), got '${maxDelayMs}'`,
    );
  }
  return Object.keys(retry).length > 0 ? retry : undefined;
}

export function armClientOptions(settings: ArmSettings): ArmClientOptions {
  const options: ArmClientOptions = { endpoint: settings.endpoint, credentials: { scopes: [ARM_SCOPE] } };
  if (settings.caCertPem !== undefined) options.tlsOptions = { ca: settings.caCertPem };
  const retry: { maxRetries?: number; retryDelayInMs?: number } = {};
  if (settings.maxRetries !== undefined) retry.maxRetries = settings.maxRetries;
  if (settings.retryDelayMs !== undefined) retry.retryDelayInMs = settings.retryDelayMs;
  if (Object.keys(retry).length > 0) options.retryOptions = retry;
  return options;
}

/** A credential that always presents the same bearer token (for the ARM emulator). */
export function staticTokenCredential(token: string): TokenCredential {
  return {
    getToken: (): Promise<AccessToken> =>
      Promise.resolve({ token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000, tokenType: 'Bearer' }),
  };
}

function createCredential(settings: ArmSettings): TokenCredential {
  if (settings.credential === 'static') return staticTokenCredential(settings.staticToken);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: identity is heavy
  const identity = require('@azure/identity') as typeof IdentitySdk;
  return new identity.DefaultAzureCredential();
}

const cache = new Map<string, ArmConnection>();

/**
 * The connection to ARM for these settings (one per distinct settings): each provider namespace's
 * SDK client, and the credential, are built on first use and then reused.
 */
export function createArmClients(settings: ArmSettings): ArmConnection {
  const cacheKey = JSON.stringify(settings);
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  let credential: TokenCredential | undefined;
  const clients = new Map<string, unknown>();
  const connection: ArmConnection = {
    subscriptionId: settings.subscriptionId,
    pollIntervalMs: settings.pollIntervalMs,
    clientOf<C>(namespace: SdkNamespace<C>): C {
      if (clients.has(namespace.name)) return clients.get(namespace.name) as C;
      credential ??= createCredential(settings);
      const client = namespace.create({
        credential,
        subscriptionId: settings.subscriptionId,
        options: armClientOptions(settings),
      });
      clients.set(namespace.name, client);
      return client;
    },
  };
  cache.set(cacheKey, connection);
  return connection;
}

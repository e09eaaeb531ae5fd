import * as https from 'node:https';

import { ComputeManagementClient } from '@azure/arm-compute';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { NetworkManagementClient } from '@azure/arm-network';
import { ResourceManagementClient } from '@azure/arm-resources';
import type { TokenCredential } from '@azure/core-auth';

import { type ArmEmulator, type ArmEmulatorOptions, startArmEmulator } from '../src';

export const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
export const RG = 'rg-test';
export const LOCATION = 'westeurope';

/** The unmodified Azure SDK clients the emulator is tested through. */
export interface ArmClients {
  network: NetworkManagementClient;
  compute: ComputeManagementClient;
  containerService: ContainerServiceClient;
  resources: ResourceManagementClient;
  pollIntervalMs: number;
}

export interface ClientOptions {
  /** The SDK's own HTTP retries (429 with Retry-After, 5xx, connection errors). */
  maxRetries?: number;
  retryDelayInMs?: number;
}

/** Any object with getToken() is a credential; the emulator accepts any bearer token. */
const staticToken: TokenCredential = {
  getToken: () =>
    Promise.resolve({ token: 'emulator-test-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/** SDK clients pointed at an emulator the way an app on Azure would point them at ARM: endpoint, scope, CA. */
export function clientsFor(emulator: ArmEmulator, options: ClientOptions = {}): ArmClients {
  const clientOptions = {
    endpoint: emulator.url,
    credentials: { scopes: [`${emulator.url}/.default`] },
    tlsOptions: { ca: emulator.caCertPem },
    retryOptions: { maxRetries: options.maxRetries ?? 3, retryDelayInMs: options.retryDelayInMs ?? 10 },
  };
  return {
    network: new NetworkManagementClient(staticToken, SUBSCRIPTION, clientOptions),
    compute: new ComputeManagementClient(staticToken, SUBSCRIPTION, clientOptions),
    containerService: new ContainerServiceClient(staticToken, SUBSCRIPTION, clientOptions),
    resources: new ResourceManagementClient(staticToken, SUBSCRIPTION, clientOptions),
    pollIntervalMs: 10,
  };
}

export interface Kit {
  emulator: ArmEmulator;
  clients: ArmClients;
  /** Options for every LRO call: poll fast. */
  lro: { updateIntervalInMs: number };
  close(): Promise<void>;
}

/** An in-process emulator and the real SDK clients pointed at it through app settings. */
export async function startKit(
  options: ArmEmulatorOptions = {},
  clientOptions: ClientOptions = {},
): Promise<Kit> {
  const emulator = await startArmEmulator({
    timeScale: 0,
    resourceGroups: [{ name: RG, location: LOCATION, subscriptionId: SUBSCRIPTION }],
    ...options,
  });
  const clients = clientsFor(emulator, clientOptions);
  return {
    emulator,
    clients,
    lro: { updateIntervalInMs: clients.pollIntervalMs },
    close: () => emulator.close(),
  };
}

export function id(kind: string, ...names: string[]): string {
  const [ns, ...types] = kind.split('/');
  let out = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/${ns}`;
  types.forEach((t, i) => (out += `/${t}/${names[i]}`));
  return out;
}

/** The RestError code (or LRO failure code) a promise rejects with. */
export async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const m = /The long-running operation has failed\. ([^.\s]+)\./.exec((err as Error).message);
    return m?.[1] ?? `no code: ${(err as Error).message}`;
  }
  return undefined;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
}

/** A request straight to the emulator (no SDK), trusting its certificate. */
export function rawRequest(
  kit: Kit,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: 'Bearer test-token' },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${kit.emulator.url}${path}`,
      {
        method,
        ca: kit.emulator.caCertPem,
        headers: { 'content-type': 'application/json', ...headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            json: text === '' ? undefined : JSON.parse(text),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

import * as https from 'node:https';

import { type ArmEmulator, type ArmEmulatorOptions, startArmEmulator } from '../../../src/local/arm';
import { type ArmClients, armSettingsFromEnv, createArmClients } from '../../../src/resources/clients';

export const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
export const RG = 'rg-test';
export const LOCATION = 'westeurope';

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
  env: Record<string, string> = {},
): Promise<Kit> {
  const emulator = await startArmEmulator({
    timeScale: 0,
    resourceGroups: [{ name: RG, location: LOCATION, subscriptionId: SUBSCRIPTION }],
    ...options,
  });
  const settings = armSettingsFromEnv({
    AZURE_SUBSCRIPTION_ID: SUBSCRIPTION,
    ARM_ENDPOINT: emulator.url,
    ARM_CREDENTIAL: 'static',
    ARM_POLL_INTERVAL_MS: '10',
    ARM_RETRY_DELAY_MS: '10',
    ...env,
  });
  settings.caCertPem = emulator.caCertPem;
  const clients = createArmClients(settings);
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

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  armClientOptions,
  ArmSettingsError,
  armSettingsFromEnv,
  createArmClients,
  DEFAULT_STATIC_TOKEN,
  staticTokenCredential,
} from '../../../src/resources/clients';
import { computeSdk } from '../../../src/resources/types/compute/sdk';
import { containerServiceSdk } from '../../../src/resources/types/containerService/sdk';
import { networkSdk } from '../../../src/resources/types/network/sdk';
import { resourcesSdk } from '../../../src/resources/types/resources/sdk';

const SUB = '00000000-0000-0000-0000-000000000001';

describe('armSettingsFromEnv', () => {
  it('defaults to public Azure with DefaultAzureCredential and 2 s polling', () => {
    expect(armSettingsFromEnv({ AZURE_SUBSCRIPTION_ID: SUB })).toEqual({
      subscriptionId: SUB,
      endpoint: 'https://management.azure.com',
      credential: 'default',
      staticToken: DEFAULT_STATIC_TOKEN,
      pollIntervalMs: 2000,
    });
  });

  it('reads the emulator settings: endpoint, CA file, static credential, poll interval, retries', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arm-ca-'));
    const caFile = path.join(dir, 'ca.pem');
    fs.writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n');
    try {
      const settings = armSettingsFromEnv({
        AZURE_SUBSCRIPTION_ID: SUB,
        ARM_ENDPOINT: 'https://127.0.0.1:7443/',
        ARM_CA_CERT_FILE: caFile,
        ARM_CREDENTIAL: 'static',
        ARM_POLL_INTERVAL_MS: '250',
        ARM_MAX_RETRIES: '0',
        ARM_RETRY_DELAY_MS: '50',
      });
      expect(settings).toMatchObject({
        endpoint: 'https://127.0.0.1:7443',
        credential: 'static',
        pollIntervalMs: 250,
        maxRetries: 0,
        retryDelayMs: 50,
      });
      expect(armClientOptions(settings)).toEqual({
        endpoint: 'https://127.0.0.1:7443',
        credentials: { scopes: ['https://management.azure.com/.default'] },
        tlsOptions: { ca: settings.caCertPem },
        retryOptions: { maxRetries: 0, retryDelayInMs: 50 },
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the reconciler retry settings, only those given', () => {
    expect(
      armSettingsFromEnv({
        AZURE_SUBSCRIPTION_ID: SUB,
        ARM_RETRY_MAX_ATTEMPTS: '4',
        ARM_RETRY_BASE_DELAY_MS: '200',
        ARM_RETRY_MAX_DELAY_MS: '9000',
      }).retry,
    ).toEqual({ maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 9000 });
    expect(armSettingsFromEnv({ AZURE_SUBSCRIPTION_ID: SUB, ARM_RETRY_MAX_ATTEMPTS: ' 3 ' }).retry).toEqual({
      maxAttempts: 3,
    });
    expect(
      armSettingsFromEnv({ AZURE_SUBSCRIPTION_ID: SUB, ARM_RETRY_MAX_ATTEMPTS: '' }).retry,
    ).toBeUndefined();
  });

  it('maps ARM_ENDPOINT=emulator to the local emulator port', () => {
    expect(
      armSettingsFromEnv({ AZURE_SUBSCRIPTION_ID: SUB, ARM_ENDPOINT: 'emulator', EMULATOR_PORT: '9443' })
        .endpoint,
    ).toBe('https://127.0.0.1:9443');
  });

  it.each([
    [{}, 'AZURE_SUBSCRIPTION_ID'],
    [{ AZURE_SUBSCRIPTION_ID: 'not-a-guid' }, 'AZURE_SUBSCRIPTION_ID'],
    [{ AZURE_SUBSCRIPTION_ID: SUB, ARM_ENDPOINT: 'http://127.0.0.1:7443' }, 'ARM_ENDPOINT'],
    [{ AZURE_SUBSCRIPTION_ID: SUB, ARM_ENDPOINT: 'nope' }, 'ARM_ENDPOINT'],
    [{ AZURE_SUBSCRIPTION_ID: SUB, ARM_CREDENTIAL: 'magic' }, 'ARM_CREDENTIAL'],
    [{ AZURE_SUBSCRIPTION_ID: SUB, ARM_POLL_INTERVAL_MS: '0' }, 'ARM_POLL_INTERVAL_MS'],
    [{ AZURE_SUBSCRIPTION_ID: SUB, ARM_MAX_RETRIES: '-1' }, 'ARM_MAX_RETRIES'],
    [{ AZURE_SUBSCRIPTION_ID: SUB, ARM_CA_CERT_FILE: '/no/such/file.pem' }, 'ARM_CA_CERT_FILE'],
    [{ AZURE_SUBSCRIPTION_ID: SUB, ARM_RETRY_MAX_ATTEMPTS: '0' }, 'ARM_RETRY_MAX_ATTEMPTS'],
    [{ AZURE_SUBSCRIPTION_ID: SUB, ARM_RETRY_MAX_ATTEMPTS: 'ten' }, 'ARM_RETRY_MAX_ATTEMPTS'],
    [{ AZURE_SUBSCRIPTION_ID: SUB, ARM_RETRY_BASE_DELAY_MS: '1.5' }, 'ARM_RETRY_BASE_DELAY_MS'],
    [{ AZURE_SUBSCRIPTION_ID: SUB, ARM_RETRY_MAX_DELAY_MS: '-5' }, 'ARM_RETRY_MAX_DELAY_MS'],
    [
      { AZURE_SUBSCRIPTION_ID: SUB, ARM_RETRY_BASE_DELAY_MS: '500', ARM_RETRY_MAX_DELAY_MS: '100' },
      'ARM_RETRY_MAX_DELAY_MS',
    ],
  ])('rejects %j naming %s', (env, setting) => {
    let error: unknown;
    try {
      armSettingsFromEnv(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ArmSettingsError);
    expect((error as ArmSettingsError).setting).toBe(setting);
    expect((error as Error).message).toContain(setting);
  });
});

describe('createArmClients', () => {
  it("builds each namespace's SDK client once per settings, on first use", () => {
    const settings = armSettingsFromEnv({ AZURE_SUBSCRIPTION_ID: SUB, ARM_CREDENTIAL: 'static' });
    const clients = createArmClients(settings);
    expect(clients.subscriptionId).toBe(SUB);
    const network = clients.clientOf(networkSdk);
    expect(typeof network.virtualNetworks.beginCreateOrUpdateAndWait).toBe('function');
    expect(clients.clientOf(networkSdk)).toBe(network);
    expect(typeof clients.clientOf(computeSdk).virtualMachines.get).toBe('function');
    expect(typeof clients.clientOf(containerServiceSdk).agentPools.get).toBe('function');
    expect(typeof clients.clientOf(resourcesSdk).resourceGroups.get).toBe('function');
    expect(createArmClients({ ...settings })).toBe(clients);
  });

  it('the static credential hands out its token', async () => {
    await expect(staticTokenCredential('t0k').getToken('scope')).resolves.toMatchObject({ token: 't0k' });
  });
});

describe('loading the client factory', () => {
  it('does not load any SDK package until clients are created (cold start)', () => {
    const compiled = path.join(__dirname, '../../../dist/src/resources/clients.js');
    const script = `require(${JSON.stringify(compiled)}); console.log(JSON.stringify(Object.keys(require.cache)))`;
    const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(out.status).toBe(0);
    const loaded = JSON.parse(out.stdout) as string[];
    expect(loaded.filter((f) => /[\\/]@azure[\\/]/.test(f))).toEqual([]);
  });
});

import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import { SecretClient } from '@azure/keyvault-secrets';
import { generate } from 'selfsigned';

import { DEFAULT_APP_PRINCIPAL_ID, startArmEmulator } from '../src';
import { tlsFilesFor } from '../src/tlsIdentity';
import { clientsFor, id, type Kit, LOCATION, rawRequest, RG, startKit, SUBSCRIPTION } from './armTestKit';

describe('ARM emulator restarts', () => {
  let kit: Kit | undefined;
  let dir: string;
  let stateFile: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arm-emu-restart-'));
    stateFile = path.join(dir, 'state.json');
  });
  afterEach(async () => {
    await kit?.close();
    kit = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its key and certificate with its state, so a client trusting the old CA keeps working', async () => {
    kit = await startKit({ stateFile });
    const first = kit.emulator;
    // A running host: SDK clients built once, trusting the certificate of the first start.
    const host = clientsFor(first);
    expect((await host.resources.resourceGroups.get(RG)).location).toBe(LOCATION);
    await kit.close();
    kit = undefined;

    // The emulator alone restarts, on the same port, with the same state file.
    kit = await startKit({ stateFile, port: Number(new URL(first.url).port), resourceGroups: [] });
    expect(kit.emulator.caCertPem).toBe(first.caCertPem);
    expect((await host.resources.resourceGroups.get(RG)).location).toBe(LOCATION);

    const { key } = tlsFilesFor(stateFile);
    if (process.platform !== 'win32') expect(fs.statSync(key).mode & 0o077).toBe(0);
  });

  it('makes a new certificate when the stored one is unreadable or expired', async () => {
    const files = tlsFilesFor(stateFile);
    fs.writeFileSync(files.cert, 'not a certificate');
    fs.writeFileSync(files.key, 'not a key');
    kit = await startKit({ stateFile });
    const fresh = new X509Certificate(kit.emulator.caCertPem);
    expect(fs.readFileSync(files.cert, 'utf8')).toBe(kit.emulator.caCertPem);
    await kit.close();
    kit = undefined;

    const expired = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keyType: 'ec',
      curve: 'P-256',
      notBeforeDate: new Date(Date.now() - 3 * 86_400_000),
      notAfterDate: new Date(Date.now() - 86_400_000),
    });
    fs.writeFileSync(files.cert, expired.cert);
    fs.writeFileSync(files.key, expired.private);
    kit = await startKit({ stateFile });
    const renewed = new X509Certificate(kit.emulator.caCertPem);
    expect(kit.emulator.caCertPem).not.toBe(expired.cert);
    expect(new Date(renewed.validTo).getTime()).toBeGreaterThan(Date.now());
    expect(renewed.fingerprint256).not.toBe(fresh.fingerprint256);
    expect((await kit.clients.resources.resourceGroups.get(RG)).location).toBe(LOCATION);
  });

  /** What a SIGKILL right after the answer leaves: the state file as it is on disk at that moment. */
  function crashCopy(): string {
    const copy = path.join(dir, `crashed-${fs.readdirSync(dir).length}.json`);
    if (fs.existsSync(stateFile)) fs.copyFileSync(stateFile, copy);
    for (const suffix of ['.key.pem', '.cert.pem'])
      fs.copyFileSync(`${stateFile}${suffix}`, `${copy}${suffix}`);
    return copy;
  }

  it('has every write it acknowledged on disk when it answers, so a crash right after loses none', async () => {
    kit = await startKit({ stateFile, timeScale: 0 });
    const { network } = kit.clients;
    const written: string[] = [];
    const copies: string[] = [];
    // Without waiting in between, as a busy app writes: each copy is what a SIGKILL at that answer leaves.
    for (let i = 0; i < 5; i++) {
      const name = `nsg-${i}`;
      await network.networkSecurityGroups.beginCreateOrUpdateAndWait(
        RG,
        name,
        { location: LOCATION },
        kit.lro,
      );
      written.push(name);
      copies.push(crashCopy());
    }
    await network.networkSecurityGroups.beginDeleteAndWait(RG, 'nsg-0', kit.lro);
    const afterDelete = crashCopy();
    await kit.close();
    kit = undefined;

    for (const [i, copy] of copies.entries()) {
      kit = await startKit({ stateFile: copy, resourceGroups: [] });
      const names = [];
      for await (const nsg of kit.clients.network.networkSecurityGroups.list(RG)) names.push(nsg.name);
      expect(names).toEqual(written.slice(0, i + 1));
      await kit.close();
      kit = undefined;
    }
    kit = await startKit({ stateFile: afterDelete, resourceGroups: [] });
    const left = [];
    for await (const nsg of kit.clients.network.networkSecurityGroups.list(RG)) left.push(nsg.name);
    expect(left).toEqual(written.slice(1));
  });

  it('resumes an operation that was running when it died: it finishes at its time, and its poll URL sees it', async () => {
    const latencyMs = { 'Microsoft.Network/publicIPAddresses': 1_500 };
    kit = await startKit({ stateFile, timeScale: 1, latencyMs });
    const pipPath = `${new URL(id('Microsoft.Network/publicIPAddresses', 'pip'), 'https://x').pathname}?api-version=2024-05-01`;
    const accepted = await rawRequest(kit, 'PUT', pipPath, {
      location: LOCATION,
      sku: { name: 'Standard' },
      properties: { publicIPAllocationMethod: 'Static' },
    });
    expect(accepted.status).toBe(201);
    const copy = crashCopy();
    const pollUrl = new URL(String(accepted.headers['azure-asyncoperation']));
    await kit.close();
    kit = undefined;

    // Restarted while the operation runs: still being created (not finished at once, not lost).
    kit = await startKit({
      stateFile: copy,
      port: Number(pollUrl.port),
      timeScale: 1,
      latencyMs,
      resourceGroups: [],
    });
    const poll = () => rawRequest(kit as Kit, 'GET', `${pollUrl.pathname}${pollUrl.search}`);
    expect((await kit.clients.network.publicIPAddresses.get(RG, 'pip')).provisioningState).toBe('Creating');
    expect(await poll()).toMatchObject({ status: 200, json: { status: 'InProgress' } });
    // The URL the client was given before the crash reaches the end, with no second write.
    for (let i = 0; i < 400 && ((await poll()).json as { status?: string }).status === 'InProgress'; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await poll()).toMatchObject({ status: 200, json: { status: 'Succeeded' } });
    expect((await kit.clients.network.publicIPAddresses.get(RG, 'pip')).provisioningState).toBe('Succeeded');
    expect(kit.emulator.operations().filter((o) => o.write)).toEqual([]);
  });

  it('makes a certificate for the run alone when no state file is configured', async () => {
    const a = await startArmEmulator({ timeScale: 0 });
    const b = await startArmEmulator({ timeScale: 0 });
    try {
      expect(a.caCertPem).not.toBe(b.caCertPem);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });
  it('keeps the secrets it acknowledged: a vault read after a crash answers what was written before it', async () => {
    const credential = {
      getToken: () => Promise.resolve({ token: 'restart-test', expiresOnTimestamp: Date.now() + 3_600_000 }),
    };
    const vaultBody = {
      location: LOCATION,
      properties: {
        tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        sku: { family: 'A' as const, name: 'standard' as const },
        // Access-policy mode: the static token (the emulator's app principal) may read and write.
        enableRbacAuthorization: false,
        accessPolicies: [
          {
            tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
            objectId: DEFAULT_APP_PRINCIPAL_ID,
            permissions: { secrets: ['get' as const, 'set' as const] },
          },
        ],
      },
    };
    kit = await startKit({ stateFile, timeScale: 0 });
    const first = kit.emulator;
    const kv = new KeyVaultManagementClient(credential, SUBSCRIPTION, {
      endpoint: first.url,
      credentials: { scopes: [`${first.url}/.default`] },
      tlsOptions: { ca: first.caCertPem },
      retryOptions: { maxRetries: 0 },
    });
    const vault = await kv.vaults.beginCreateOrUpdateAndWait(RG, 'kv-restart-01', vaultBody, kit.lro);
    const secrets = new SecretClient(vault.properties.vaultUri ?? '', credential, {
      disableChallengeResourceVerification: true,
      tlsOptions: { ca: first.caCertPem },
      // default retries: the restarted server drops the kept-alive socket once
      retryOptions: { maxRetries: 2, retryDelayInMs: 10 },
    });
    await secrets.setSecret('join-token', 'first');
    const second = await secrets.setSecret('join-token', 'second');
    const copy = crashCopy(); // what a SIGKILL right after the answer leaves on disk
    await kit.close();
    kit = undefined;

    kit = await startKit({ stateFile: copy, port: Number(new URL(first.url).port), resourceGroups: [] });
    const read = await secrets.getSecret('join-token');
    expect(read.value).toBe('second');
    expect(read.properties.version).toBe(second.properties.version);
  });
});

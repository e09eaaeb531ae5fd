import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { generate } from 'selfsigned';

import { startArmEmulator } from '../src';
import { tlsFilesFor } from '../src/tlsIdentity';
import { clientsFor, type Kit, LOCATION, RG, startKit } from './armTestKit';

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
});

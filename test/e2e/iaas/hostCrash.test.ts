import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  type ArmEmulator,
  DEFAULT_SUBSCRIPTION_ID,
  startArmEmulator,
} from '@azure-cluster-provisioner/arm-emulator';

import { planCluster } from '../../../src/cluster/plan';
import { parseClusterSpec } from '../../../src/cluster/validate';
import { Api, appSettings, exampleSpec, RESOURCE_GROUP, ROOT } from './iaasHarness';

interface HostProcess {
  child: ChildProcess;
  url: string;
  output: string[];
}

/** Starts `packages/functions-host/dist/main.js` for this app as its own process (as `npm run host` does). */
function startHostProcess(stateDir: string, settings: Record<string, string>): Promise<HostProcess> {
  const child = spawn(
    process.execPath,
    ['packages/functions-host/dist/main.js', '--app', ROOT, '--port', '0', '--state-dir', stateDir],
    {
      cwd: ROOT,
      env: { ...process.env, ...settings },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      const match = /listening on (http:\/\/\S+)/.exec(output.join(''));
      if (match) resolve({ child, url: match[1]!, output });
    });
    child.once('exit', (code) => reject(new Error(`host exited early with ${code}: ${output.join('')}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

describe('host killed mid-provision', () => {
  let emulator: ArmEmulator;
  let tempDir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iaas-crash-'));
    emulator = await startArmEmulator({
      port: 0,
      timeScale: 0.03,
      resourceGroups: [{ name: RESOURCE_GROUP, location: 'eastus' }],
    });
  });

  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await exited(c);
    }
    await emulator?.close();
    fs.rmSync(tempDir, { recursive: true, force: true });
  });

  it('completes after SIGKILL and restart, with no duplicate resource and no repeated write', async () => {
    const caFile = path.join(tempDir, 'ca.pem');
    fs.writeFileSync(caFile, emulator.caCertPem);
    const settings = appSettings(emulator, caFile);
    const stateDir = path.join(tempDir, 'host');
    const spec = exampleSpec('crash');
    const parsed = parseClusterSpec(spec);
    if (!parsed.ok) throw new Error('bad spec');
    const plan = planCluster(parsed.spec, { subscriptionId: DEFAULT_SUBSCRIPTION_ID });

    const first = await startHostProcess(stateDir, settings);
    children.push(first.child);
    const api1 = new Api(first.url, emulator);
    expect((await api1.request('POST', 'clusters', spec)).status).toBe(202);

    // Kill it while VMs are being created (their PUTs accepted, LROs running).
    const deadline = Date.now() + 30_000;
    while (!emulator.operations().some((o) => o.method === 'PUT' && /virtualMachines\//i.test(o.path))) {
      if (Date.now() > deadline) throw new Error(`no VM PUT seen: ${first.output.join('')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 100));
    first.child.kill('SIGKILL');
    await exited(first.child);
    // The kill really landed mid-operation: some VM was still being created.
    const vms = (
      emulator.resources() as { type: string; properties?: { provisioningState?: string } }[]
    ).filter((r) => /virtualMachines$/i.test(r.type));
    expect(vms.some((vm) => vm.properties?.provisioningState !== 'Succeeded')).toBe(true);
    // The first host is really gone: nothing answers on its port.
    expect((await api1.request('GET', 'clusters').catch(() => ({ status: 0 }))).status).toBe(0);

    const second = await startHostProcess(stateDir, settings);
    children.push(second.child);
    const api2 = new Api(second.url, emulator);
    const { final } = await api2.waitForCluster('crash', 60_000);
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });

    // Exactly the plan exists, and no resource was accepted for creation twice.
    const actual = api2
      .clusterResources('crash')
      .map((r) => r.id.toLowerCase())
      .sort();
    expect(actual).toEqual(plan.resources.map((r) => r.id.toLowerCase()).sort());
    const acceptedPuts = new Map<string, number>();
    for (const o of emulator.operations()) {
      // ARM writes only: a vault's secrets data plane (`/_vaults/`) is not a resource of the plan.
      if (!o.write || o.method !== 'PUT' || o.status >= 300) continue;
      const key = o.path.toLowerCase();
      acceptedPuts.set(key, (acceptedPuts.get(key) ?? 0) + 1);
    }
    const repeated = [...acceptedPuts].filter(([, n]) => n > 1);
    expect(repeated).toEqual([]);
    expect(acceptedPuts.size).toBe(plan.resources.length);

    second.child.kill('SIGINT');
    await exited(second.child);
  });
});

/**
 * `npm run deploy` against the ARM emulator, as a user runs it: the real package (`npm run package`),
 * the real SDK clients. The first run creates every resource of the plan and uploads the package;
 * a second run writes nothing; a change made by hand is put back with one write; a missing target
 * group is refused before anything is written.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { WebSiteManagementClient } from '@azure/arm-appservice';
import { type ArmEmulator, startArmEmulator } from '@azure-cluster-provisioner/arm-emulator';

import { runDeploy } from '../../../deploy/main';
import { parseDeployArgs } from '../../../deploy/options';
import { EVENT_GRID_FUNCTION, ownedOperationPrefixes, planDeployment } from '../../../deploy/plan';
import { staticTokenCredential } from '../../../src/resources/clients';

const ROOT = path.join(__dirname, '../../..');
const SUBSCRIPTION = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';

interface Run {
  code: number;
  out: string;
  err: string;
  writes: { method: string; path: string; status: number }[];
}

describe('npm run deploy against the ARM emulator', () => {
  let emulator: ArmEmulator;
  let dir: string;
  let zip: string;
  let env: Record<string, string>;
  const args = (...extra: string[]): string[] => [
    '--subscription',
    SUBSCRIPTION,
    '--resource-group',
    'rg-prov',
    '--name',
    'acp-demo',
    '--location',
    'westeurope',
    '--target-rg',
    'rg-clusters-a',
    '--target-rg',
    'rg-clusters-b',
    '--package',
    zip,
    ...extra,
  ];

  async function deploy(argv: string[]): Promise<Run> {
    const before = emulator.operations().length;
    let out = '';
    let err = '';
    const code = await runDeploy(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), env });
    const writes = emulator
      .operations()
      .slice(before)
      .filter((o) => o.write)
      .map((o) => ({ method: o.method, path: o.path, status: o.status }));
    return { code, out, err, writes };
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-e2e-'));
    // The package as `npm run package` builds it, in a directory of this test's own.
    execFileSync(process.execPath, [path.join(ROOT, 'dist/scripts/package/package.js')], {
      cwd: ROOT,
      stdio: 'pipe',
      env: { ...process.env, PACKAGE_OUT_DIR: path.join(dir, 'package') },
    });
    zip = path.join(dir, 'package', 'app.zip');
    emulator = await startArmEmulator({
      timeScale: 0.001,
      resourceGroups: ['rg-clusters-a', 'rg-clusters-b'].map((name) => ({
        name,
        location: 'westeurope',
        subscriptionId: SUBSCRIPTION,
      })),
    });
    const ca = path.join(dir, 'emulator-ca.pem');
    fs.writeFileSync(ca, emulator.caCertPem);
    env = {
      ARM_ENDPOINT: emulator.url,
      ARM_CA_CERT_FILE: ca,
      ARM_CREDENTIAL: 'static',
      ARM_POLL_INTERVAL_MS: '10',
    };
  }, 300_000);

  afterAll(async () => {
    await emulator?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  let first: Run;

  it('creates every resource of the plan, uploads the package and prints the API URL and how to get a key', async () => {
    first = await deploy(args());
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const plan = planDeployment(parseDeployArgs(args()));
    const ids = new Set(
      (emulator.resources() as { id: string }[]).map((r) => r.id.toLowerCase().replace(/\/+$/, '')),
    );
    const missing = plan.resources.filter((r) => !ids.has(r.id.toLowerCase()));
    expect(missing.map((r) => r.id)).toEqual([]);
    expect(first.out).toContain(`${plan.resources.length} created, 0 updated, 0 unchanged; package uploaded`);
    // Every resource written once, plus the package and its tag on the site.
    expect(first.writes).toHaveLength(plan.resources.length + 2);
    expect(first.writes.every((w) => w.status < 300)).toBe(true);
    expect(first.out).toContain('API: https://acp-demo.azurewebsites.net/api');
    expect(first.out).toContain(
      'az functionapp keys list -g rg-prov -n acp-demo --query functionKeys.default -o tsv',
    );
    expect(first.out).toMatch(/Function key 'default': ready \(\d+ characters, not shown\)/);
    // The key itself is never printed.
    const web = new WebSiteManagementClient(staticTokenCredential('t'), SUBSCRIPTION, {
      endpoint: emulator.url,
      credentials: { scopes: [`${emulator.url}/.default`] },
      tlsOptions: { ca: emulator.caCertPem },
    });
    const keys = await web.webApps.listHostKeys('rg-prov', 'acp-demo');
    const key = keys.functionKeys?.['default'] ?? '';
    expect(key.length).toBeGreaterThan(20);
    expect(first.out).not.toContain(key);
    expect(first.out).not.toContain(keys.masterKey ?? '');
  }, 120_000);

  it('uploads the app only: no tests, bench, stand-ins, scripts, dev dependencies or local settings', () => {
    const [deployed, ...others] = emulator.deployments();
    expect(others).toEqual([]);
    expect(deployed!.siteId.toLowerCase()).toBe(
      `/subscriptions/${SUBSCRIPTION}/resourcegroups/rg-prov/providers/microsoft.web/sites/acp-demo`,
    );
    expect(deployed!.bytes).toBe(fs.statSync(zip).size);
    const files = deployed!.files;
    expect(files).toContain('host.json');
    expect(files).toContain('package.json');
    expect(files).toContain('dist/src/index.js');
    expect([...new Set(files.map((f) => f.split('/')[0]))].sort()).toEqual([
      'dist',
      'host.json',
      'node_modules',
      'package.json',
    ]);
    expect(files.filter((f) => f.startsWith('dist/') && !f.startsWith('dist/src/'))).toEqual([]);
    expect(files.filter((f) => /(^|\/)local\.settings\.json$|\.test\.js$/.test(f))).toEqual([]);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const devOnly = Object.keys(pkg.devDependencies).filter((d) => pkg.dependencies[d] === undefined);
    expect(devOnly.length).toBeGreaterThan(5);
    for (const dev of [...devOnly, '@azure-cluster-provisioner/arm-emulator'])
      expect(files.filter((f) => f.startsWith(`node_modules/${dev}/`))).toEqual([]);
  });

  it("delivers resource and node-scaling events to the app's Event Grid function, filtered to the types it owns", () => {
    const subscriptions = (
      emulator.resources() as { id: string; type: string; properties: unknown }[]
    ).filter((r) => r.type.toLowerCase().endsWith('/eventsubscriptions'));
    expect(subscriptions).toHaveLength(3);
    const site = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-prov/providers/Microsoft.Web/sites/acp-demo`;
    for (const s of subscriptions) {
      const props = s.properties as {
        destination: { endpointType: string; properties: { resourceId: string } };
        filter: { includedEventTypes: string[]; advancedFilters?: { key: string; values: string[] }[] };
      };
      expect(props.destination.endpointType).toBe('AzureFunction');
      expect(props.destination.properties.resourceId).toBe(`${site}/functions/${EVENT_GRID_FUNCTION}`);
      if (s.type === 'Microsoft.EventGrid/systemTopics/eventSubscriptions') {
        expect(props.filter.includedEventTypes.sort()).toEqual([
          'Microsoft.Resources.ResourceDeleteSuccess',
          'Microsoft.Resources.ResourceWriteSuccess',
        ]);
        expect(props.filter.advancedFilters).toEqual([
          expect.objectContaining({ key: 'data.operationName', values: ownedOperationPrefixes() }),
        ]);
      }
    }
  });

  it('writes nothing on a second run', async () => {
    const second = await deploy(args());
    expect(second.err).toBe('');
    expect(second.code).toBe(0);
    expect(second.writes).toEqual([]);
    const plan = planDeployment(parseDeployArgs(args()));
    expect(second.out).toContain(
      `0 created, 0 updated, ${plan.resources.length} unchanged; package unchanged; 0 writes.`,
    );
  }, 120_000);

  it('puts back a setting changed by hand with one write, keeping the settings others added', async () => {
    const web = new WebSiteManagementClient(staticTokenCredential('t'), SUBSCRIPTION, {
      endpoint: emulator.url,
      credentials: { scopes: [`${emulator.url}/.default`] },
      tlsOptions: { ca: emulator.caCertPem },
    });
    const settings = (await web.webApps.listApplicationSettings('rg-prov', 'acp-demo')).properties ?? {};
    await web.webApps.updateApplicationSettings('rg-prov', 'acp-demo', {
      properties: { ...settings, ARM_CREDENTIAL: 'static', FEATURE_FLAG: 'on' },
    });
    const third = await deploy(args());
    expect(third.code).toBe(0);
    expect(third.writes).toHaveLength(1);
    expect(third.writes[0]!.path).toMatch(/\/sites\/acp-demo\/config\/appsettings$/);
    expect(third.out).toContain(
      '~ updated    Microsoft.Web/sites/config  acp-demo/appsettings (ARM_CREDENTIAL)',
    );
    const after = (await web.webApps.listApplicationSettings('rg-prov', 'acp-demo')).properties ?? {};
    expect(after['ARM_CREDENTIAL']).toBe('default');
    expect(after['FEATURE_FLAG']).toBe('on');
  }, 120_000);

  it('refuses a target group that does not exist, naming the flag, before writing anything', async () => {
    const run = await deploy([...args(), '--target-rg', 'rg-nowhere']);
    expect(run.code).toBe(2);
    expect(run.err).toContain("--target-rg: 'rg-nowhere' not found");
    expect(run.writes).toEqual([]);
  });

  it('names the resource and ARM code of a failure, skips what depends on it, and a rerun finishes the job', async () => {
    const failing = [
      '--subscription',
      SUBSCRIPTION,
      '--resource-group',
      'rg-fail',
      '--name',
      'acp-fail',
      '--location',
      'westeurope',
      '--package',
      zip,
    ];
    emulator.faults.add({
      method: 'PUT',
      path: '/providers/Microsoft\\.Web/serverfarms/acp-fail-plan$',
      status: 400,
      code: 'SubscriptionIsOverQuotaForSku',
      message: 'This region has quota of 0 instances for your subscription.',
    });
    const broken = await deploy(failing);
    expect(broken.code).toBe(1);
    expect(broken.err).toContain(
      "Microsoft.Web/serverfarms 'acp-fail-plan': SubscriptionIsOverQuotaForSku: This region has quota of 0 instances",
    );
    expect(broken.out).toContain(
      '✗ failed     Microsoft.Web/serverfarms  acp-fail-plan: SubscriptionIsOverQuotaForSku',
    );
    expect(broken.out).toContain('- skipped    Microsoft.Web/sites  acp-fail');
    // Nothing that needs the plan was written, and no package went up.
    expect(broken.writes.filter((w) => /\/sites\/|_scm/.test(w.path))).toEqual([]);
    expect(emulator.deployments().filter((d) => d.siteId.endsWith('/acp-fail'))).toEqual([]);

    const rerun = await deploy(failing);
    expect(rerun.err).toBe('');
    expect(rerun.code).toBe(0);
    const plan = planDeployment(parseDeployArgs(failing));
    const created = (out: string): number => Number(/(\d+) created/.exec(out)?.[1] ?? NaN);
    const writtenFirst = broken.writes.filter((w) => w.status < 300).length;
    // Every resource written exactly once over the two runs: none twice, none left out.
    expect(writtenFirst + created(rerun.out)).toBe(plan.resources.length);
    expect(rerun.out).toContain(
      `${created(rerun.out)} created, 0 updated, ${writtenFirst} unchanged; package uploaded`,
    );
    expect(emulator.deployments().filter((d) => d.siteId.endsWith('/acp-fail'))).toHaveLength(1);
  }, 120_000);

  it('re-sends the package while the app cannot yet write to its deployment storage (a new role takes a while)', async () => {
    emulator.faults.add({
      method: 'POST',
      path: '^/_scm/acp-retry\\.scm\\.azurewebsites\\.net/api/publish$',
      status: 400,
      code: 'BadRequest',
      message: 'BlobUploadFailedException: 403 (AuthorizationPermissionMismatch)',
    });
    env['DEPLOY_UPLOAD_RETRY_MS'] = '10';
    try {
      const run = await deploy([
        '--subscription',
        SUBSCRIPTION,
        '--resource-group',
        'rg-retry',
        '--name',
        'acp-retry',
        '--location',
        'westeurope',
        '--package',
        zip,
      ]);
      expect(run.err).toBe('');
      expect(run.code).toBe(0);
      expect(run.out).toContain('the app cannot write to its deployment storage yet');
      expect(run.writes.filter((w) => w.path.endsWith('/api/publish')).map((w) => w.status)).toEqual([
        400, 202,
      ]);
      expect(emulator.deployments().filter((d) => d.siteId.endsWith('/acp-retry'))).toHaveLength(1);
    } finally {
      delete env['DEPLOY_UPLOAD_RETRY_MS'];
    }
  }, 120_000);
});

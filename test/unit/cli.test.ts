// Runs the compiled CLI (built by jest's globalSetup) as a user would, on the Node running jest.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '../..');
const cli = path.join(root, 'dist/src/cli/index.js');

function run(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  if (!options.env?.AZURE_SUBSCRIPTION_ID) delete env.AZURE_SUBSCRIPTION_ID;
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    env,
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('cli', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-test-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints the plan of a YAML spec as JSON, with the all-zero subscription by default', () => {
    const { code, stdout, stderr } = run(['plan', 'examples/iaas-cluster.yaml']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as { cluster: { subscriptionId: string }; resources: { id: string }[] };
    expect(plan.cluster.subscriptionId).toBe('00000000-0000-0000-0000-000000000000');
    expect(plan.resources.length).toBeGreaterThan(20);
  });

  it('takes the subscription from --subscription, else AZURE_SUBSCRIPTION_ID', () => {
    const sub = '11111111-2222-3333-4444-555555555555';
    const fromFlag = run(['plan', 'examples/aks-cluster.yaml', '--subscription', sub]);
    expect(fromFlag.code).toBe(0);
    expect((JSON.parse(fromFlag.stdout) as { resources: { id: string }[] }).resources[0]?.id).toContain(
      `/subscriptions/${sub}/`,
    );
    const fromEnv = run(['plan', 'examples/aks-cluster.yaml'], { env: { AZURE_SUBSCRIPTION_ID: sub } });
    expect(
      (JSON.parse(fromEnv.stdout) as { cluster: { subscriptionId: string } }).cluster.subscriptionId,
    ).toBe(sub);
  });

  it('plans a JSON spec read from standard input', () => {
    const spec = {
      type: 'aks',
      name: 'x',
      resourceGroup: 'rg',
      location: 'eastus',
      kubernetesVersion: '1.33',
      nodePools: [{ name: 'sys', count: 1, vmSize: 'Standard_D2s_v5' }],
    };
    const { code, stdout } = run(['plan', '-'], { input: JSON.stringify(spec) });
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { cluster: { name: string } }).cluster.name).toBe('x');
  });

  it('prints every error of an invalid spec as one JSON object per line on stderr and exits 2', () => {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(
      file,
      'type: iaas\nname: Bad\nresourceGroup: rg\nlocation: eastus\nkubernetesVersion: "1.33"\ncontrolPlane: { count: 2 }\nssh: { publicKey: hunter2 }\n',
    );
    const { code, stdout, stderr } = run(['plan', file]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const errors = stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { path: string; message: string });
    expect(errors.map((e) => e.path).sort()).toEqual(['controlPlane.count', 'name', 'ssh.publicKey']);
  });

  it('explains an unreadable file and exits 2', () => {
    const { code, stderr } = run(['plan', path.join(dir, 'missing.yaml')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot read spec file ".*missing\.yaml": no such file/);
  });

  it.each<[string, string[], RegExp]>([
    ['no spec file', ['plan'], /missing required argument 'spec'/],
    [
      'an unknown option',
      ['plan', 'examples/aks-cluster.yaml', '--subscriptoin', 'x'],
      /unknown option '--subscriptoin'/,
    ],
    [
      'a subscription that is not a GUID',
      ['plan', 'examples/aks-cluster.yaml', '--subscription', 'prod'],
      /must be a GUID/,
    ],
    ['an unknown command', ['deploy'], /unknown command 'deploy'/],
    [
      'a node count that is not a number',
      ['scale', 'demo', 'general', 'many'],
      /count must be a whole number/,
    ],
  ])('rejects %s with exit 2', (_name, args, message) => {
    const { code, stderr } = run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('prints help', () => {
    const overview = run(['help']);
    expect(overview.code).toBe(0);
    for (const command of ['plan', 'apply', 'status', 'list', 'delete', 'scale', 'events']) {
      expect(overview.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    const detail = run(['plan', '--help']);
    expect(detail.code).toBe(0);
    expect(detail.stdout).toContain('AZURE_SUBSCRIPTION_ID');
    expect(run([]).code).toBe(2);
  });
});

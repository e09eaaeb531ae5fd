/**
 * The CLI as a user runs it (the compiled bin, in its own process) against the local host and the
 * ARM emulator: apply follows provisioning to the end, bad specs and failures are explained, and
 * --json is machine-readable.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { stringify } from 'yaml';

import { type Environment, exampleSpec, FUNCTION_KEY, ROOT, startEnvironment } from '../iaas/iaasHarness';

const CLI = path.join(ROOT, 'dist/src/cli/index.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('cli against the local host', () => {
  let env: Environment;

  beforeAll(async () => {
    env = await startEnvironment(0.005);
  });

  afterAll(async () => {
    await env?.close();
  });

  beforeEach(() => env.emulator.faults.clear());

  /** Runs the CLI without a terminal (pipes), as in CI; async, so the in-process host keeps serving. */
  function cli(args: string[], env_: Record<string, string> = {}): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args, '--interval', '0.05'], {
        cwd: env.tempDir,
        env: {
          PATH: process.env.PATH ?? '',
          PROVISIONER_URL: env.host.url,
          PROVISIONER_KEY: FUNCTION_KEY,
          NO_COLOR: '1',
          ...env_,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  function specFile(name: string, spec: Record<string, unknown>): string {
    const file = path.join(env.tempDir, `${name}.yaml`);
    fs.writeFileSync(file, stringify(spec));
    return file;
  }

  it('apply follows provisioning to Provisioned and exits 0, printing progress as plain lines', async () => {
    const run = await cli(['apply', specFile('applied', exampleSpec('applied'))]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('provisioning cluster "applied" started');
    // Progress lines: phase, resources done/total, nodes per zone.
    expect(run.stdout).toMatch(/applied: Provisioning · \d+\/\d+ resources/);
    expect(run.stdout).toMatch(/zone 1 \d\/\d, zone 2 \d\/\d, zone 3 \d\/\d/);
    expect(run.stdout).toMatch(/✓ cluster "applied" Provisioned in \d+s/);
    expect(run.stdout).toMatch(/API server: https:\/\/[\d.]+:6443/);
    expect(run.stdout).not.toContain(String.fromCharCode(27)); // no terminal escapes in a pipe

    const list = await cli(['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^applied\s+Provisioned\s+Completed/m);
    const status = await cli(['status', 'applied']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('applied: Provisioned');
  });

  it('a bad spec exits 2 listing every field, and nothing is created', async () => {
    const spec = exampleSpec('Bad_Name', { kubernetesVersion: 'latest', controlPlane: { count: 2 } });
    const run = await cli(['apply', specFile('bad', spec)]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/is invalid \(3 problems\); nothing was changed/);
    for (const field of ['name', 'kubernetesVersion', 'controlPlane.count']) {
      expect(run.stderr).toMatch(new RegExp(`^  ${field.replace('.', '\\.')}: `, 'm'));
    }
    expect(env.api.clusterResources('Bad_Name')).toEqual([]);
  });

  it('--json prints the final status as JSON, and list and status too', async () => {
    const run = await cli(['apply', specFile('jsonout', exampleSpec('jsonout')), '--json']);
    expect(run.code).toBe(0);
    const view = JSON.parse(run.stdout) as {
      name: string;
      phase: string;
      resources: { done: number; total: number };
    };
    expect(view).toMatchObject({ name: 'jsonout', phase: 'Provisioned' });
    expect(view.resources.done).toBe(view.resources.total);
    const list = JSON.parse((await cli(['list', '--json'])).stdout) as { clusters: { name: string }[] };
    expect(list.clusters.map((c) => c.name)).toContain('jsonout');
    expect(JSON.parse((await cli(['--json', 'status', 'jsonout'])).stdout)).toMatchObject({
      phase: 'Provisioned',
    });
    const bad = await cli([
      'apply',
      specFile('badjson', exampleSpec('x', { kubernetesVersion: 'latest' })),
      '--json',
    ]);
    expect(bad.code).toBe(2);
    expect((JSON.parse(bad.stdout) as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
  });

  it('a failing resource exits 1 naming it, its ARM code and what to do', async () => {
    const name = 'failing';
    // The same fault `POST /_emulator/faults` injects.
    env.emulator.faults.add({
      method: 'PUT',
      path: `/virtualMachines/${name}-general-4$`,
      status: 409,
      code: 'QuotaExceeded',
      message:
        'Operation could not be completed as it results in exceeding approved standardDSv5Family Cores quota.',
    });
    const run = await cli(['apply', specFile(name, exampleSpec(name))]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /✗ provisioning of cluster "failing" failed: QuotaExceeded on virtualMachines\/failing-general-4/,
    );
    expect(run.stderr).toContain('exceeding approved standardDSv5Family Cores quota');
    expect(run.stderr).toMatch(/hint: Raise the regional vCPU quota/);
    expect(run.stderr).not.toMatch(/\n\s+at .*\.js:\d+/); // no stack trace

    const json = await cli(['status', name, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ phase: 'Failed', error: { code: 'QuotaExceeded' } });
  });

  it('delete --wait follows the deletion; unknown clusters and a wrong key are explained', async () => {
    const gone = await cli(['delete', 'applied', '--wait']);
    expect(gone.code).toBe(0);
    expect(gone.stdout).toMatch(/✓ cluster "applied" Deleted/);
    expect(env.api.clusterResources('applied')).toEqual([]);

    const missing = await cli(['status', 'nobody']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no cluster named "nobody".*`list` shows the clusters/);
    const wrongKey = await cli(['list'], { PROVISIONER_KEY: 'not-the-key' });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/refused the function key from PROVISIONER_KEY \(HTTP 401\)/);
    expect(wrongKey.stderr).not.toContain('not-the-key');
  });

  it('draws live bars per zone on a terminal', async () => {
    // `script` gives the CLI a pseudo-terminal, as a person's shell would.
    const command = [
      process.execPath,
      CLI,
      'apply',
      specFile('tty', exampleSpec('tty')),
      '--interval',
      '0.05',
    ]
      .map((a) => `'${a}'`)
      .join(' ');
    const run = await new Promise<Run>((resolve, reject) => {
      const child = spawn('script', ['-qfec', command, '/dev/null'], {
        cwd: env.tempDir,
        env: {
          PATH: process.env.PATH ?? '',
          PROVISIONER_URL: env.host.url,
          PROVISIONER_KEY: FUNCTION_KEY,
          TERM: 'xterm-256color',
          COLUMNS: '120',
        },
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr: '' }));
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Provisioning\s+█*░+\s+\d+\/\d+ resources/);
    for (const zone of ['1', '2', '3'])
      expect(run.stdout).toMatch(new RegExp(`zone ${zone}\\s+[█░]+\\s+\\d/\\d nodes ready`));
    expect(run.stdout).toContain('cluster "tty" Provisioned');
  });
});

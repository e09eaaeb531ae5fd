import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');

function waitForUrl(child: ChildProcess, output: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    // Output keeps being collected after the URL shows up; later assertions read it.
    child.stdout!.on('data', (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      const match = /listening on (http:\/\/\S+)/.exec(output.join(''));
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`host exited early with ${code}: ${output.join('')}`)));
  });
}

describe('local host process (main.ts)', () => {
  it('serves the app given with --app and exits cleanly on SIGINT', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-main-'));
    const child = spawn(
      process.execPath,
      ['dist/main.js', '--app', 'test/fixtures/http-app', '--port', '0', '--state-dir', stateDir],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    try {
      const url = await waitForUrl(child, output);
      const res = await fetch(`${url}/api/hello/main`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ hello: 'main', query: null });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      const text = output.join('');
      expect(text).toContain('[GET] ' + url + '/api/hello/{name}');
      expect(text).toContain('nightly: timerTrigger (not served locally)');
      // Per-invocation structured log line.
      const executed = text
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((entry) => entry.msg === 'Executed' && entry.function === 'hello');
      expect(executed).toMatchObject({ status: 'Succeeded', trigger: 'httpTrigger' });
      expect(typeof executed!.invocationId).toBe('string');
      expect(typeof executed!.durationMs).toBe('number');
      expect(text).toContain('"msg":"Host stopped"');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('loads an ES module app the same way', async () => {
    // Written under the project's .local/ (git- and lint-ignored) so '@azure/functions' resolves from it.
    fs.mkdirSync(path.join(root, '.local'), { recursive: true });
    const appDir = fs.mkdtempSync(path.join(root, '.local', 'esm-app-'));
    fs.mkdirSync(path.join(appDir, 'src'));
    fs.writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({ type: 'module', main: 'src/*.js' }));
    fs.writeFileSync(path.join(appDir, 'host.json'), JSON.stringify({ version: '2.0' }));
    fs.writeFileSync(
      path.join(appDir, 'src', 'hello.js'),
      [
        "import { app } from '@azure/functions';",
        "app.http('esmHello', { route: 'esm/{name}', methods: ['GET'], authLevel: 'anonymous',",
        '  handler: (request) => ({ jsonBody: { esm: request.params.name } }) });',
      ].join('\n'),
    );
    const child = spawn(
      process.execPath,
      ['dist/main.js', '--app', appDir, '--port', '0', '--state-dir', path.join(appDir, 'state')],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    try {
      const url = await waitForUrl(child, output);
      const res = await fetch(`${url}/api/esm/module`);
      expect(await res.json()).toEqual({ esm: 'module' });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fs.rmSync(appDir, { recursive: true, force: true });
    }
  });
});

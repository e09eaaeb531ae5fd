import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');

describe('npm start (scripts/start.ts)', () => {
  it('starts the ARM emulator and the host on this app, prints the curl example, stops on SIGINT', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'start-'));
    const child = spawn(process.execPath, ['dist/scripts/start.js'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ARM_ENDPOINT: 'emulator',
        LOCAL_HOST_PORT: '0',
        EMULATOR_PORT: '0',
        EMULATOR_STATE_FILE: path.join(stateDir, 'arm.json'),
        LOCAL_HOST_STATE_DIR: path.join(stateDir, 'host'),
      },
    });
    const output: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    try {
      const ready = new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output.push(chunk.toString('utf8'));
          if (output.join('').includes('Press Ctrl+C to stop.')) resolve();
        });
        child.once('exit', (code) =>
          reject(new Error(`start exited early with ${code}: ${output.join('')}`)),
        );
      });
      await ready;
      const text = output.join('');
      const hostUrl = /listening on (http:\/\/\S+)/.exec(text)![1]!;
      const armUrl = /ARM emulator on (https:\/\/\S+)/.exec(text)![1]!;
      expect(armUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(text).toMatch(
        /curl -X POST 'http:\/\/127\.0\.0\.1:\d+\/api\/clusters\?code=\S+' -H 'content-type: application\/yaml' --data-binary @examples\/iaas-cluster\.yaml/,
      );
      expect(fs.readFileSync(path.join(root, '.local', 'arm-ca.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
      expect((await fetch(`${hostUrl}/admin/host/status`)).status).toBe(200);
      // The printed management URL carries the durabletask_extension key; without it the API is closed.
      const management = /curl '(http:\/\/\S+\/runtime\/webhooks\/durabletask\/instances\?code=\S+)'/.exec(
        text,
      )![1]!;
      expect((await fetch(management)).status).toBe(200);
      expect((await fetch(management.replace(/\?code=.*$/, ''))).status).toBe(401);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

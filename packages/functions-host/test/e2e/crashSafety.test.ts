/**
 * Crash safety: the host runs as a child process (`dist/main.js`), is killed with SIGKILL
 * several times while orchestrations are mid-flight (slow activity chains, fan-outs, timers, sub-orchestrations,
 * entities, continueAsNew), restarted on the same state directory each time, and every instance must still
 * complete with exactly the right output. Activities may run more than once (at-least-once, as on Azure);
 * the figures are printed so the re-execution cost is visible.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

import * as df from 'durable-functions';

import { durableClientBinding } from '../../src/durable/durableClientBinding';
import {
  type Client,
  DURABLE_APP_DIR,
  durableClientFor,
  sleep,
  waitForFinal,
  waitForStatus,
} from './durableHarness';

const MAIN = path.resolve(__dirname, '../../dist/main.js');
const HUB = 'DurableTestHub';

interface HostProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
}

/** slowEcho invocations started / finished across every host process (from the host's JSON log lines). */
let slowEchoStarts = 0;
let slowEchoCompletions = 0;

async function startHostProcess(stateDir: string): Promise<HostProcess> {
  const child = spawn(
    process.execPath,
    [MAIN, '--app', DURABLE_APP_DIR, '--port', '0', '--state-dir', stateDir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = readline.createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The host did not start:\n${stderr}`)), 20000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The host exited with ${String(code)} before listening:\n${stderr}`));
    });
    lines.on('line', (line) => {
      const listening = /listening on (http:\/\/\S+)/.exec(line);
      if (listening?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(listening[1]);
      }
      if (line.includes('slowEcho started')) slowEchoStarts++;
      if (line.includes("Executed 'slowEcho'")) slowEchoCompletions++;
    });
  });
  return { child, url, exited };
}

async function kill(host: HostProcess): Promise<void> {
  host.child.kill('SIGKILL');
  await host.exited;
}

let stateDir: string;
let current: HostProcess | undefined;

beforeAll(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'durable-crash-'));
});

afterAll(async () => {
  if (current !== undefined) {
    current.child.kill('SIGTERM');
    await current.exited;
  }
  fs.rmSync(stateDir, { recursive: true, force: true });
});

/** The management API's system key, which the host process keeps in `<stateDir>/keys.json`. */
function durableKey(dir: string): string {
  const file = JSON.parse(fs.readFileSync(path.join(dir, 'keys.json'), 'utf8')) as {
    systemKeys: { durabletask_extension: string };
  };
  return file.systemKeys.durabletask_extension;
}

test('instances survive repeated SIGKILLs of the host and complete with the right output', async () => {
  const started = Date.now();
  current = await startHostProcess(stateDir);
  let client: Client = durableClientFor(durableClientBinding(current.url, HUB, durableKey(stateDir)));

  const expected = new Map<string, unknown>();
  const start = async (name: string, input: unknown, output: unknown, instanceId?: string): Promise<void> => {
    const id = await client.startNew(name, { input, instanceId });
    expected.set(id, output);
  };
  for (let i = 0; i < 4; i++) await start('slowMix', { steps: 4, ms: 120 }, 20, `mix-${i}`);
  for (let i = 0; i < 2; i++) await start('fanOut', 100, 9900, `fan-${i}`);
  for (let i = 0; i < 2; i++)
    await start('monitor', { checks: 4, intervalMs: 150 }, 'monitored 4 times', `mon-${i}`);
  await start('countTo', { target: 10, current: 0 }, 10, 'count');
  await start('counterOrchestration', 'crash', 15, 'entity');
  await start(
    'parent',
    undefined,
    {
      first: { child: 'sub:0000000000000000', parent: 'sub', doubled: 2 },
      second: { child: 'sub-named', parent: 'sub', doubled: 4 },
      childFailed: true,
    },
    'sub',
  );
  await start('approval', { timeoutMs: 600000 }, 'approved by carol', 'human');

  // Kill at different moments: while the first activities run, mid fan-out, and while timers are pending.
  const kills = [250, 400, 300];
  for (const delay of kills) {
    await sleep(delay);
    await kill(current);
    current = await startHostProcess(stateDir);
    client = durableClientFor(durableClientBinding(current.url, HUB, durableKey(stateDir)));
  }

  await waitForStatus(client, 'human', (s) => s.runtimeStatus === df.OrchestrationRuntimeStatus.Running);
  await client.raiseEvent('human', 'Approval', 'carol');

  for (const [id, output] of expected) {
    const status = await waitForFinal(client, id, 30000);
    expect({ id, runtimeStatus: status.runtimeStatus, output: status.output }).toEqual({
      id,
      runtimeStatus: 'Completed',
      output,
    });
  }
  const counter = await client.readEntityState<number>(new df.EntityId('counter', 'crash'));
  expect(counter.entityState).toBe(15); // entity operations commit with their state: exactly once

  const required = 4 * 8; // 4 slowMix instances × (4 chained + 4 fanned-out) activities
  expect(slowEchoCompletions).toBeGreaterThanOrEqual(required);
  expect(slowEchoStarts).toBeGreaterThanOrEqual(slowEchoCompletions);
  process.stdout.write(
    `crash test: ${expected.size} instances, ${kills.length} SIGKILLs, all completed in ${Date.now() - started} ms; ` +
      `slowEcho started ${slowEchoStarts} times, finished ${slowEchoCompletions}, for ${required} scheduled ` +
      `(killed mid-run and re-run: ${slowEchoStarts - slowEchoCompletions})\n`,
  );
}, 90000);

/**
 * Crash recovery for the permanent suite: the Functions host runs as its own process (as `npm run
 * host` does) and is SIGKILLed at a seeded random point of an operation, the k-th ARM write of it;
 * a new host on the same state finishes the operation. What ARM saw is then checked: no write accepted
 * twice for one resource in one operation, exactly the plan exists (no orphan), the status right.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as https from 'node:https';

import type { ArmEmulator } from '@azure-cluster-provisioner/arm-emulator';

import { type Api, ROOT } from '../iaas/iaasHarness';

export interface HostProcess {
  child: ChildProcess;
  url: string;
  output: string[];
}

/** Starts `packages/functions-host/dist/main.js` for this app as its own process. */
export function startHostProcess(stateDir: string, settings: Record<string, string>): Promise<HostProcess> {
  const child = spawn(
    process.execPath,
    ['packages/functions-host/dist/main.js', '--app', ROOT, '--port', '0', '--state-dir', stateDir],
    { cwd: ROOT, env: { ...process.env, ...settings }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      const match = /listening on (http:\/\/\S+)/.exec(output.join(''));
      if (match?.[1]) resolve({ child, url: match[1], output });
    });
    child.once('exit', (code) => reject(new Error(`host exited early with ${code}: ${output.join('')}`)));
  });
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Resolves once the emulator has accepted `count` writes of `method` since operation `sinceSeq`. */
export async function writesSeen(
  emulator: ArmEmulator,
  sinceSeq: number,
  method: 'PUT' | 'DELETE',
  count: number,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = emulator
      .operations()
      .filter((o) => o.seq > sinceSeq && o.write && o.method === method).length;
    if (seen >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${seen} of ${count} ${method}s seen`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function lastSeq(emulator: ArmEmulator): number {
  return emulator.operations().at(-1)?.seq ?? 0;
}

/**
 * Duplicate writes since `sinceSeq` (one operation: a create, a scale or a delete). A duplicate write is
 * a PUT (or a DELETE) of one resource that ARM answered with success more than once in the operation:
 * the app sent again a write ARM had already acknowledged. The request log records an answer once it is
 * sent, so a request the emulator never answered (it died first) is not in it and a re-send of it is no
 * duplicate; a re-send of an answered one is. A write that failed (4xx, 5xx) and is retried is not one.
 */
export function duplicateWrites(emulator: ArmEmulator, sinceSeq: number): string[] {
  const accepted = new Map<string, number>();
  for (const o of emulator.operations()) {
    if (o.seq <= sinceSeq || !o.write || o.status >= 300) continue;
    const key = `${o.method} ${o.path.toLowerCase()}`;
    accepted.set(key, (accepted.get(key) ?? 0) + 1);
  }
  return [...accepted].filter(([, n]) => n > 1).map(([key, n]) => `${key} x${n}`);
}

/** What the emulator holds for the cluster that the plan does not name, and what it lacks. */
export function orphansAndMissing(
  api: Api,
  cluster: string,
  planned: readonly string[],
): { orphans: string[]; missing: string[] } {
  const actual = new Set(api.clusterResources(cluster).map((r) => r.id.toLowerCase()));
  const want = new Set(planned.map((id) => id.toLowerCase()));
  return {
    orphans: [...actual].filter((id) => !want.has(id)),
    missing: [...want].filter((id) => !actual.has(id)),
  };
}

/** Runtime status and phase agree: an operation that ended says how; one that runs says it runs. */
export function statusContradiction(view: { runtimeStatus: string; phase?: string }): string | undefined {
  const running = ['Verifying', 'Provisioning', 'Pruning', 'RollingBack', 'Deleting'];
  const { runtimeStatus, phase } = view;
  if (runtimeStatus === 'Completed' && phase !== 'Provisioned' && phase !== 'Deleted')
    return `Completed but phase ${phase}`;
  if (runtimeStatus === 'Failed' && phase !== 'Failed' && phase !== 'DeleteFailed')
    return `Failed but phase ${phase}`;
  if (runtimeStatus === 'Terminated' && phase !== undefined && running.includes(phase))
    return `Terminated but phase ${phase}`;
  return undefined;
}

/** A small deterministic generator for kill points (mulberry32). */
export function seededRandom(seed: number): (max: number) => number {
  let a = seed >>> 0;
  return (max) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return Math.floor(r * max);
  };
}

/** The ARM emulator as its own process (as `npm run emulator` runs it), so that it can be SIGKILLed. */
export interface EmulatorProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Every request it logged: method, path, status. */
  log: { method: string; path: string; status: number }[];
}

export function startEmulatorProcess(
  stateFile: string,
  caFile: string,
  port: number,
  log: EmulatorProcess['log'] = [],
): Promise<EmulatorProcess> {
  const child = spawn(
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      'packages/arm-emulator/dist/main.js',
      '--port',
      String(port),
      '--time-scale',
      '0.03',
      '--state-file',
      stateFile,
      '--ca-file',
      caFile,
      '--seed-rg',
      'rg-demo:eastus',
    ],
    { cwd: ROOT, env: { ...process.env, EMULATOR_THROTTLE: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  let pending = '';
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output.push(text);
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^\S+ (GET|PUT|PATCH|DELETE|POST) (\S+) (\d{3}) /.exec(line);
        if (m?.[1] && m[2] && m[3]) log.push({ method: m[1], path: m[2], status: Number(m[3]) });
        const listening = /listening on (https:\/\/127\.0\.0\.1:(\d+))/.exec(line);
        if (listening?.[1] && listening[2])
          resolve({ child, url: listening[1], port: Number(listening[2]), log });
      }
    });
    child.once('exit', (code) => reject(new Error(`emulator exited early with ${code}: ${output.join('')}`)));
  });
}

/** GET on the emulator's own API, trusting its certificate. */
export function emulatorGet(url: string, caPem: string, route: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = https.get(`${url}${route}`, { ca: caPem }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    req.on('error', reject);
  });
}

/** Duplicate writes (as `duplicateWrites` defines them) from the request logs of emulator processes. */
export function duplicateLoggedWrites(log: EmulatorProcess['log'], from: number): string[] {
  const accepted = new Map<string, number>();
  for (const o of log.slice(from)) {
    if ((o.method !== 'PUT' && o.method !== 'DELETE') || o.status >= 300) continue;
    const key = `${o.method} ${o.path.split('?')[0]?.toLowerCase() ?? ''}`;
    accepted.set(key, (accepted.get(key) ?? 0) + 1);
  }
  return [...accepted].filter(([, n]) => n > 1).map(([key, n]) => `${key} x${n}`);
}

/**
 * The engine on its own (no HTTP): the test app is loaded with the host's real loader and invoked through
 * the host's DurableInvoker, to check concurrency limits, the structured invocation logs and restarts on a
 * database file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { type LoadedApp, loadFunctionsApp } from '../../src/core';
import { createDurableInvoker, durableFunctionsOf } from '../../src/createDurableInvoker';
import { type DurableEngineOptions, type EngineLogger } from '../../src/durable/contract';
import { DurableEngine } from '../../src/durable/engine';
import { DURABLE_APP_DIR } from './durableHarness';

interface LogEntry {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

let app: LoadedApp;
let tmp: string;

beforeAll(async () => {
  app = await loadFunctionsApp(DURABLE_APP_DIR);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'durable-engine-'));
});

afterAll(async () => {
  await app.terminate();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function capture(): { logger: EngineLogger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const push =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}): void => {
      entries.push({ level, message, fields });
    };
  return { logger: { info: push('info'), warn: push('warn'), error: push('error') }, entries };
}

function engineFor(overrides: Partial<DurableEngineOptions>): DurableEngine {
  return new DurableEngine({
    functions: durableFunctionsOf(app),
    invoke: createDurableInvoker(app),
    databaseFile: ':memory:',
    taskHubName: 'EngineTestHub',
    logger: capture().logger,
    ...overrides,
  });
}

function isFinal(engine: DurableEngine, id: string): boolean {
  const status = engine.getInstance(id)?.status;
  return status === 'Completed' || status === 'Failed' || status === 'Terminated';
}

test('maxConcurrentActivityFunctions bounds how many activities run at once', async () => {
  const engine = engineFor({ maxConcurrentActivityFunctions: 3 });
  await engine.start();
  try {
    const id = engine.startNew('probeFanOut', { input: '12' });
    await engine.waitFor(() => isFinal(engine, id), 20000);
    expect(engine.getInstance(id)).toMatchObject({ status: 'Completed', output: '3' });
  } finally {
    await engine.stop();
  }
});

test('maxConcurrentOrchestratorFunctions bounds how many episodes run at once', async () => {
  let running = 0;
  let peak = 0;
  const invoke = createDurableInvoker(app);
  const engine = engineFor({
    maxConcurrentOrchestratorFunctions: 2,
    invoke: async (name, input) => {
      const orchestration = durableFunctionsOf(app).get(name) === 'orchestration';
      if (orchestration) peak = Math.max(peak, ++running);
      try {
        if (orchestration) await new Promise((resolve) => setTimeout(resolve, 5));
        return await invoke(name, input);
      } finally {
        if (orchestration) running--;
      }
    },
  });
  await engine.start();
  try {
    const ids = Array.from({ length: 8 }, () => engine.startNew('chain'));
    await engine.waitFor(() => ids.every((id) => isFinal(engine, id)), 20000);
    expect(ids.map((id) => engine.getInstance(id)?.status)).toEqual(Array(8).fill('Completed'));
    expect(peak).toBe(2);
  } finally {
    await engine.stop();
  }
});

test('every invocation is logged with function, instance, duration and outcome, without inputs or outputs', async () => {
  const { logger, entries } = capture();
  const engine = engineFor({ logger });
  await engine.start();
  try {
    const id = engine.startNew('retrying', { input: JSON.stringify('secret-input-value') });
    await engine.waitFor(() => isFinal(engine, id), 20000);
  } finally {
    await engine.stop();
  }
  const invocations = entries.filter((e) => e.message.startsWith('Executed'));
  expect(invocations.length).toBeGreaterThanOrEqual(5); // episodes of 'retrying' and three 'flaky' attempts
  for (const entry of invocations) {
    expect(entry.fields).toEqual(
      expect.objectContaining({
        function: expect.any(String) as string,
        instanceId: expect.any(String) as string,
        durationMs: expect.any(Number) as number,
        outcome: expect.any(String) as string,
      }),
    );
  }
  expect(invocations.filter((e) => e.fields.function === 'flaky').map((e) => e.fields.outcome)).toEqual([
    'Failed',
    'Failed',
    'Succeeded',
  ]);
  expect(JSON.stringify(entries)).not.toContain('secret-input-value');
});

test('an instance suspended in the same batch as its start does not run until resumed', async () => {
  const engine = engineFor({});
  await engine.start();
  try {
    const id = engine.startNew('chain');
    engine.control(id, 'Suspend', 'before the first episode'); // same dispatcher batch as ExecutionStarted
    await engine.waitFor(() => engine.getInstance(id)?.status === 'Suspended', 5000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(engine.getInstance(id)?.status).toBe('Suspended');
    expect(engine.getHistory(id).some((e) => e.EventType === 0)).toBe(false); // not started yet
    engine.control(id, 'Resume', 'go');
    await engine.waitFor(() => isFinal(engine, id), 20000);
    expect(engine.getInstance(id)).toMatchObject({ status: 'Completed' });
  } finally {
    await engine.stop();
  }
});

test('a stopped engine resumes its instances from the database file', async () => {
  const databaseFile = path.join(tmp, 'resume.db');
  const first = engineFor({ databaseFile });
  await first.start();
  const id = first.startNew('monitor', { input: JSON.stringify({ checks: 3, intervalMs: 80 }) });
  await first.waitFor(() => first.getInstance(id)?.customStatus === '{"checks":1}', 20000);
  await first.stop();

  const second = engineFor({ databaseFile });
  await second.start();
  try {
    await second.waitFor(() => isFinal(second, id), 20000);
    expect(second.getInstance(id)).toMatchObject({ status: 'Completed', output: '"monitored 3 times"' });
  } finally {
    await second.stop();
  }
});

test('work counters: episodes, history events written and replayed, and time per orchestration and entity', async () => {
  const { logger, entries } = capture();
  const engine = engineFor({ logger });
  await engine.start();
  try {
    const chainId = engine.startNew('chain');
    const counterId = engine.startNew('counterOrchestration', { input: JSON.stringify('work') });
    await engine.waitFor(() => isFinal(engine, chainId) && isFinal(engine, counterId), 20000);
    const work = engine.workStats();
    const chain = work.find((w) => w.id === chainId);
    const episodesLogged = entries.filter(
      (e) => e.fields.instanceId === chainId && e.fields.kind === 'orchestration',
    ).length;
    // Started, then one episode per activity result (three cities), each replaying all that came before.
    expect(chain).toMatchObject({ name: 'chain', kind: 'orchestration', episodes: episodesLogged });
    expect(episodesLogged).toBe(4);
    expect(chain?.historyEventsAppended).toBe(engine.getHistory(chainId).length);
    expect(chain?.eventsReplayed).toBeGreaterThan(chain?.historyEventsAppended ?? Infinity);
    expect(chain?.ms).toBeGreaterThan(0);
    // The counter entity processed the signal and both calls: three operations, in however many batches.
    const counter = work.filter((w) => w.kind === 'entity' && w.name === 'counter');
    expect(counter.reduce((sum, w) => sum + w.eventsReplayed, 0)).toBe(3);
    expect(counter.every((w) => w.historyEventsAppended === 0)).toBe(true);

    engine.resetWorkStats();
    expect(engine.workStats()).toEqual([]);
  } finally {
    await engine.stop();
  }
});

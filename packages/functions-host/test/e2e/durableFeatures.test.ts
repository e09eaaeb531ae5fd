/**
 * Every durable feature of the local host, exercised end to end: the test app runs on the real host
 * (in-process, ephemeral port) and is driven over HTTP and through the unmodified DurableClient.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as df from 'durable-functions';

import { type RunningHost, startHost } from '../../src/host';
import { silentLogger } from '../../src/hostLogger';
import {
  type Client,
  DURABLE_APP_DIR,
  durableClientFor,
  sleep,
  waitForFinal,
  waitForStatus,
} from './durableHarness';

let host: RunningHost;
let client: Client;
let stateDir: string;

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'durable-features-'));
  host = await startHost({ appDir: DURABLE_APP_DIR, port: 0, stateDir, logger: silentLogger });
  if (host.durable === undefined) throw new Error('The host did not start the durable engine');
  client = durableClientFor(host.durable.clientBinding(host.url));
});

afterAll(async () => {
  await host?.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

/** getStatus(showHistory) carries the history events as the extension returns them. */
function historyOf(status: df.DurableOrchestrationStatus): Array<{ EventType: number }> {
  return (status.history ?? []) as Array<{ EventType: number }>;
}

async function run(
  name: string,
  input?: unknown,
  instanceId?: string,
): Promise<df.DurableOrchestrationStatus> {
  const id = await client.startNew(name, { input, instanceId });
  return waitForFinal(client, id);
}

describe('orchestration patterns', () => {
  test('function chaining returns every activity result in order', async () => {
    const status = await run('chain');
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual(['Hello Tokyo', 'Hello Seattle', 'Hello London']);
  });

  test('fan-out/fan-in over 100 activities', async () => {
    const status = await run('fanOut', 100);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toBe(9900); // 2 * (0 + 1 + ... + 99)
  });

  test('async HTTP API: the starter answers 202 and the status URL is polled to completion', async () => {
    const response = await fetch(`${host.url}/api/orchestrators/chain`, { method: 'POST' });
    expect(response.status).toBe(202);
    const payload = (await response.json()) as Record<string, string>;
    expect(response.headers.get('location')).toBe(payload.statusQueryGetUri);
    expect(payload.statusQueryGetUri?.startsWith(`${host.url}/runtime/webhooks/durabletask/instances/`)).toBe(
      true,
    );
    let body: Record<string, unknown> = {};
    for (let i = 0; i < 400; i++) {
      const poll = await fetch(payload.statusQueryGetUri!);
      body = (await poll.json()) as Record<string, unknown>;
      if (poll.status === 200) break;
      expect(poll.status).toBe(202);
      await sleep(25);
    }
    expect(body).toMatchObject({ runtimeStatus: 'Completed', instanceId: payload.id, name: 'chain' });
    expect(body.output).toEqual(['Hello Tokyo', 'Hello Seattle', 'Hello London']);
  });

  test('monitor: durable timers fire in turn and the custom status follows', async () => {
    const id = await client.startNew('monitor', { input: { checks: 3, intervalMs: 60 } });
    const midway = await waitForStatus(
      client,
      id,
      (s) => s.customStatus !== null && s.customStatus !== undefined,
    );
    expect(midway.customStatus).toEqual({ checks: expect.any(Number) as number });
    const status = await waitForFinal(client, id);
    expect(status.output).toBe('monitored 3 times');
    expect(status.customStatus).toEqual({ checks: 3 });
    const withHistory = await client.getStatus(id, { showHistory: true });
    const events = historyOf(withHistory);
    expect(events.filter((e) => e.EventType === 11)).toHaveLength(3); // TimerFired
  });

  test('human interaction: an external event wins the race against a timer', async () => {
    const id = await client.startNew('approval', { input: { timeoutMs: 30000 } });
    await waitForStatus(client, id, (s) => s.runtimeStatus === df.OrchestrationRuntimeStatus.Running);
    await client.raiseEvent(id, 'Approval', 'alice');
    const status = await waitForFinal(client, id);
    expect(status.output).toBe('approved by alice');
  });

  test('human interaction: the timer wins when nobody answers', async () => {
    const status = await run('approval', { timeoutMs: 50 });
    expect(status.output).toBe('timed out');
  });

  test('an event raised before the orchestrator waits for it is buffered', async () => {
    const id = await client.startNew('approval', { input: { timeoutMs: 30000 } });
    await client.raiseEvent(id, 'Approval', 'early bird');
    const status = await waitForFinal(client, id);
    expect(status.output).toBe('approved by early bird');
  });

  test('sub-orchestrations, with a generated and a given instance id, and a failing one retried', async () => {
    const status = await run('parent', undefined, 'parent-1');
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual({
      first: { child: 'parent-1:0000000000000000', parent: 'parent-1', doubled: 2 },
      second: { child: 'parent-1-named', parent: 'parent-1', doubled: 4 },
      childFailed: true,
    });
    const named = await client.getStatus('parent-1-named');
    expect(named.runtimeStatus).toBe('Completed');
  });

  test('continueAsNew counts to N with a fresh history per execution', async () => {
    const id = await client.startNew('countTo', { input: { target: 6, current: 0 } });
    const status = await waitForFinal(client, id);
    expect(status.output).toBe(6);
    const withHistory = await client.getStatus(id, { showHistory: true });
    const events = historyOf(withHistory);
    expect(events.filter((e) => e.EventType === 0)).toHaveLength(1); // one ExecutionStarted: the last execution
  });
});

describe('retries', () => {
  test('an activity that fails twice succeeds on the third attempt', async () => {
    const status = await run('retrying', 'retry-ok');
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toBe('retry-ok succeeded on attempt 3');
  });

  test('an activity that always fails fails the orchestration with its error after the last attempt', async () => {
    const status = await run('retryExhausted');
    expect(status.runtimeStatus).toBe('Failed');
    expect(String(status.output)).toContain('alwaysFails: boom');
    const withHistory = await client.getStatus(status.instanceId, { showHistory: true });
    const events = historyOf(withHistory);
    expect(events.filter((e) => e.EventType === 6)).toHaveLength(3); // three TaskFailed: maxNumberOfAttempts
  });

  test('retrying tasks inside Task.all interleave their timers with the other task ids', async () => {
    const status = await run('retryFanOut', undefined, 'retry-fan');
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual([
      'retry-fan-a succeeded on attempt 2',
      10,
      'retry-fan-b succeeded on attempt 3',
      'Hello after',
    ]);
  });
});

describe('continueAsNew with external events', () => {
  test('events raised in a burst are carried into the next execution', async () => {
    const id = await client.startNew('eventCounter', { input: { target: 5, count: 0 } });
    await waitForStatus(client, id, (s) => s.runtimeStatus === df.OrchestrationRuntimeStatus.Running);
    await Promise.all(Array.from({ length: 5 }, () => client.raiseEvent(id, 'add', 1)));
    const status = await waitForFinal(client, id);
    expect(status.output).toBe(5);
  });
});

describe('entities', () => {
  test('signal, read state, and call from an orchestration', async () => {
    const counter = new df.EntityId('counter', 'e2e-a');
    await client.signalEntity(counter, 'add', 3);
    await client.signalEntity(counter, 'add', 4);
    let state = await client.readEntityState<number>(counter);
    for (let i = 0; i < 200 && state.entityState !== 7; i++) {
      await sleep(25);
      state = await client.readEntityState<number>(counter);
    }
    expect(state).toMatchObject({ entityExists: true, entityState: 7 });

    const status = await run('counterOrchestration', 'e2e-a');
    expect(status.output).toBe(22); // 7 + signalled 5 + called 10
  });

  test('reading an entity that was never written reports that it does not exist', async () => {
    const state = await client.readEntityState(new df.EntityId('counter', 'never-touched'));
    expect(state.entityExists).toBe(false);
  });

  test('an entity operation signals another entity', async () => {
    await client.signalEntity(new df.EntityId('counter', 'source'), 'addAndForward', {
      key: 'sink',
      amount: 9,
    });
    const sink = new df.EntityId('counter', 'sink');
    let state = await client.readEntityState<number>(sink);
    for (let i = 0; i < 200 && !state.entityExists; i++) {
      await sleep(25);
      state = await client.readEntityState<number>(sink);
    }
    expect(state.entityState).toBe(9);
  });

  test('an entity operation starts an orchestration', async () => {
    await client.signalEntity(new df.EntityId('launcher', 'l1'), 'start', 'launched-by-entity');
    const status = await waitForStatus(
      client,
      'launched-by-entity',
      (s) => s.runtimeStatus === df.OrchestrationRuntimeStatus.Completed,
    ).catch(async (error: unknown) => {
      // getStatus throws until the entity has created the instance.
      await sleep(100);
      return waitForStatus(
        client,
        'launched-by-entity',
        (s) => s.runtimeStatus === df.OrchestrationRuntimeStatus.Completed,
      ).catch(() => {
        throw error;
      });
    });
    expect(status.output).toEqual(['Hello Tokyo', 'Hello Seattle', 'Hello London']);
    const launcher = await client.readEntityState<string[]>(new df.EntityId('launcher', 'l1'));
    expect(launcher.entityState).toEqual(['launched-by-entity']);
  });
});

describe('instance management', () => {
  test('terminate stops a waiting orchestration with the reason as output', async () => {
    const id = await client.startNew('waitForever');
    await waitForStatus(client, id, (s) => s.runtimeStatus === df.OrchestrationRuntimeStatus.Running);
    await client.terminate(id, 'no longer needed');
    const status = await waitForFinal(client, id);
    expect(status.runtimeStatus).toBe('Terminated');
    expect(status.output).toBe('no longer needed');
  });

  test('suspend holds events until resume', async () => {
    const id = await client.startNew('approval', { input: { timeoutMs: 30000 } });
    await waitForStatus(client, id, (s) => s.runtimeStatus === df.OrchestrationRuntimeStatus.Running);
    await client.suspend(id, 'hold on');
    await waitForStatus(client, id, (s) => s.runtimeStatus === df.OrchestrationRuntimeStatus.Suspended);
    await client.raiseEvent(id, 'Approval', 'bob');
    await sleep(150);
    expect((await client.getStatus(id)).runtimeStatus).toBe('Suspended');
    await client.resume(id, 'go on');
    const status = await waitForFinal(client, id);
    expect(status.output).toBe('approved by bob');
  });

  test('suspending right after the start holds the whole run until resume', async () => {
    const id = await client.startNew('chain');
    await client.suspend(id, 'not yet');
    await waitForStatus(client, id, (s) => s.runtimeStatus === df.OrchestrationRuntimeStatus.Suspended);
    await sleep(100);
    expect((await client.getStatus(id)).runtimeStatus).toBe('Suspended');
    await client.resume(id, 'now');
    const status = await waitForFinal(client, id);
    expect(status.output).toEqual(['Hello Tokyo', 'Hello Seattle', 'Hello London']);
  });

  test('starting an instance id that is still running is refused; a finished one may be restarted', async () => {
    await client.startNew('waitForever', { instanceId: 'dup-1' });
    await expect(client.startNew('waitForever', { instanceId: 'dup-1' })).rejects.toThrow(/409/);
    await client.terminate('dup-1', 'done');
    await waitForFinal(client, 'dup-1');
    await client.startNew('chain', { instanceId: 'dup-1' });
    const status = await waitForFinal(client, 'dup-1');
    expect(status).toMatchObject({ name: 'chain', runtimeStatus: 'Completed' });
  });

  test('rewind re-runs the failed activity of a failed instance', async () => {
    const failed = await run('rewindable', undefined, 'rewind-1');
    expect(failed.runtimeStatus).toBe('Failed');
    await client.rewind('rewind-1', 'try again');
    const status = await waitForStatus(
      client,
      'rewind-1',
      (s) => s.runtimeStatus === df.OrchestrationRuntimeStatus.Completed,
    );
    expect(status.output).toEqual(['Hello before', 'rewind-1 succeeded on attempt 2']);
    await expect(client.rewind('rewind-1', 'again')).rejects.toThrow(/only failed instances can be rewound/);
  });

  test('list with filters and continuation tokens', async () => {
    for (const n of [1, 2, 3]) await run('chain', undefined, `listing-${n}`);
    const completed = await client.getStatusBy({ runtimeStatus: [df.OrchestrationRuntimeStatus.Completed] });
    const ids = completed.map((s) => s.instanceId);
    expect(ids).toEqual(expect.arrayContaining(['listing-1', 'listing-2', 'listing-3']));

    const base = `${host.url}/runtime/webhooks/durabletask/instances`;
    const code = encodeURIComponent(host.keys.systemKeys.durabletask_extension);
    const first = await fetch(`${base}?instanceIdPrefix=listing-&top=2&code=${code}`);
    const token = first.headers.get('x-ms-continuation-token');
    expect(((await first.json()) as Array<{ instanceId: string }>).map((s) => s.instanceId)).toEqual([
      'listing-1',
      'listing-2',
    ]);
    expect(token).toBeTruthy();
    const second = await fetch(`${base}?instanceIdPrefix=listing-&top=2&code=${code}`, {
      headers: { 'x-ms-continuation-token': token! },
    });
    expect(second.headers.get('x-ms-continuation-token')).toBeNull();
    expect(((await second.json()) as Array<{ instanceId: string }>).map((s) => s.instanceId)).toEqual([
      'listing-3',
    ]);

    const future = await client.getStatusBy({ createdTimeFrom: new Date(Date.now() + 3_600_000) });
    expect(future).toEqual([]);
  });

  test('purge by filter deletes finished instances created in a time window', async () => {
    const from = new Date(Date.now() - 1);
    await run('chain', undefined, 'purge-window-1');
    await run('chain', undefined, 'purge-window-2');
    const result = await client.purgeInstanceHistoryBy({
      createdTimeFrom: from,
      runtimeStatus: [df.OrchestrationRuntimeStatus.Completed],
    });
    expect(result.instancesDeleted).toBeGreaterThanOrEqual(2);
    await expect(client.getStatus('purge-window-1')).rejects.toThrow(/404/);
  });

  test('purge deletes an instance and its history', async () => {
    await run('chain', undefined, 'purge-me');
    await expect(client.purgeInstanceHistory('purge-me')).resolves.toEqual({ instancesDeleted: 1 });
    await expect(client.getStatus('purge-me')).rejects.toThrow(/404/);
    await expect(client.purgeInstanceHistory('purge-me')).resolves.toEqual({ instancesDeleted: 0 });
  });

  test('requests to unknown instances are 404s; to finished ones 410s, which the client accepts', async () => {
    await expect(client.raiseEvent('nobody', 'Approval', 1)).rejects.toThrow(
      "No instance with ID 'nobody' found.",
    );
    await expect(client.terminate('nobody', 'x')).rejects.toThrow("No instance with ID 'nobody' found.");
    const done = await run('chain', undefined, 'finished-1');
    expect(done.runtimeStatus).toBe('Completed');
    await expect(client.raiseEvent('finished-1', 'Approval', 1)).resolves.toBeUndefined();
    await expect(client.terminate('finished-1', 'late')).resolves.toBeUndefined();
    const response = await fetch(
      `${host.url}/runtime/webhooks/durabletask/instances/finished-1/terminate?reason=x`,
      { method: 'POST', headers: { 'x-functions-key': host.keys.systemKeys.durabletask_extension } },
    );
    expect(response.status).toBe(410);
    expect((await client.getStatus('finished-1')).runtimeStatus).toBe('Completed');
  });

  test('getStatus of an unknown instance is a 404', async () => {
    await expect(client.getStatus('no-such-instance')).rejects.toThrow(/404/);
  });
});

describe('failures are reported clearly', () => {
  test('a non-deterministic orchestrator fails naming the expected and the actual activity', async () => {
    const status = await run('nonDeterministic');
    expect(status.runtimeStatus).toBe('Failed');
    expect(String(status.output)).toMatch(/Non-deterministic workflow detected/);
    expect(String(status.output)).toMatch(/activity 'sayHello'.*activity 'double'/);
  });

  test('an orchestrator that no longer schedules a task from its history is non-deterministic', async () => {
    const status = await run('shrinking');
    expect(status.runtimeStatus).toBe('Failed');
    expect(String(status.output)).toMatch(
      /scheduled activity 'sayHello' as task 0, but the replayed orchestrator/,
    );
  });

  test('calling an activity that does not exist fails the instance with a clear message', async () => {
    const status = await run('callsUnknown');
    expect(status.runtimeStatus).toBe('Failed');
    expect(String(status.output)).toContain("Function 'doesNotExist' does not exist");
  });

  test('starting an orchestrator that does not exist is refused', async () => {
    await expect(client.startNew('noSuchOrchestrator')).rejects.toThrow(/noSuchOrchestrator/);
  });
});

import * as path from 'node:path';

import { loadFunctionsApp, typedDataToJs } from '../../src/core';
import { createDurableInvoker, durableFunctionsOf } from '../../src/createDurableInvoker';
import { expandBraces, expandMainGlob } from '../../src/expandMainGlob';

const fixtureDir = path.resolve(__dirname, '../fixtures/http-app');

describe('expandMainGlob', () => {
  it('expands braces and wildcards like the worker', () => {
    expect(expandBraces('dist/src/{index.js,functions/*.js}')).toEqual([
      'dist/src/index.js',
      'dist/src/functions/*.js',
    ]);
    expect(expandBraces('a{b,c{d,e}}f')).toEqual(['abf', 'acdf', 'acef']);
    const files = expandMainGlob(fixtureDir, '../dist/http-app/src/{index.js,functions/*.js}');
    expect(files[0]).toBe(path.resolve(fixtureDir, '../dist/http-app/src/index.js'));
    expect(
      files
        .slice(1)
        .map((f) => path.basename(f))
        .sort(),
    ).toEqual(['events.js', 'greetings.js', 'http.js']);
  });
});

describe('loadFunctionsApp', () => {
  it('loads an app from its package.json main', async () => {
    const app = await loadFunctionsApp(fixtureDir);
    expect(app.files[0]).toBe(path.resolve(fixtureDir, '../dist/http-app/src/index.js'));
    for (const registration of app.registrations.values()) {
      expect(registration.triggerType).toMatch(/Trigger$/);
    }
  });

  it('captures every registration of the fixture app with its bindings', async () => {
    const app = await loadFunctionsApp(fixtureDir);
    expect(app.programmingModel?.name).toBe('@azure/functions');
    const hello = app.registrations.get('hello')!;
    expect(hello.triggerType).toBe('httpTrigger');
    expect(hello.http).toEqual({ route: 'hello/{name}', methods: ['GET'], authLevel: 'anonymous' });
    expect(app.registrations.get('echo')!.http).toEqual({
      route: 'echo',
      methods: ['GET', 'POST'],
      authLevel: 'anonymous',
    });
    expect(app.registrations.get('secure')!.http?.authLevel).toBe('function');
    expect(app.registrations.get('onEvent')!.triggerType).toBe('eventGridTrigger');
    expect(app.registrations.get('nightly')!.triggerType).toBe('timerTrigger');
    expect(app.registrations.get('startGreeting')!.extraInputs.map((i) => i.type)).toEqual(['durableClient']);
    expect(durableFunctionsOf(app)).toEqual(
      new Map([
        ['sayHello', 'activity'],
        ['helloSequence', 'orchestration'],
      ]),
    );
  });

  it('loads the same app again in one process and registers anew', async () => {
    const first = await loadFunctionsApp(fixtureDir);
    const second = await loadFunctionsApp(fixtureDir);
    expect([...second.registrations.keys()].sort()).toEqual([...first.registrations.keys()].sort());
    expect(second.registrations.get('hello')!.callback).not.toBe(first.registrations.get('hello')!.callback);
  });

  it('invokes an HTTP function through the library conversion', async () => {
    const app = await loadFunctionsApp(fixtureDir);
    const hello = app.registrations.get('hello')!;
    const outcome = await app.invoke('hello', {
      inputData: [
        {
          name: hello.triggerName,
          data: {
            http: {
              method: 'GET',
              url: 'http://127.0.0.1/api/hello/ada?q=1',
              headers: {},
              query: { q: '1' },
              params: { name: 'ada' },
            },
          },
        },
      ],
    });
    const http = outcome.returnValue?.http;
    expect(http?.statusCode).toBe('200');
    expect(JSON.parse(Buffer.from(http!.body!.bytes!).toString('utf8'))).toEqual({
      hello: 'ada',
      query: '1',
    });
  });
});

describe('createDurableInvoker', () => {
  it('drives the real orchestrator wrapper and returns an OrchestratorState', async () => {
    const app = await loadFunctionsApp(fixtureDir);
    const invoke = createDurableInvoker(app);
    const now = new Date().toISOString();
    const input = { names: ['Oslo'] };
    const state = (await invoke('helloSequence', {
      history: [
        { EventType: 12, EventId: -1, IsPlayed: false, Timestamp: now },
        {
          EventType: 0,
          EventId: -1,
          IsPlayed: false,
          Timestamp: now,
          Name: 'helloSequence',
          Input: JSON.stringify(input),
        },
      ],
      input,
      instanceId: 'abc',
      isReplaying: false,
      parentInstanceId: undefined,
      upperSchemaVersion: 4,
      upperSchemaVersionNew: 4,
      longRunningTimerIntervalDuration: '3.00:00:00',
      maximumShortTimerDuration: '6.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    })) as { isDone: boolean; actions: unknown[][] };
    expect(state.isDone).toBe(false);
    // The wrapper serializes action inputs itself, as the Durable extension expects.
    expect(state.actions).toEqual([
      [{ functionName: 'sayHello', actionType: 0, input: JSON.stringify('Oslo') }],
    ]);
  });

  it('passes activity input and output through unchanged, strings included', async () => {
    const app = await loadFunctionsApp(fixtureDir);
    const invoke = createDurableInvoker(app);
    await expect(invoke('sayHello', '123')).resolves.toBe('Hello 123!');
    await expect(invoke('nope', 1)).rejects.toThrow('No function named "nope"');
    await expect(invoke('hello', 1)).rejects.toThrow('not an orchestration');
  });

  it('converts typed data back to plain JS', () => {
    expect(typedDataToJs({ string: '42' })).toBe('42');
    expect(typedDataToJs({ json: '{"a":1}' })).toEqual({ a: 1 });
    expect(typedDataToJs({ int: 3 })).toBe(3);
    expect(typedDataToJs(undefined)).toBeUndefined();
  });
});

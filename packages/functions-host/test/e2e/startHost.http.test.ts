import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { type RunningHost, startHost } from '../../src/host';
import { silentLogger } from '../../src/hostLogger';

const fixtureDir = path.resolve(__dirname, '../fixtures/http-app');

describe('local host: HTTP triggers', () => {
  let host: RunningHost;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-http-'));
    host = await startHost({ appDir: fixtureDir, port: 0, stateDir, logger: silentLogger });
  });

  afterAll(async () => {
    await host.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('serves routes with parameters under the routePrefix', async () => {
    const res = await fetch(`${host.url}/api/hello/ada%20lovelace?q=x`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ hello: 'ada lovelace', query: 'x' });
  });

  it('applies constraints and optional parameters, returns headers and cookies', async () => {
    const withTag = await fetch(`${host.url}/api/items/42/blue`);
    expect(await withTag.json()).toEqual({ id: '42', tag: 'blue', method: 'GET' });
    expect(withTag.headers.get('x-item-id')).toBe('42');
    expect(withTag.headers.get('set-cookie')).toBe('seen=yes; Path=/; HttpOnly');
    const withoutTag = await fetch(`${host.url}/api/items/7`);
    expect(await withoutTag.json()).toEqual({ id: '7', tag: null, method: 'GET' });
    expect((await fetch(`${host.url}/api/items/abc`)).status).toBe(404);
  });

  it('honours methods: an allowed method runs, another one is a 404', async () => {
    const put = await fetch(`${host.url}/api/items/5`, { method: 'PUT', body: 'payload' });
    expect(put.status).toBe(201);
    expect(await put.json()).toEqual({ id: '5', tag: null, method: 'PUT', body: 'payload' });
    expect((await fetch(`${host.url}/api/items/5`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${host.url}/api/hello/x`, { method: 'POST' })).status).toBe(404);
  });

  it('defaults the route to the function name and passes bodies through', async () => {
    const res = await fetch(`${host.url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"a":1}');
  });

  it('requires a function key for authLevel function', async () => {
    expect((await fetch(`${host.url}/api/secure`)).status).toBe(401);
    expect((await fetch(`${host.url}/api/secure?code=wrong`)).status).toBe(401);
    const key = host.keys.functionKeys.default!;
    const byQuery = await fetch(`${host.url}/api/secure?code=${encodeURIComponent(key)}`);
    expect(byQuery.status).toBe(200);
    expect(await byQuery.text()).toBe('secret');
    const byHeader = await fetch(`${host.url}/api/secure`, { headers: { 'x-functions-key': key } });
    expect(byHeader.status).toBe(200);
    const byMaster = await fetch(`${host.url}/api/secure`, {
      headers: { 'x-functions-key': host.keys.masterKey },
    });
    expect(byMaster.status).toBe(200);
  });

  it('reads the x-functions-key header before ?code=, as Azure does', async () => {
    const key = host.keys.functionKeys.default!;
    const headerWins = await fetch(`${host.url}/api/secure?code=wrong`, {
      headers: { 'x-functions-key': key },
    });
    expect(headerWins.status).toBe(200);
    const wrongHeader = await fetch(`${host.url}/api/secure?code=${encodeURIComponent(key)}`, {
      headers: { 'x-functions-key': 'wrong' },
    });
    expect(wrongHeader.status).toBe(401);
  });

  it("does not list the app's functions at / without the master key", async () => {
    const anonymous = await fetch(`${host.url}/`);
    const text = await anonymous.text();
    expect(text).not.toMatch(/secure|echo|hello/);
    const withFunctionKey = await fetch(`${host.url}/`, {
      headers: { 'x-functions-key': host.keys.functionKeys.default! },
    });
    expect(await withFunctionKey.text()).not.toMatch(/secure|echo|hello/);
    const admin = await fetch(`${host.url}/`, { headers: { 'x-functions-key': host.keys.masterKey } });
    expect(admin.status).toBe(200);
    expect(((await admin.json()) as { functions: string[] }).functions).toEqual(
      expect.arrayContaining(['secure', 'echo']),
    );
  });

  it('requires the master key for authLevel admin', async () => {
    const key = host.keys.functionKeys.default!;
    expect((await fetch(`${host.url}/api/admin-only?code=${key}`)).status).toBe(401);
    expect((await fetch(`${host.url}/api/admin-only?code=${host.keys.masterKey}`)).status).toBe(200);
  });

  it('keeps the generated keys in <stateDir>/keys.json', () => {
    const file = JSON.parse(fs.readFileSync(path.join(stateDir, 'keys.json'), 'utf8')) as unknown;
    expect(file).toEqual({
      masterKey: host.keys.masterKey,
      functionKeys: { default: host.keys.functionKeys.default },
      systemKeys: {
        durabletask_extension: host.keys.systemKeys.durabletask_extension,
        eventgrid_extension: host.keys.systemKeys.eventgrid_extension,
      },
    });
    expect(host.keysFile).toBe(path.join(stateDir, 'keys.json'));
  });

  it('does not open functions with a system key', async () => {
    const { durabletask_extension: durable, eventgrid_extension: eventGrid } = host.keys.systemKeys;
    expect((await fetch(`${host.url}/api/secure?code=${encodeURIComponent(durable)}`)).status).toBe(401);
    expect((await fetch(`${host.url}/api/secure?code=${encodeURIComponent(eventGrid)}`)).status).toBe(401);
  });

  it('answers 500 when a function throws and 404 for unknown paths', async () => {
    expect((await fetch(`${host.url}/api/boom`)).status).toBe(500);
    expect((await fetch(`${host.url}/api/nothing-here`)).status).toBe(404);
  });

  it('runs the app lifecycle hooks around invocations', async () => {
    const stats = (await (await fetch(`${host.url}/api/fixture/hooks`)).json()) as {
      appStarted: boolean;
      preInvocations: number;
      postInvocations: number;
    };
    expect(stats.appStarted).toBe(true);
    expect(stats.preInvocations).toBeGreaterThan(0);
    // Every invocation so far, this one included, went through both hooks (failed ones too).
    expect(stats.postInvocations).toBe(stats.preInvocations);
  });

  it('reports functions with unsupported triggers and lists endpoints', () => {
    expect(host.unsupported).toEqual([{ name: 'nightly', trigger: 'timerTrigger' }]);
    expect(host.endpoints.find((e) => e.name === 'hello')).toEqual({
      name: 'hello',
      trigger: 'httpTrigger',
      methods: ['GET'],
      url: `${host.url}/api/hello/{name}`,
      authLevel: 'anonymous',
    });
  });
});

describe('local host: keys from settings', () => {
  it('uses LOCAL_HOST_FUNCTION_KEY when set', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-keys-'));
    const host = await startHost({
      appDir: fixtureDir,
      port: 0,
      stateDir,
      logger: silentLogger,
      settings: { LOCAL_HOST_FUNCTION_KEY: 'local-test-key' },
    });
    try {
      expect((await fetch(`${host.url}/api/secure?code=local-test-key`)).status).toBe(200);
    } finally {
      await host.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { type RunningHost, startHost } from '../../src/host';
import { silentLogger } from '../../src/hostLogger';

const fixtureDir = path.resolve(__dirname, '../fixtures/http-app');

describe('local host: durable functions through the real DurableClient', () => {
  let host: RunningHost;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-durable-'));
    host = await startHost({ appDir: fixtureDir, port: 0, stateDir, logger: silentLogger });
  });

  const durableKey = (): string => host.keys.systemKeys.durabletask_extension;
  const managementUrl = (rest: string): string => `${host.url}/runtime/webhooks/durabletask/${rest}`;

  async function startGreeting(names: string[]): Promise<Record<string, string>> {
    const start = await fetch(`${host.url}/api/greetings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ names }),
    });
    expect(start.status).toBe(202);
    return (await start.json()) as Record<string, string>;
  }

  afterAll(async () => {
    await host.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts an orchestration from an HTTP starter and its check-status URL reports the output', async () => {
    const start = await fetch(`${host.url}/api/greetings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ names: ['Oslo', 'Lima'] }),
    });
    expect(start.status).toBe(202);
    const payload = (await start.json()) as { id: string; statusQueryGetUri: string };
    expect(payload.statusQueryGetUri.startsWith(`${host.url}/runtime/webhooks/durabletask/`)).toBe(true);
    expect(start.headers.get('location')).toBe(payload.statusQueryGetUri);
    // As on Azure, the URLs handed out carry the durabletask_extension system key.
    expect(new URL(payload.statusQueryGetUri).searchParams.get('code')).toBe(durableKey());
    let status: { runtimeStatus?: string; output?: unknown } = {};
    for (let i = 0; i < 200 && status.runtimeStatus !== 'Completed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      status = (await (await fetch(payload.statusQueryGetUri)).json()) as typeof status;
    }
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual(['Hello Oslo!', 'Hello Lima!']);
  });

  it('refuses the management API without a key or with a function key, naming the key it needs', async () => {
    const list = managementUrl('instances');
    const functionKey = host.keys.functionKeys.default!;
    const refused = [
      await fetch(list),
      await fetch(`${list}?code=${encodeURIComponent(functionKey)}`),
      await fetch(list, { headers: { 'x-functions-key': functionKey } }),
      await fetch(`${list}?code=${encodeURIComponent(host.keys.systemKeys.eventgrid_extension)}`),
      await fetch(`${list}?code=wrong`),
      await fetch(managementUrl('orchestrators/helloSequence'), { method: 'POST', body: '{}' }),
      await fetch(managementUrl('instances/any/terminate?reason=x'), { method: 'POST' }),
      await fetch(`${list}?runtimeStatus=Completed`, { method: 'DELETE' }),
      await fetch(managementUrl('entities/counter/k?op=add'), { method: 'POST', body: '1' }),
    ];
    for (const res of refused) {
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: string };
      expect(body.error).toMatch(/requires the "durabletask_extension" system key or the master key/);
      expect(body.error).toContain(host.keysFile);
      expect(body.error).not.toContain(durableKey());
    }
  });

  it('opens the management API with the system key or the master key, as ?code= or x-functions-key', async () => {
    const list = managementUrl('instances');
    expect((await fetch(`${list}?code=${encodeURIComponent(durableKey())}`)).status).toBe(200);
    expect((await fetch(list, { headers: { 'x-functions-key': durableKey() } })).status).toBe(200);
    expect((await fetch(`${list}?code=${encodeURIComponent(host.keys.masterKey)}`)).status).toBe(200);
    expect((await fetch(list, { headers: { 'x-functions-key': host.keys.masterKey } })).status).toBe(200);
  });

  it('check-status URLs work as returned: status, raise event, terminate, purge', async () => {
    const payload = await startGreeting(['Quito']);
    for (const name of Object.keys(payload).filter((k) => k !== 'id')) {
      expect(
        new URL(payload[name]!.replace('{eventName}', 'e').replace('{text}', 't')).searchParams.get('code'),
      ).toBe(durableKey());
    }
    let status = 0;
    let body: { runtimeStatus?: string } = {};
    for (let i = 0; i < 200 && body.runtimeStatus !== 'Completed'; i++) {
      const res = await fetch(payload.statusQueryGetUri!);
      status = res.status;
      body = (await res.json()) as typeof body;
      if (body.runtimeStatus !== 'Completed') await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect([status, body.runtimeStatus]).toEqual([200, 'Completed']);
    // A finished instance: raising an event or terminating is a 410 (authorized, just too late).
    const raise = await fetch(payload.sendEventPostUri!.replace('{eventName}', 'Late'), {
      method: 'POST',
      body: '1',
    });
    expect(raise.status).toBe(410);
    const terminate = await fetch(payload.terminatePostUri!.replace('{text}', 'late'), { method: 'POST' });
    expect(terminate.status).toBe(410);
    const purge = await fetch(payload.purgeHistoryDeleteUri!, { method: 'DELETE' });
    expect(purge.status).toBe(200);
    expect(await purge.json()).toEqual({ instancesDeleted: 1 });
    expect((await fetch(payload.statusQueryGetUri!)).status).toBe(404);
  });

  it("the management API's own 202 for a started orchestration points at keyed URLs", async () => {
    const res = await fetch(
      managementUrl(`orchestrators/helloSequence?code=${encodeURIComponent(durableKey())}`),
      {
        method: 'POST',
        body: JSON.stringify({ names: ['Pune'] }),
      },
    );
    expect(res.status).toBe(202);
    const payload = (await res.json()) as { statusQueryGetUri: string };
    expect(res.headers.get('location')).toBe(payload.statusQueryGetUri);
    const poll = await fetch(payload.statusQueryGetUri);
    expect([200, 202]).toContain(poll.status);
  });

  it('gives functions a durableClient binding that carries the key, RPC base URL included', () => {
    const binding = host.durable!.clientBinding(host.url) as {
      requiredQueryStringParameters: string;
      rpcBaseUrl: string;
      creationUrls: Record<string, string>;
    };
    const code = `code=${encodeURIComponent(durableKey())}`;
    expect(binding.requiredQueryStringParameters).toContain(code);
    expect(binding.creationUrls.createNewInstancePostUri).toContain(code);
    const rpc = new URL(binding.rpcBaseUrl);
    expect(decodeURIComponent(rpc.password)).toBe(durableKey());
    expect(rpc.pathname).toBe('/runtime/webhooks/durabletask/');
  });

  it('accepts the key as the password of Basic credentials (the DurableClient RPC style)', async () => {
    const basic = (user: string, key: string): string =>
      `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`;
    const list = managementUrl('instances');
    const ok = await fetch(list, {
      headers: { authorization: basic('durabletask_extension', durableKey()) },
    });
    expect(ok.status).toBe(200);
    const bad = await fetch(list, { headers: { authorization: basic('durabletask_extension', 'nope') } });
    expect(bad.status).toBe(401);
  });
});

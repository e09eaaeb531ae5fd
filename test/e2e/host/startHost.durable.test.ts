import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { type RunningHost, startHost } from '../../../src/local/host/host';
import { silentLogger } from '../../../src/local/host/hostLogger';

const fixtureDir = path.resolve(__dirname, '../../fixtures/http-app');

describe('local host: durable functions through the real DurableClient', () => {
  let host: RunningHost;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-durable-'));
    host = await startHost({ appDir: fixtureDir, port: 0, stateDir, logger: silentLogger });
  });

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
    let status: { runtimeStatus?: string; output?: unknown } = {};
    for (let i = 0; i < 200 && status.runtimeStatus !== 'Completed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      status = (await (await fetch(payload.statusQueryGetUri)).json()) as typeof status;
    }
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual(['Hello Oslo!', 'Hello Lima!']);
  });
});

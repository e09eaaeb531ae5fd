import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { type RunningHost, startHost } from '../../src/host';
import { silentLogger } from '../../src/hostLogger';
import { eventGridWebhookUrl } from '../../src/main';

const fixtureDir = path.resolve(__dirname, '../fixtures/http-app');

interface Received {
  id: string;
  type: string;
  attempt: number;
}

function egEvent(id: string, data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    eventType: 'ClusterProvisioner.NodePool.ScaleRequested',
    subject: 'clusters/demo/nodepools/workers',
    eventTime: new Date().toISOString(),
    dataVersion: '1.0',
    data,
  };
}

function cloudEvent(id: string, data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    source: '/clusters/demo',
    type: 'ClusterProvisioner.NodePool.DemandReported',
    specversion: '1.0',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
  };
}

describe('local host: Event Grid webhook', () => {
  let host: RunningHost;
  let stateDir: string;
  let webhook: string;

  beforeAll(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-eg-'));
    host = await startHost({
      appDir: fixtureDir,
      port: 0,
      stateDir,
      logger: silentLogger,
      eventGridRetry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
    });
    // The endpoint the host lists for the function carries the eventgrid_extension key, as on Azure.
    webhook = host.endpoints.find((e) => e.name === 'onEvent')!.url!;
  });

  afterAll(async () => {
    await host.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  async function received(): Promise<Received[]> {
    await host.eventGridIdle();
    return (await (await fetch(`${host.url}/api/fixture/events`)).json()) as Received[];
  }

  it('requires the eventgrid_extension system key or the master key; a function key is not enough', async () => {
    const bare = `${host.url}/runtime/webhooks/eventgrid?functionName=onEvent`;
    const post = (url: string, headers: Record<string, string> = {}, id = 'unkeyed') =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification', ...headers },
        body: JSON.stringify([egEvent(id)]),
      });
    const noKey = await post(bare);
    expect(noKey.status).toBe(401);
    const error = ((await noKey.json()) as { error: string }).error;
    expect(error).toMatch(/eventgrid_extension.*system key or the master key/);
    expect(error).not.toContain(host.keys.systemKeys.eventgrid_extension);
    expect((await post(`${bare}&code=${host.keys.functionKeys.default!}`)).status).toBe(401);
    expect((await post(`${bare}&code=${host.keys.systemKeys.durabletask_extension}`)).status).toBe(401);
    expect((await fetch(bare, { method: 'OPTIONS' })).status).toBe(401);
    expect((await post(`${bare}&code=${host.keys.masterKey}`, {}, 'keyed-master')).status).toBe(200);
    const systemKey = host.keys.systemKeys.eventgrid_extension;
    expect((await post(bare, { 'x-functions-key': systemKey }, 'keyed-header')).status).toBe(200);
    expect(webhook).toBe(`${bare}&code=${encodeURIComponent(systemKey)}`);
    // What `npm start` subscribes the ARM emulator with.
    expect(eventGridWebhookUrl(host, 'onEvent')).toBe(webhook);
    const ids = (await received()).map((e) => e.id);
    expect(ids).toEqual(expect.arrayContaining(['keyed-master', 'keyed-header']));
    expect(ids).not.toContain('unkeyed');
  });

  it('answers the SubscriptionValidation handshake', async () => {
    const res = await fetch(webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-event-type': 'SubscriptionValidation' },
      body: JSON.stringify([
        {
          id: 'v1',
          topic: '/subscriptions/x',
          subject: '',
          eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
          eventTime: new Date().toISOString(),
          data: { validationCode: 'CODE-123', validationUrl: 'https://example.invalid' },
          dataVersion: '2',
          metadataVersion: '1',
        },
      ]),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ validationResponse: 'CODE-123' });
  });

  it('delivers every event of an Event Grid schema batch to the function', async () => {
    const res = await fetch(webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
      body: JSON.stringify([egEvent('eg-1'), egEvent('eg-2'), egEvent('eg-3')]),
    });
    expect(res.status).toBe(200);
    const ids = (await received()).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(['eg-1', 'eg-2', 'eg-3']));
  });

  it('answers the CloudEvents OPTIONS handshake', async () => {
    const res = await fetch(webhook, {
      method: 'OPTIONS',
      headers: { 'WebHook-Request-Origin': 'eventemitter.example.com' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('webhook-allowed-origin')).toBe('eventemitter.example.com');
  });

  it('delivers a single CloudEvent and a CloudEvents batch', async () => {
    const single = await fetch(webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
      body: JSON.stringify(cloudEvent('ce-1')),
    });
    expect(single.status).toBe(200);
    const batch = await fetch(webhook, {
      method: 'POST',
      headers: {
        'content-type': 'application/cloudevents-batch+json; charset=utf-8',
        'aeg-event-type': 'Notification',
      },
      body: JSON.stringify([cloudEvent('ce-2'), cloudEvent('ce-3')]),
    });
    expect(batch.status).toBe(200);
    const events = await received();
    for (const id of ['ce-1', 'ce-2', 'ce-3']) {
      expect(events.find((e) => e.id === id)).toEqual({
        id,
        type: 'ClusterProvisioner.NodePool.DemandReported',
        attempt: 1,
      });
    }
  });

  it('retries a failing event with backoff until it succeeds', async () => {
    await fetch(webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
      body: JSON.stringify([egEvent('flaky-1', { failTimes: 2 })]),
    });
    expect((await received()).find((e) => e.id === 'flaky-1')?.attempt).toBe(3);
  });

  it('dead-letters an event that keeps failing, never dropping it', async () => {
    await fetch(webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
      body: JSON.stringify([egEvent('doomed-1', { alwaysFail: true })]),
    });
    await host.eventGridIdle();
    const lines = fs
      .readFileSync(host.deadLetterFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const record = lines.find((l) => (l.event as { id: string }).id === 'doomed-1')!;
    expect(record).toMatchObject({
      deadLetterReason: 'MaxDeliveryAttemptsExceeded',
      deliveryAttempts: 3,
      functionName: 'onEvent',
      schema: 'EventGridSchema',
    });
    expect(record.lastDeliveryOutcome).toContain('fails on attempt 3');
    expect((await received()).some((e) => e.id === 'doomed-1')).toBe(false);
  });

  it('rejects malformed deliveries and unknown functions without accepting anything', async () => {
    const missingField = await fetch(webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
      body: JSON.stringify([{ id: 'x', subject: 's', eventTime: 't', data: {} }]),
    });
    expect(missingField.status).toBe(400);
    expect(await missingField.json()).toEqual({ error: 'Event 0: "eventType" must be a non-empty string.' });
    const code = encodeURIComponent(host.keys.systemKeys.eventgrid_extension);
    const unknown = await fetch(`${host.url}/runtime/webhooks/eventgrid?functionName=hello&code=${code}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
      body: JSON.stringify([egEvent('nope')]),
    });
    expect(unknown.status).toBe(404);
  });
});

describe('local host: Event Grid journal', () => {
  it('redelivers events accepted before a stop on the next start', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-eg-journal-'));
    try {
      // First host: the event fails once and its retry is far away when the host stops.
      const first = await startHost({
        appDir: fixtureDir,
        port: 0,
        stateDir,
        logger: silentLogger,
        eventGridRetry: { maxAttempts: 5, initialDelayMs: 60_000 },
      });
      const code = encodeURIComponent(first.keys.systemKeys.eventgrid_extension);
      const res = await fetch(`${first.url}/runtime/webhooks/eventgrid?functionName=onEvent&code=${code}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
        body: JSON.stringify([egEvent('survivor', { failTimes: 1 })]),
      });
      expect(res.status).toBe(200);
      await first.close();

      const second = await startHost({
        appDir: fixtureDir,
        port: 0,
        stateDir,
        logger: silentLogger,
        eventGridRetry: { maxAttempts: 5, initialDelayMs: 5 },
      });
      try {
        await second.eventGridIdle();
        const events = (await (await fetch(`${second.url}/api/fixture/events`)).json()) as Received[];
        expect(events.map((e) => e.id)).toEqual(['survivor']);
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

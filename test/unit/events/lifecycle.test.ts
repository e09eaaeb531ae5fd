import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  checkTopicEndpoint,
  type LifecycleEvent,
  lifecycleEventId,
  lifecycleTopicFromEnv,
  publishLifecycleEvent,
  toEventGridEvent,
} from '../../../src/events/lifecycle';

const event: LifecycleEvent = {
  type: 'ProvisioningFailed',
  clusterName: 'demo',
  resourceGroup: 'rg-demo',
  subscriptionId: '00000000-0000-0000-0000-000000000000',
  instanceId: 'cluster-demo',
  occurredAt: '2026-01-02T03:04:05.000Z',
  error: { resource: '/subscriptions/s/x', code: 'QuotaExceeded', message: 'quota' },
};

describe('lifecycle events', () => {
  it('maps to an Event Grid event with a stable GUID id', () => {
    const e = toEventGridEvent(event);
    expect(e).toMatchObject({
      eventType: 'ClusterProvisioner.Cluster.ProvisioningFailed',
      subject: 'clusters/demo',
      dataVersion: '1.0',
      data: { clusterName: 'demo', resourceGroup: 'rg-demo', instanceId: 'cluster-demo', error: event.error },
    });
    expect(e.eventTime.toISOString()).toBe(event.occurredAt);
    expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(lifecycleEventId(event)).toBe(e.id);
    expect(lifecycleEventId({ ...event, type: 'Deleted' })).not.toBe(e.id);
  });

  it('is off unless a topic endpoint is configured', () => {
    expect(lifecycleTopicFromEnv({})).toBeUndefined();
    expect(lifecycleTopicFromEnv({ EVENTGRID_TOPIC_ENDPOINT: ' ' })).toBeUndefined();
    expect(
      lifecycleTopicFromEnv({ EVENTGRID_TOPIC_ENDPOINT: 'https://t', EVENTGRID_TOPIC_KEY: 'k' }),
    ).toEqual({
      endpoint: 'https://t',
      key: 'k',
    });
  });

  it.each([
    ['https://topic.eastus-1.eventgrid.azure.net/api/events', false],
    ['http://127.0.0.1:7071/api/events', true],
    ['http://127.8.9.10/api/events', true],
    ['http://localhost:8080/api/events', true],
    ['http://[::1]:8080/api/events', true],
  ])('accepts %s (insecure: %s)', (endpoint, insecure) => {
    expect(checkTopicEndpoint(endpoint)).toEqual({ allowInsecureConnection: insecure });
  });

  it.each([
    'http://topic.eastus-1.eventgrid.azure.net/api/events',
    'http://10.0.0.4/api/events',
    'http://localhost.example.com/api/events',
    'http://[::2]/api/events',
    'ftp://127.0.0.1/x',
    'not a url',
  ])('refuses %s, naming EVENTGRID_TOPIC_ENDPOINT', (endpoint) => {
    expect(() => checkTopicEndpoint(endpoint)).toThrow(/EVENTGRID_TOPIC_ENDPOINT must/);
  });

  describe('publishing with the real EventGridPublisherClient', () => {
    let server: Server;
    let url: string;
    const received: { headers: IncomingHttpHeaders; body: unknown }[] = [];

    beforeAll(async () => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          res.writeHead(200).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events`;
    });

    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('never publishes over plain http to an address that is not loopback', async () => {
      // 0.0.0.0 reaches this machine's server on Linux, so a regression shows as a received event
      // without any traffic leaving the machine; it is not a loopback address and must be refused.
      const before = received.length;
      await expect(
        publishLifecycleEvent({ endpoint: url.replace('127.0.0.1', '0.0.0.0'), key: 'topic-key' }, event),
      ).rejects.toThrow(/EVENTGRID_TOPIC_ENDPOINT must use https/);
      expect(received).toHaveLength(before);
    });

    it('posts the event in the Event Grid schema with the topic key', async () => {
      await publishLifecycleEvent(
        { endpoint: url, key: 'topic-key' },
        { ...event, type: 'Provisioned', error: undefined, apiServerEndpoint: 'https://1.2.3.4:6443' },
      );
      expect(received).toHaveLength(1);
      expect(received[0]!.headers['aeg-sas-key']).toBe('topic-key');
      expect(received[0]!.body).toEqual([
        expect.objectContaining({
          eventType: 'ClusterProvisioner.Cluster.Provisioned',
          subject: 'clusters/demo',
          dataVersion: '1.0',
          data: expect.objectContaining({ apiServerEndpoint: 'https://1.2.3.4:6443' }) as unknown,
        }),
      ]);
    });
  });
});

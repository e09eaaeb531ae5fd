import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { NodeScalingEventTypes, parseNodeScalingEvent } from '../../../src/events/nodeScalingEvents';
import { buildScalingEvent } from '../../../src/events/publishScalingEvent';
import {
  parseScaleEventArgs,
  runScaleEvent,
  ScaleEventUsageError,
} from '../../../src/events/scaleEventCommand';

interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown[];
}

describe('publishing node-scaling events', () => {
  let server: http.Server;
  let base: string;
  const received: Received[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(text) as unknown[] });
        res.statusCode = 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => (received.length = 0));

  it('sends a demand in the Event Grid schema that the app reads back as sent', async () => {
    const endpoint = `${base}/runtime/webhooks/eventgrid?functionName=nodeScalingEvents&code=k1`;
    const plan = parseScaleEventArgs(
      ['demo', 'pool1', '--required', '4', '--observed-at', '2026-12-02T01:30:00Z', '--removable', 'a, b'],
      { EVENTGRID_SCALING_TOPIC_ENDPOINT: endpoint },
    );
    const line = await runScaleEvent(plan);
    expect(JSON.parse(line)).toMatchObject({ sent: 1, type: NodeScalingEventTypes.demandReported });
    expect(received).toHaveLength(1);
    // The webhook's query (function and key) survives.
    expect(received[0]?.url).toMatch(/functionName=nodeScalingEvents&code=k1/);
    const parsed = parseNodeScalingEvent(received[0]?.body[0]);
    expect(parsed).toMatchObject({
      kind: 'demand',
      envelope: { schema: 'EventGridSchema', subject: 'clusters/demo/nodePools/pool1' },
      data: {
        clusterName: 'demo',
        nodePool: 'pool1',
        requiredNodes: 4,
        observedAt: '2026-12-02T01:30:00.000Z',
        removableNodes: ['a', 'b'],
      },
    });
  });

  it('sends a ScaleRequested as a CloudEvent, repeated with one id', async () => {
    const plan = parseScaleEventArgs(
      ['demo', 'pool1', '--delta=-2', '--schema', 'cloudevents', '--repeat', '3', '--id', 'fixed-1'],
      { EVENTGRID_SCALING_TOPIC_ENDPOINT: base, EVENTGRID_SCALING_TOPIC_KEY: 'secret' },
    );
    await runScaleEvent(plan);
    expect(received[0]?.headers['aeg-sas-key']).toBe('secret');
    expect(received[0]?.headers['content-type']).toMatch(/cloudevents-batch\+json/);
    const events = (received[0]?.body ?? []).map(parseNodeScalingEvent);
    expect(events).toHaveLength(3);
    for (const e of events) {
      expect(e).toMatchObject({
        kind: 'scaleRequested',
        envelope: { schema: 'CloudEventSchemaV1_0', id: 'fixed-1' },
        data: { delta: -2 },
      });
    }
  });

  it.each([
    [['demo'], /a cluster name and a node pool/],
    [['demo', 'p'], /either --required .* or --delta/],
    [['demo', 'p', '--required', '2', '--delta', '1'], /either --required/],
    [['demo', 'p', '--required', 'two'], /--required must be a whole number/],
    [['demo', 'p', '--delta=0'], /--delta must not be 0/],
    [['demo', 'p', '--required', '2', '--schema', 'xml'], /--schema must be eventgrid or cloudevents/],
    [['demo', 'p', '--required', '2', '--observed-at', 'soon'], /--observed-at must be a time/],
  ])('refuses %j with a clear message', (args, message) => {
    expect(() => parseScaleEventArgs(args, { EVENTGRID_SCALING_TOPIC_ENDPOINT: base })).toThrow(message);
  });

  it('needs a topic, and a key for a topic that is not the local host', () => {
    expect(() => parseScaleEventArgs(['d', 'p', '--required', '1'], {})).toThrow(
      /EVENTGRID_SCALING_TOPIC_ENDPOINT/,
    );
    expect(() =>
      parseScaleEventArgs(['d', 'p', '--required', '1'], {
        EVENTGRID_SCALING_TOPIC_ENDPOINT: 'https://t.eastus-1.eventgrid.azure.net/api/events',
      }),
    ).toThrow(ScaleEventUsageError);
  });

  it('refuses plain http to anything but loopback before sending', async () => {
    const plan = parseScaleEventArgs(['d', 'p', '--required', '1', '--key', 'k'], {
      EVENTGRID_SCALING_TOPIC_ENDPOINT: 'http://example.com/api/events',
    });
    await expect(runScaleEvent(plan)).rejects.toThrow(/EVENTGRID_SCALING_TOPIC_ENDPOINT must use https/);
  });

  it('stamps the observation time now unless given', () => {
    const now = new Date('2026-12-02T02:00:00Z');
    const event = buildScalingEvent(
      { kind: 'demand', clusterName: 'c', nodePool: 'p', requiredNodes: 1 },
      { id: 'x', now },
    );
    expect(event.data['observedAt']).toBe('2026-12-02T02:00:00.000Z');
  });
});

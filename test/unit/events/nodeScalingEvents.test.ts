import { MAX_POOL_NODES as SPEC_MAX_POOL_NODES } from '../../../src/cluster/spec';
import {
  MAX_POOL_NODES,
  NodeScalingEventTypes,
  parseNodeScalingEvent,
} from '../../../src/events/nodeScalingEvents';

const demandData = {
  clusterName: 'demo',
  nodePool: 'pool1',
  requiredNodes: 5,
  observedAt: '2026-12-02T01:30:00.250Z',
  removableNodes: ['demo-pool1-3'],
};

const eventGrid = (eventType: string, data: unknown, extra: Record<string, unknown> = {}) => ({
  id: 'evt-1',
  topic: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventGrid/topics/t',
  subject: 'clusters/demo/nodePools/pool1',
  eventType,
  eventTime: '2026-12-02T01:30:01Z',
  data,
  dataVersion: '1.0',
  metadataVersion: '1',
  ...extra,
});

const cloudEvent = (type: string, data: unknown, extra: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id: 'ce-1',
  source: '/clusters/demo',
  type,
  time: '2026-12-02T01:30:01Z',
  datacontenttype: 'application/json',
  data,
  ...extra,
});

describe('parseNodeScalingEvent', () => {
  it('keeps the node limit the spec has', () => {
    expect(MAX_POOL_NODES).toBe(SPEC_MAX_POOL_NODES);
  });

  it('reads a demand in the Event Grid schema', () => {
    const parsed = parseNodeScalingEvent(eventGrid(NodeScalingEventTypes.demandReported, demandData));
    expect(parsed).toEqual({
      kind: 'demand',
      envelope: {
        schema: 'EventGridSchema',
        id: 'evt-1',
        type: NodeScalingEventTypes.demandReported,
        subject: 'clusters/demo/nodePools/pool1',
        source: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventGrid/topics/t',
        time: '2026-12-02T01:30:01Z',
      },
      data: {
        clusterName: 'demo',
        nodePool: 'pool1',
        requiredNodes: 5,
        observedAt: '2026-12-02T01:30:00.250Z',
        observedAtMs: Date.parse('2026-12-02T01:30:00.250Z'),
        removableNodes: ['demo-pool1-3'],
      },
    });
  });

  it('reads the same demand as a CloudEvent, also with data as JSON text or base64', () => {
    const expected = { kind: 'demand', data: { requiredNodes: 5, removableNodes: ['demo-pool1-3'] } };
    expect(parseNodeScalingEvent(cloudEvent(NodeScalingEventTypes.demandReported, demandData))).toMatchObject(
      {
        ...expected,
        envelope: { schema: 'CloudEventSchemaV1_0', id: 'ce-1', source: '/clusters/demo' },
      },
    );
    expect(
      parseNodeScalingEvent(cloudEvent(NodeScalingEventTypes.demandReported, JSON.stringify(demandData))),
    ).toMatchObject(expected);
    const b64 = cloudEvent(NodeScalingEventTypes.demandReported, undefined, {
      data_base64: Buffer.from(JSON.stringify(demandData)).toString('base64'),
    });
    expect(parseNodeScalingEvent(b64)).toMatchObject(expected);
  });

  it('reads a ScaleRequested', () => {
    expect(
      parseNodeScalingEvent(
        eventGrid(NodeScalingEventTypes.scaleRequested, {
          clusterName: 'demo',
          nodePool: 'pool1',
          delta: -2,
        }),
      ),
    ).toMatchObject({ kind: 'scaleRequested', data: { clusterName: 'demo', nodePool: 'pool1', delta: -2 } });
  });

  it('reads an ARM ResourceDeleteSuccess', () => {
    const uri = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/demo-pool1-0';
    expect(
      parseNodeScalingEvent(
        eventGrid(NodeScalingEventTypes.resourceDeleteSuccess, {
          resourceUri: uri,
          operationName: 'Microsoft.Compute/virtualMachines/delete',
          status: 'Succeeded',
        }),
      ),
    ).toMatchObject({ kind: 'resourceDeleted', data: { resourceUri: uri } });
  });

  it('acknowledges other types as unknown', () => {
    expect(parseNodeScalingEvent(eventGrid('Microsoft.Resources.ResourceWriteSuccess', {}))).toMatchObject({
      kind: 'unknownType',
      envelope: { type: 'Microsoft.Resources.ResourceWriteSuccess' },
    });
    expect(parseNodeScalingEvent(cloudEvent('Contoso.Other', null))).toMatchObject({ kind: 'unknownType' });
  });

  const D = NodeScalingEventTypes.demandReported;
  const S = NodeScalingEventTypes.scaleRequested;
  it.each([
    ['not an object', 'hello', /the event must be an object/],
    ['no id', { ...eventGrid(D, demandData), id: '' }, /^id must be a non-empty string/],
    ['no eventType', { ...eventGrid(D, demandData), eventType: undefined }, /^eventType must be/],
    ['CloudEvent 0.3', cloudEvent(D, demandData, { specversion: '0.3' }), /specversion must be "1.0"/],
    ['CloudEvent without source', cloudEvent(D, demandData, { source: undefined }), /^source must be/],
    ['data not an object', eventGrid(D, 7), /data must be an object \(got 7\)/],
    ['data text not JSON', cloudEvent(D, '{oops'), /data is text that is not JSON/],
    [
      'no clusterName',
      eventGrid(D, { ...demandData, clusterName: '' }),
      /data.clusterName must be a non-empty/,
    ],
    ['no nodePool', eventGrid(D, { ...demandData, nodePool: undefined }), /data.nodePool must be/],
    [
      'requiredNodes text',
      eventGrid(D, { ...demandData, requiredNodes: '5' }),
      /data.requiredNodes must be a whole number \(got "5"\)/,
    ],
    [
      'requiredNodes negative',
      eventGrid(D, { ...demandData, requiredNodes: -1 }),
      /between 0 and 1000 \(got -1\)/,
    ],
    ['requiredNodes fraction', eventGrid(D, { ...demandData, requiredNodes: 2.5 }), /whole number/],
    [
      'observedAt without zone',
      eventGrid(D, { ...demandData, observedAt: '2026-12-02T01:30:00' }),
      /data.observedAt must be an RFC 3339 time/,
    ],
    ['observedAt garbage', eventGrid(D, { ...demandData, observedAt: 'yesterday' }), /data.observedAt/],
    [
      'removableNodes not names',
      eventGrid(D, { ...demandData, removableNodes: [1] }),
      /data.removableNodes must be a list/,
    ],
    ['delta 0', eventGrid(S, { clusterName: 'demo', nodePool: 'p', delta: 0 }), /data.delta must not be 0/],
    [
      'delta huge',
      eventGrid(S, { clusterName: 'demo', nodePool: 'p', delta: 5000 }),
      /data.delta must be between -1000 and 1000/,
    ],
    [
      'resourceUri not ARM',
      eventGrid(NodeScalingEventTypes.resourceDeleteSuccess, { resourceUri: 'x' }),
      /data.resourceUri must be an ARM resource id/,
    ],
  ])('refuses %s with a reason naming the field', (_name, event, reason) => {
    const parsed = parseNodeScalingEvent(event);
    expect(parsed.kind).toBe('malformed');
    expect(parsed.kind === 'malformed' ? parsed.reason : '').toMatch(reason);
  });

  it('names the event id and type of a malformed event when it can', () => {
    expect(parseNodeScalingEvent(eventGrid(D, { ...demandData, requiredNodes: -1 }))).toMatchObject({
      kind: 'malformed',
      id: 'evt-1',
      type: D,
    });
  });
});

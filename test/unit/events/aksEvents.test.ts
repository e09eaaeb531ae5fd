/**
 * AKS's Event Grid events: reading them in either schema, and the per-cluster record they build
 * (newest per pool by event time, each event id once).
 */
import { type AksEvent, type AksEventsState, applyAksEvent } from '../../../src/cluster/aksEventState';
import { AksEventTypes, isAksEvent, parseAksEvent } from '../../../src/events/aksEvents';

const CLUSTER =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-demo/providers/Microsoft.ContainerService/managedClusters/aks1';
const NOW = new Date('2026-12-02T12:00:00Z');

function rolling(
  id: string,
  state: 'Started' | 'Succeeded' | 'Failed',
  time: string,
  pool = 'apps',
): AksEvent {
  return { kind: 'nodePoolRolling', id, time, nodePoolName: pool, state };
}

function apply(events: AksEvent[]): { state: AksEventsState | undefined; outcomes: string[] } {
  let state: AksEventsState | undefined;
  const outcomes: string[] = [];
  for (const e of events) {
    const out = applyAksEvent(state, e);
    state = out.state;
    outcomes.push(out.outcome);
  }
  return { state, outcomes };
}

describe('parseAksEvent', () => {
  it('reads a NodePoolRolling event in the Event Grid schema, cluster from the topic', () => {
    const event = {
      id: 'e1',
      topic: CLUSTER,
      subject: 'aks1',
      eventType: AksEventTypes.nodePoolRollingStarted,
      eventTime: '2026-12-02T10:00:00Z',
      data: { nodePoolName: 'apps' },
      dataVersion: '1',
    };
    expect(isAksEvent(event)).toBe(true);
    expect(parseAksEvent(event, NOW)).toEqual({
      kind: 'aks',
      cluster: { id: CLUSTER, resourceGroup: 'rg-demo', name: 'aks1' },
      event: rolling('e1', 'Started', '2026-12-02T10:00:00Z'),
    });
  });

  it('reads NewKubernetesVersionAvailable as a CloudEvent (source is the cluster), preview optional', () => {
    const event = {
      specversion: '1.0',
      id: 'v1',
      source: CLUSTER,
      subject: 'aks1',
      type: AksEventTypes.newKubernetesVersionAvailable,
      time: '2026-12-02T10:00:00Z',
      data: JSON.stringify({
        latestSupportedKubernetesVersion: '1.33.2',
        latestStableKubernetesVersion: '1.33.2',
        lowestMinorKubernetesVersion: '1.32.6',
      }),
    };
    const parsed = parseAksEvent(event, NOW);
    expect(parsed).toMatchObject({
      kind: 'aks',
      event: {
        kind: 'newKubernetesVersionAvailable',
        versions: {
          latestSupportedKubernetesVersion: '1.33.2',
          latestStableKubernetesVersion: '1.33.2',
          lowestMinorKubernetesVersion: '1.32.6',
        },
      },
    });
    expect(parsed.kind === 'aks' && 'versions' in parsed.event && parsed.event.versions).not.toHaveProperty(
      'latestPreviewKubernetesVersion',
    );
  });

  it('uses the arrival time when the event has none', () => {
    const parsed = parseAksEvent(
      {
        id: 'e',
        topic: CLUSTER,
        eventType: AksEventTypes.nodePoolRollingFailed,
        data: { nodePoolName: 'a' },
      },
      NOW,
    );
    expect(parsed).toMatchObject({ kind: 'aks', event: { time: NOW.toISOString(), state: 'Failed' } });
  });

  it.each([
    [{ topic: CLUSTER, data: { nodePoolName: 'a' } }, 'id must be'],
    [{ id: 'x', topic: '/subscriptions/s/resourceGroups/r', data: { nodePoolName: 'a' } }, 'topic must be'],
    [{ id: 'x', topic: CLUSTER, data: {} }, 'data.nodePoolName'],
    [{ id: 'x', topic: CLUSTER, data: { nodePoolName: 7 } }, 'data.nodePoolName'],
    [{ id: 'x', topic: CLUSTER, data: 'not json' }, 'data must be an object'],
    [{ id: 'x', topic: CLUSTER, eventTime: 'yesterday', data: { nodePoolName: 'a' } }, 'eventTime must be'],
  ])('refuses a malformed event naming the field (%#)', (fields, reason) => {
    const parsed = parseAksEvent({ eventType: AksEventTypes.nodePoolRollingSucceeded, ...fields }, NOW);
    expect(parsed).toMatchObject({ kind: 'malformed', reason: expect.stringContaining(reason) as unknown });
  });

  it('leaves other events to the caller', () => {
    expect(isAksEvent({ id: 'x', eventType: 'Microsoft.Resources.ResourceDeleteSuccess' })).toBe(false);
    expect(
      isAksEvent({ specversion: '1.0', id: 'x', type: 'ClusterProvisioner.NodePool.ScaleRequested' }),
    ).toBe(false);
    expect(isAksEvent('text')).toBe(false);
  });
});

describe('applyAksEvent', () => {
  it('keeps the newest state per pool; an older event arriving later changes nothing', () => {
    const { state, outcomes } = apply([
      rolling('s', 'Started', '2026-12-02T10:00:00Z'),
      rolling('ok', 'Succeeded', '2026-12-02T10:05:00Z'),
      rolling('late-start', 'Started', '2026-12-02T10:01:00Z'),
      rolling('sys', 'Started', '2026-12-02T10:02:00Z', 'system'),
    ]);
    expect(outcomes).toEqual(['applied', 'applied', 'stale', 'applied']);
    expect(state?.nodePools).toEqual({
      apps: { state: 'Succeeded', at: '2026-12-02T10:05:00Z', eventId: 'ok' },
      system: { state: 'Started', at: '2026-12-02T10:02:00Z', eventId: 'sys' },
    });
    expect(state?.eventsReceived).toBe(4);
  });

  it('applies an event id once however often it is delivered', () => {
    const first = rolling('f', 'Failed', '2026-12-02T10:00:00Z');
    const { state, outcomes } = apply([first, first, rolling('f', 'Started', '2026-12-02T11:00:00Z')]);
    expect(outcomes).toEqual(['applied', 'duplicate', 'duplicate']);
    expect(state?.nodePools.apps?.state).toBe('Failed');
    expect(state?.eventsReceived).toBe(1);
  });

  it('at the same instant, an outcome beats Started whatever the arrival order', () => {
    const t = '2026-12-02T10:00:00.000Z';
    expect(
      apply([rolling('a', 'Succeeded', t), rolling('b', 'Started', t)]).state?.nodePools.apps?.state,
    ).toBe('Succeeded');
    expect(
      apply([rolling('b', 'Started', t), rolling('a', 'Succeeded', t)]).state?.nodePools.apps?.state,
    ).toBe('Succeeded');
  });

  it('compares times across zones and fractions, not as text', () => {
    const { state } = apply([
      rolling('a', 'Started', '2026-12-02T10:00:00.500+01:00'),
      rolling('b', 'Succeeded', '2026-12-02T09:30:00Z'),
    ]);
    expect(state?.nodePools.apps?.eventId).toBe('b');
  });

  it('keeps the newest version announcement', () => {
    const versions = (latest: string) => ({
      latestSupportedKubernetesVersion: latest,
      latestStableKubernetesVersion: latest,
      lowestMinorKubernetesVersion: '1.32.6',
    });
    const { state, outcomes } = apply([
      {
        kind: 'newKubernetesVersionAvailable',
        id: 'n2',
        time: '2026-12-02T10:00:00Z',
        versions: versions('1.34.1'),
      },
      {
        kind: 'newKubernetesVersionAvailable',
        id: 'n1',
        time: '2026-12-01T10:00:00Z',
        versions: versions('1.33.2'),
      },
    ]);
    expect(outcomes).toEqual(['applied', 'stale']);
    expect(state?.newKubernetesVersionAvailable).toMatchObject({
      latestStableKubernetesVersion: '1.34.1',
      eventId: 'n2',
    });
  });

  it('remembers a bounded number of ids', () => {
    let state: AksEventsState | undefined;
    for (let i = 0; i < 600; i++)
      state = applyAksEvent(state, rolling(`e${i}`, 'Started', new Date(i * 1000).toISOString())).state;
    expect(state?.seenEventIds.length).toBe(500);
    expect(state?.eventsReceived).toBe(600);
  });
});

/**
 * What AKS told us about a managed cluster through Event Grid, per cluster: each node pool's latest
 * rolling state (`Microsoft.ContainerService.NodePoolRolling{Started,Succeeded,Failed}`) and the newest
 * Kubernetes versions announced (`Microsoft.ContainerService.NewKubernetesVersionAvailable`).
 *
 * Pure: the `aksEvents` entity (functions/aksEventsEntity.ts) applies one event at a time with
 * `applyAksEvent`. Event Grid delivers at least once and in no particular order, so:
 * - an event id already applied is not applied again (duplicates change nothing);
 * - per pool (and for versions) the event with the newest event time wins; an older one that arrives
 *   later is stale and changes nothing. At equal times an outcome (Succeeded/Failed) beats Started.
 */

export type NodePoolRollingState = 'Started' | 'Succeeded' | 'Failed';

export interface NodePoolRolling {
  state: NodePoolRollingState;
  /** The event's time (ISO 8601), as AKS stamped it. */
  at: string;
  eventId: string;
}

/** `ContainerServiceNewKubernetesVersionAvailableEventData`, with when and which event said so. */
export interface KubernetesVersionsAvailable {
  /** The highest patch of the highest minor version the cluster can move to. */
  latestSupportedKubernetesVersion: string;
  /** The highest patch of the minor version considered stable. */
  latestStableKubernetesVersion: string;
  /** The highest patch of the lowest applicable minor version. */
  lowestMinorKubernetesVersion: string;
  /** The highest preview version, when there is one. */
  latestPreviewKubernetesVersion?: string;
  at: string;
  eventId: string;
}

/** The part users read (status `aksEvents`). */
export interface AksEventsView {
  nodePools: Record<string, NodePoolRolling>;
  newKubernetesVersionAvailable?: KubernetesVersionsAvailable;
  /** Distinct events received (a redelivery is not counted; a stale event is, though it changes nothing). */
  eventsReceived: number;
}

export interface AksEventsState extends AksEventsView {
  /** The last event ids seen, newest last (bounded): a redelivery is recognised and skipped. */
  seenEventIds: string[];
}

export type AksEvent =
  | { kind: 'nodePoolRolling'; id: string; time: string; nodePoolName: string; state: NodePoolRollingState }
  | {
      kind: 'newKubernetesVersionAvailable';
      id: string;
      time: string;
      versions: Omit<KubernetesVersionsAvailable, 'at' | 'eventId'>;
    };

export type AksEventOutcome = 'applied' | 'duplicate' | 'stale';

/** Event Grid retries for up to 24 hours; this many ids covers every redelivery of a busy cluster's events. */
export const MAX_SEEN_EVENT_IDS = 500;

export function emptyAksEventsState(): AksEventsState {
  return { nodePools: {}, eventsReceived: 0, seenEventIds: [] };
}

const RANK: Record<NodePoolRollingState, number> = { Started: 0, Succeeded: 1, Failed: 1 };

/** Whether `next` (time, rank) is newer than what is recorded. */
function isNewer(nextTime: string, recordedTime: string, nextRank = 0, recordedRank = 0): boolean {
  const a = Date.parse(nextTime);
  const b = Date.parse(recordedTime);
  if (a !== b) return a > b;
  return nextRank > recordedRank;
}

export function applyAksEvent(
  previous: AksEventsState | undefined,
  event: AksEvent,
): { state: AksEventsState; outcome: AksEventOutcome } {
  const state = previous ?? emptyAksEventsState();
  if (state.seenEventIds.includes(event.id)) return { state, outcome: 'duplicate' };
  const seenEventIds = [...state.seenEventIds, event.id].slice(-MAX_SEEN_EVENT_IDS);
  const next: AksEventsState = { ...state, seenEventIds, eventsReceived: state.eventsReceived + 1 };
  if (event.kind === 'nodePoolRolling') {
    const recorded = state.nodePools[event.nodePoolName];
    if (recorded && !isNewer(event.time, recorded.at, RANK[event.state], RANK[recorded.state])) {
      return { state: next, outcome: 'stale' };
    }
    next.nodePools = {
      ...state.nodePools,
      [event.nodePoolName]: { state: event.state, at: event.time, eventId: event.id },
    };
    return { state: next, outcome: 'applied' };
  }
  const recorded = state.newKubernetesVersionAvailable;
  if (recorded && !isNewer(event.time, recorded.at)) return { state: next, outcome: 'stale' };
  next.newKubernetesVersionAvailable = { ...event.versions, at: event.time, eventId: event.id };
  return { state: next, outcome: 'applied' };
}

/** The user's view of the state (without the bookkeeping). */
export function aksEventsView(state: AksEventsState): AksEventsView {
  return {
    nodePools: state.nodePools,
    ...(state.newKubernetesVersionAvailable
      ? { newKubernetesVersionAvailable: state.newKubernetesVersionAvailable }
      : {}),
    eventsReceived: state.eventsReceived,
  };
}

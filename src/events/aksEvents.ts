/**
 * AKS's own Event Grid events, delivered to the app's Event Grid function (a system topic of type
 * `Microsoft.ContainerService.ManagedClusters` on Azure; the ARM emulator's publisher locally):
 *
 * - `Microsoft.ContainerService.NodePoolRollingStarted` / `...Succeeded` / `...Failed`,
 *   data `{ nodePoolName }` (ContainerServiceNodePoolRolling*EventData);
 * - `Microsoft.ContainerService.NewKubernetesVersionAvailable`, data `{ latestSupportedKubernetesVersion,
 *   latestStableKubernetesVersion, lowestMinorKubernetesVersion, latestPreviewKubernetesVersion? }`.
 *
 * The event's topic (CloudEvents: `source`) is the managed cluster's ARM id; its subject is the
 * cluster's name. Each one is recorded in the cluster's `aksEvents` entity (see
 * cluster/aksEventState.ts) and shows in `GET /api/clusters/{name}` as `aksEvents`. An event for a
 * cluster this app did not create (or has deleted) is logged and acknowledged; a malformed one is
 * logged with the reason and acknowledged (retrying cannot fix it).
 */
import type {
  ContainerServiceNewKubernetesVersionAvailableEventData,
  ContainerServiceNodePoolRollingEventData,
} from '@azure/eventgrid';
import type { InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import * as df from 'durable-functions';

import {
  type AksEvent,
  type AksEventsState,
  type AksEventsView,
  aksEventsView,
  type NodePoolRollingState,
} from '../cluster/aksEventState';
import { readClusterRecord } from '../functions/scaling/clusterRecord';

export const AksEventTypes = {
  nodePoolRollingStarted: 'Microsoft.ContainerService.NodePoolRollingStarted',
  nodePoolRollingSucceeded: 'Microsoft.ContainerService.NodePoolRollingSucceeded',
  nodePoolRollingFailed: 'Microsoft.ContainerService.NodePoolRollingFailed',
  newKubernetesVersionAvailable: 'Microsoft.ContainerService.NewKubernetesVersionAvailable',
} as const;

const ROLLING: Record<string, NodePoolRollingState> = {
  [AksEventTypes.nodePoolRollingStarted]: 'Started',
  [AksEventTypes.nodePoolRollingSucceeded]: 'Succeeded',
  [AksEventTypes.nodePoolRollingFailed]: 'Failed',
};

/** The entity holding a cluster's AKS events (key: the cluster's name). */
export const AKS_EVENTS_ENTITY = 'aksEvents';
export const AksEventsOperations = { apply: 'apply', end: 'end' } as const;

export function aksEventsEntityId(clusterName: string): df.EntityId {
  return new df.EntityId(AKS_EVENTS_ENTITY, clusterName);
}

export type ParsedAksEvent =
  | { kind: 'aks'; cluster: ManagedClusterRef; event: AksEvent }
  | { kind: 'malformed'; reason: string; id?: string; type?: string };

export interface ManagedClusterRef {
  /** The managed cluster's ARM id, as the event named it. */
  id: string;
  resourceGroup: string;
  name: string;
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The event's type from either schema, or undefined (not an event, or no type). */
function typeOf(event: unknown): string | undefined {
  if (!isRecord(event)) return undefined;
  return text('specversion' in event ? event['type'] : event['eventType']);
}

/** Whether this is one of AKS's events this app records (cheap: looks at the type only). */
export function isAksEvent(event: unknown): boolean {
  const type = typeOf(event);
  return type !== undefined && (type in ROLLING || type === AksEventTypes.newKubernetesVersionAvailable);
}

const MANAGED_CLUSTER_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)$/i;

function clusterRef(value: string | undefined): ManagedClusterRef | undefined {
  const m = value !== undefined ? MANAGED_CLUSTER_ID.exec(value) : null;
  return m ? { id: value ?? '', resourceGroup: m[1] ?? '', name: m[2] ?? '' } : undefined;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;
const MAX_ID = 256;
const MAX_FIELD = 64;

function dataOf(raw: unknown): Json | undefined {
  let value = raw;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  return isRecord(value) ? value : undefined;
}

function field(data: Json, name: string, required: boolean): string | undefined {
  const value = data[name];
  if (value === undefined || value === null) {
    if (required) throw new Error(`data.${name} must be a non-empty string`);
    return undefined;
  }
  if (typeof value !== 'string' || value === '' || value.length > MAX_FIELD) {
    throw new Error(`data.${name} must be a non-empty string of at most ${MAX_FIELD} characters`);
  }
  return value;
}

/**
 * Reads one AKS event (either schema). `now` stands in for the event time when the event has none
 * (Event Grid always sets it). Never throws.
 */
export function parseAksEvent(event: unknown, now: Date): ParsedAksEvent {
  if (!isRecord(event)) return { kind: 'malformed', reason: 'the event must be an object' };
  const cloud = 'specversion' in event;
  const id = text(event['id']);
  const type = typeOf(event);
  const malformed = (reason: string): ParsedAksEvent => ({
    kind: 'malformed',
    reason,
    ...(id !== undefined ? { id: id.slice(0, MAX_ID) } : {}),
    ...(type !== undefined ? { type } : {}),
  });
  if (id === undefined) return malformed('id must be a non-empty string');
  if (id.length > MAX_ID) return malformed(`id is longer than ${MAX_ID} characters`);
  if (type === undefined) return malformed(`${cloud ? 'type' : 'eventType'} must be a non-empty string`);
  const source = text(cloud ? event['source'] : event['topic']);
  const subject = text(event['subject']);
  const cluster = clusterRef(source) ?? clusterRef(subject);
  if (!cluster) {
    return malformed(
      `${cloud ? 'source' : 'topic'} must be the managed cluster's ARM id (/subscriptions/…/providers/Microsoft.ContainerService/managedClusters/<name>)`,
    );
  }
  const rawTime = event[cloud ? 'time' : 'eventTime'];
  let time: string;
  if (rawTime instanceof Date) time = rawTime.toISOString();
  else if (rawTime === undefined || rawTime === null || rawTime === '') time = now.toISOString();
  else if (typeof rawTime === 'string' && RFC3339.test(rawTime) && !Number.isNaN(Date.parse(rawTime)))
    time = rawTime;
  else return malformed(`${cloud ? 'time' : 'eventTime'} must be an RFC 3339 time with a zone`);
  const data = dataOf(event['data']);
  if (!data) return malformed('data must be an object');
  try {
    const rolling = ROLLING[type];
    if (rolling) {
      const d: ContainerServiceNodePoolRollingEventData = {
        nodePoolName: field(data, 'nodePoolName', true) ?? '',
      };
      return {
        kind: 'aks',
        cluster,
        event: { kind: 'nodePoolRolling', id, time, nodePoolName: d.nodePoolName, state: rolling },
      };
    }
    const latestPreview = field(data, 'latestPreviewKubernetesVersion', false);
    const d: Partial<ContainerServiceNewKubernetesVersionAvailableEventData> = {
      latestSupportedKubernetesVersion: field(data, 'latestSupportedKubernetesVersion', true),
      latestStableKubernetesVersion: field(data, 'latestStableKubernetesVersion', true),
      lowestMinorKubernetesVersion: field(data, 'lowestMinorKubernetesVersion', true),
    };
    return {
      kind: 'aks',
      cluster,
      event: {
        kind: 'newKubernetesVersionAvailable',
        id,
        time,
        versions: {
          latestSupportedKubernetesVersion: d.latestSupportedKubernetesVersion ?? '',
          latestStableKubernetesVersion: d.latestStableKubernetesVersion ?? '',
          lowestMinorKubernetesVersion: d.lowestMinorKubernetesVersion ?? '',
          ...(latestPreview !== undefined ? { latestPreviewKubernetesVersion: latestPreview } : {}),
        },
      },
    };
  } catch (err) {
    return malformed(err instanceof Error ? err.message : String(err));
  }
}

/**
 * Handles the event when it is one of AKS's (returns true: recorded, ignored or malformed, always
 * acknowledged); returns false for any other event, which the caller handles. Only a failure of the
 * durable store throws, so that Event Grid retries the delivery.
 */
export async function handleAksEvent(
  event: unknown,
  client: DurableClient,
  context: InvocationContext,
): Promise<boolean> {
  if (!isAksEvent(event)) return false;
  const parsed = parseAksEvent(event, new Date());
  if (parsed.kind === 'malformed') {
    context.error(
      `rejected malformed event${parsed.id !== undefined ? ` ${parsed.id}` : ''}${parsed.type !== undefined ? ` (${parsed.type})` : ''}: ${parsed.reason}`,
    );
    return true;
  }
  const { cluster, event: aks } = parsed;
  const what = `${typeOf(event) ?? ''} ${aks.id}`;
  const record = await readClusterRecord(client, cluster.name);
  const ours =
    record !== undefined &&
    !record.deleted &&
    record.input.plan.resources.some((r) => r.id.toLowerCase() === cluster.id.toLowerCase());
  if (!ours) {
    context.warn(`ignored ${what}: ${cluster.id} is not a managed cluster of a cluster this app provisioned`);
    return true;
  }
  // The entity applies events one at a time, skips ids it has seen and keeps the newest per pool.
  await client.signalEntity(aksEventsEntityId(cluster.name), AksEventsOperations.apply, aks);
  context.log(`accepted ${what} for cluster "${cluster.name}"`);
  return true;
}

/** What AKS said about the cluster, for its status; undefined before any event. */
export async function readAksEvents(
  client: DurableClient,
  clusterName: string,
): Promise<AksEventsView | undefined> {
  const entity = await client.readEntityState<AksEventsState>(aksEventsEntityId(clusterName));
  return entity.entityExists && entity.entityState ? aksEventsView(entity.entityState) : undefined;
}

/**
 * The events that resize node pools, as the Event Grid trigger hands them over: one event per
 * invocation, in the Event Grid schema (`{ id, topic, subject, eventType, eventTime, data, dataVersion }`)
 * or as a CloudEvent 1.0 (`{ specversion, id, source, type, time?, data }`). See the node-scaling
 * contract in docs/ and ARCHITECTURE.md:
 *
 * - `ClusterProvisioner.NodePool.DemandReported` `{ clusterName, nodePool, requiredNodes, observedAt,
 *   removableNodes? }`: level-triggered; the newest `observedAt` wins.
 * - `ClusterProvisioner.NodePool.ScaleRequested` `{ clusterName, nodePool, delta }`: edge-triggered,
 *   applied once per event id.
 * - `Microsoft.Resources.ResourceDeleteSuccess` (ARM, via a subscription on the resource group or
 *   subscription): a cluster's resource was deleted; the app repairs.
 *
 * Parsing is pure and total: every input gives a classification, never an exception, so the function
 * that calls it can always log and answer.
 */
import type { ResourceDeleteSuccessEventData } from '@azure/eventgrid';

/**
 * The spec's MAX_POOL_NODES (a test keeps them equal). Not imported: the spec module loads zod, and
 * this module is on the Event Grid function's cold path.
 */
export const MAX_POOL_NODES = 1000;

export const NodeScalingEventTypes = {
  demandReported: 'ClusterProvisioner.NodePool.DemandReported',
  scaleRequested: 'ClusterProvisioner.NodePool.ScaleRequested',
  resourceDeleteSuccess: 'Microsoft.Resources.ResourceDeleteSuccess',
} as const;

export type EventSchemaName = 'EventGridSchema' | 'CloudEventSchemaV1_0';

/** What every event carries, whatever its schema. */
export interface EventEnvelope {
  schema: EventSchemaName;
  id: string;
  type: string;
  /** Event Grid `subject`, or the CloudEvent's `subject` when it has one. */
  subject?: string;
  /** Event Grid `topic`, or the CloudEvent's `source`. */
  source?: string;
  /** ISO 8601, when the event says. */
  time?: string;
}

export interface DemandReported {
  clusterName: string;
  nodePool: string;
  requiredNodes: number;
  /** ISO 8601 as sent; `observedAtMs` is its instant. */
  observedAt: string;
  observedAtMs: number;
  removableNodes: string[];
}

export interface ScaleRequested {
  clusterName: string;
  nodePool: string;
  delta: number;
}

/** The ARM fields the app acts on (`ResourceDeleteSuccessEventData` has more). */
export type ResourceDeleted = Pick<ResourceDeleteSuccessEventData, 'resourceUri'> &
  Partial<Pick<ResourceDeleteSuccessEventData, 'operationName' | 'correlationId'>>;

export type ParsedNodeScalingEvent =
  | { kind: 'demand'; envelope: EventEnvelope; data: DemandReported }
  | { kind: 'scaleRequested'; envelope: EventEnvelope; data: ScaleRequested }
  | { kind: 'resourceDeleted'; envelope: EventEnvelope; data: ResourceDeleted }
  /** A well-formed event of a type this app does not handle: acknowledged. */
  | { kind: 'unknownType'; envelope: EventEnvelope }
  /** Not an event this app can read, with the reason (naming the field); `id`/`type` when readable. */
  | { kind: 'malformed'; reason: string; id?: string; type?: string };

/** Ids are kept (and logged); a longer one is refused rather than truncated. */
export const MAX_EVENT_ID_LENGTH = 256;
/** Names a demand may list as removable (a pool has at most MAX_POOL_NODES nodes). */
export const MAX_REMOVABLE_NODES = MAX_POOL_NODES;
/** |delta| of one ScaleRequested. */
export const MAX_SCALE_DELTA = MAX_POOL_NODES;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Malformed extends Error {}

function nonEmptyString(source: Json, field: string, where: string, max = 256): string {
  const value = source[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Malformed(`${where}${field} must be a non-empty string`);
  }
  if (value.length > max) throw new Malformed(`${where}${field} is longer than ${max} characters`);
  return value;
}

function optionalString(source: Json, field: string): string | undefined {
  const value = source[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function integer(source: Json, field: string, min: number, max: number): number {
  const value = source[field];
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new Malformed(`data.${field} must be a whole number (got ${describe(value)})`);
  }
  if (value < min || value > max) {
    throw new Malformed(`data.${field} must be between ${min} and ${max} (got ${value})`);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `"${value.slice(0, 40)}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/** RFC 3339 with a time zone: `2026-12-02T01:30:00Z`, `...+01:00`, fractions allowed. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

function timestamp(source: Json, field: string): { text: string; ms: number } {
  const value = source[field];
  const ms = typeof value === 'string' && RFC3339.test(value) ? Date.parse(value) : Number.NaN;
  if (typeof value !== 'string' || Number.isNaN(ms)) {
    throw new Malformed(
      `data.${field} must be an RFC 3339 time with a zone such as 2026-12-02T01:30:00Z (got ${describe(value)})`,
    );
  }
  return { text: value, ms };
}

/** The event's own fields, from either schema. */
function envelopeOf(event: Json): { envelope: EventEnvelope; data: unknown } {
  if ('specversion' in event) {
    if (event['specversion'] !== '1.0') {
      throw new Malformed(`specversion must be "1.0" (got ${describe(event['specversion'])})`);
    }
    const id = nonEmptyString(event, 'id', '', MAX_EVENT_ID_LENGTH);
    const type = nonEmptyString(event, 'type', '');
    const source = nonEmptyString(event, 'source', '', 1024);
    const subject = optionalString(event, 'subject');
    const time = optionalString(event, 'time');
    let data: unknown = event['data'];
    if (data === undefined && typeof event['data_base64'] === 'string') {
      data = Buffer.from(event['data_base64'], 'base64').toString('utf8');
    }
    return {
      envelope: {
        schema: 'CloudEventSchemaV1_0',
        id,
        type,
        source,
        ...(subject !== undefined ? { subject } : {}),
        ...(time !== undefined ? { time } : {}),
      },
      data,
    };
  }
  const id = nonEmptyString(event, 'id', '', MAX_EVENT_ID_LENGTH);
  const type = nonEmptyString(event, 'eventType', '');
  const subject = optionalString(event, 'subject');
  const source = optionalString(event, 'topic');
  const time =
    event['eventTime'] instanceof Date
      ? event['eventTime'].toISOString()
      : optionalString(event, 'eventTime');
  return {
    envelope: {
      schema: 'EventGridSchema',
      id,
      type,
      ...(subject !== undefined ? { subject } : {}),
      ...(source !== undefined ? { source } : {}),
      ...(time !== undefined ? { time } : {}),
    },
    data: event['data'],
  };
}

/** `data` as an object: publishers that send JSON text (CloudEvents with a string body) are read too. */
function dataObject(data: unknown): Json {
  let value = data;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      throw new Malformed('data is text that is not JSON');
    }
  }
  if (!isRecord(value)) throw new Malformed(`data must be an object (got ${describe(value)})`);
  return value;
}

function parseDemand(data: Json): DemandReported {
  const clusterName = nonEmptyString(data, 'clusterName', 'data.');
  const nodePool = nonEmptyString(data, 'nodePool', 'data.');
  const requiredNodes = integer(data, 'requiredNodes', 0, MAX_POOL_NODES);
  const observedAt = timestamp(data, 'observedAt');
  const removable = data['removableNodes'];
  let removableNodes: string[] = [];
  if (removable !== undefined && removable !== null) {
    if (!Array.isArray(removable) || !removable.every((n) => typeof n === 'string' && n !== '')) {
      throw new Malformed('data.removableNodes must be a list of node names');
    }
    if (removable.length > MAX_REMOVABLE_NODES) {
      throw new Malformed(`data.removableNodes lists more than ${MAX_REMOVABLE_NODES} nodes`);
    }
    removableNodes = [...new Set(removable as string[])];
  }
  return {
    clusterName,
    nodePool,
    requiredNodes,
    observedAt: observedAt.text,
    observedAtMs: observedAt.ms,
    removableNodes,
  };
}

function parseScaleRequested(data: Json): ScaleRequested {
  const clusterName = nonEmptyString(data, 'clusterName', 'data.');
  const nodePool = nonEmptyString(data, 'nodePool', 'data.');
  const delta = integer(data, 'delta', -MAX_SCALE_DELTA, MAX_SCALE_DELTA);
  if (delta === 0) throw new Malformed('data.delta must not be 0');
  return { clusterName, nodePool, delta };
}

function parseResourceDeleted(data: Json): ResourceDeleted {
  const resourceUri = nonEmptyString(data, 'resourceUri', 'data.', 2048);
  if (!resourceUri.startsWith('/subscriptions/')) {
    throw new Malformed('data.resourceUri must be an ARM resource id (/subscriptions/...)');
  }
  const operationName = optionalString(data, 'operationName');
  const correlationId = optionalString(data, 'correlationId');
  return {
    resourceUri,
    ...(operationName !== undefined ? { operationName } : {}),
    ...(correlationId !== undefined ? { correlationId } : {}),
  };
}

/** Classifies one delivered event. Never throws. */
export function parseNodeScalingEvent(event: unknown): ParsedNodeScalingEvent {
  if (!isRecord(event))
    return { kind: 'malformed', reason: `the event must be an object (got ${describe(event)})` };
  let envelope: EventEnvelope;
  let data: unknown;
  try {
    ({ envelope, data } = envelopeOf(event));
  } catch (err) {
    const id = typeof event['id'] === 'string' ? event['id'].slice(0, MAX_EVENT_ID_LENGTH) : undefined;
    return { kind: 'malformed', reason: reasonOf(err), ...(id !== undefined ? { id } : {}) };
  }
  const malformed = (err: unknown): ParsedNodeScalingEvent => ({
    kind: 'malformed',
    reason: reasonOf(err),
    id: envelope.id,
    type: envelope.type,
  });
  try {
    switch (envelope.type) {
      case NodeScalingEventTypes.demandReported:
        return { kind: 'demand', envelope, data: parseDemand(dataObject(data)) };
      case NodeScalingEventTypes.scaleRequested:
        return { kind: 'scaleRequested', envelope, data: parseScaleRequested(dataObject(data)) };
      case NodeScalingEventTypes.resourceDeleteSuccess:
        return { kind: 'resourceDeleted', envelope, data: parseResourceDeleted(dataObject(data)) };
      default:
        return { kind: 'unknownType', envelope };
    }
  } catch (err) {
    return malformed(err);
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof Malformed) return err.message;
  // Not expected (parsing only throws Malformed), but a reason is better than a crash.
  return `unreadable event: ${err instanceof Error ? err.message : String(err)}`;
}

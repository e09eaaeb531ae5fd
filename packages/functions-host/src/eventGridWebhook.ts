import type { EventSchema } from './EventGridDispatcher';

/**
 * Parsing and validation of what Event Grid POSTs to `/runtime/webhooks/eventgrid`: Event Grid schema
 * batches (`aeg-event-type: Notification`), the `SubscriptionValidation` handshake, and CloudEvents 1.0 in
 * structured mode, single (`application/cloudevents+json`) or batched (`application/cloudevents-batch+json`).
 */

export class EventGridRequestError extends Error {
  override readonly name = 'EventGridRequestError';
}

export type ParsedEventGridRequest =
  | { kind: 'validation'; validationCode: string }
  | { kind: 'deletion' }
  | { kind: 'events'; schema: EventSchema; events: Record<string, unknown>[] };

const VALIDATION_EVENT = 'Microsoft.EventGrid.SubscriptionValidationEvent';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(event: Record<string, unknown>, field: string, index: number): void {
  if (typeof event[field] !== 'string' || event[field] === '') {
    throw new EventGridRequestError(`Event ${index}: "${field}" must be a non-empty string.`);
  }
}

export interface ParseOptions {
  /** Topic stamped on Event Grid schema events that arrive without one (the service adds it on delivery). */
  defaultTopic: string;
}

export function parseEventGridRequest(
  headers: Record<string, string>,
  body: string,
  options: ParseOptions,
): ParsedEventGridRequest {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new EventGridRequestError('The request body is not valid JSON.');
  }
  const eventType = (headers['aeg-event-type'] ?? '').toLowerCase();
  const contentType = (headers['content-type'] ?? '').toLowerCase();
  const items: unknown[] = Array.isArray(json) ? json : [json];
  if (items.length === 0) throw new EventGridRequestError('The request contains no events.');
  if (!items.every(isRecord)) throw new EventGridRequestError('Every event must be a JSON object.');
  const events = items;

  if (eventType === 'subscriptionvalidation') {
    const validation = events.find((e) => e.eventType === VALIDATION_EVENT) ?? events[0]!;
    const data = validation.data;
    const code = isRecord(data) ? data.validationCode : undefined;
    if (typeof code !== 'string' || code === '') {
      throw new EventGridRequestError('SubscriptionValidation event has no data.validationCode.');
    }
    return { kind: 'validation', validationCode: code };
  }
  if (eventType === 'subscriptiondeletion') return { kind: 'deletion' };

  const isCloudEvents =
    contentType.startsWith('application/cloudevents') ||
    (!contentType.includes('eventgrid') && events.every((e) => 'specversion' in e));
  if (contentType.startsWith('application/cloudevents+json') && Array.isArray(json)) {
    throw new EventGridRequestError(
      'application/cloudevents+json carries one event; use cloudevents-batch+json.',
    );
  }
  if (isCloudEvents) {
    events.forEach((event, index) => {
      for (const field of ['id', 'source', 'type', 'specversion']) requireString(event, field, index);
      if (event.specversion !== '1.0') {
        throw new EventGridRequestError(`Event ${index}: "specversion" must be "1.0".`);
      }
    });
    return { kind: 'events', schema: 'CloudEventSchemaV1_0', events };
  }
  const stamped = events.map((event, index) => {
    for (const field of ['id', 'eventType', 'subject', 'eventTime']) requireString(event, field, index);
    if (!('data' in event)) throw new EventGridRequestError(`Event ${index}: "data" is required.`);
    return {
      ...event,
      topic: typeof event.topic === 'string' && event.topic !== '' ? event.topic : options.defaultTopic,
      dataVersion: typeof event.dataVersion === 'string' ? event.dataVersion : '',
      metadataVersion: '1',
    };
  });
  return { kind: 'events', schema: 'EventGridSchema', events: stamped };
}

/**
 * `POST /api/events/scaling`: an Event Grid WebHook endpoint for the node-scaling events (and ARM's
 * resource events), for subscriptions that want a malformed event refused with `400`. The Event Grid
 * trigger (`nodeScalingEvents`) cannot do that: its webhook belongs to the Functions host, which answers
 * Event Grid itself, so a malformed event there is logged and acknowledged.
 *
 * A delivery (Event Grid schema or CloudEvents 1.0, single or batched) is validated whole before any of
 * it is applied: one malformed event refuses the batch with `400`, naming each bad event's id and field,
 * and nothing of it is applied. Event Grid does not retry a `400` (it dead-letters the batch, or drops
 * it without a dead-letter destination), so keep the subscription's default of one event per batch: then
 * a malformed event never takes valid ones with it. A dead-lettered batch may be published again once the
 * bad event is taken out: scale requests apply once per event id and an older demand changes nothing.
 * A valid batch is applied event by event and answered `200`; `500` (retried by Event Grid) only when the
 * durable store fails. Also answers the subscription handshakes: Event Grid's `SubscriptionValidation`
 * and the CloudEvents abuse-protection `OPTIONS` request.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import * as df from 'durable-functions';

import { parseNodeScalingEvent } from '../events/nodeScalingEvents';
import { handleDeliveredEvent } from './nodeScalingEvents';
import { sweepFinishedPoolRequests } from './scaling/purgeRequests';

/** Event Grid batches hold at most 5,000 events (and 1 MB). */
export const MAX_EVENTS_PER_DELIVERY = 5000;
const MAX_BODY_BYTES = 1024 * 1024;

const json = (status: number, body: unknown): HttpResponseInit => ({
  status,
  jsonBody: body,
  headers: { 'content-type': 'application/json' },
});

interface Rejected {
  index: number;
  id?: string;
  type?: string;
  reason: string;
}

export async function scalingWebhook(
  request: HttpRequest,
  client: DurableClient,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  if (request.method === 'OPTIONS') {
    // CloudEvents webhook validation: allow the origin that asks.
    const origin = request.headers.get('webhook-request-origin');
    if (!origin)
      return json(400, { error: { code: 'BadRequest', message: 'WebHook-Request-Origin is required' } });
    return { status: 200, headers: { 'webhook-allowed-origin': origin, allow: 'POST' } };
  }
  const text = await request.text();
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    return json(413, { error: { code: 'PayloadTooLarge', message: 'a delivery is at most 1 MB' } });
  }
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    context.error('rejected a delivery: the body is not JSON');
    return json(400, {
      error: { code: 'BadRequest', message: 'the body must be a JSON event or array of events' },
    });
  }
  const events: unknown[] = Array.isArray(body) ? body : [body];
  if (events.length === 0 || events.length > MAX_EVENTS_PER_DELIVERY) {
    return json(400, {
      error: { code: 'BadRequest', message: `a delivery holds 1 to ${MAX_EVENTS_PER_DELIVERY} events` },
    });
  }
  if ((request.headers.get('aeg-event-type') ?? '').toLowerCase() === 'subscriptionvalidation') {
    const first = events[0] as { data?: { validationCode?: unknown } } | undefined;
    const code = first?.data?.validationCode;
    if (typeof code !== 'string' || code === '') {
      return json(400, { error: { code: 'BadRequest', message: 'data.validationCode is required' } });
    }
    context.log('answered an Event Grid subscription validation');
    return json(200, { validationResponse: code });
  }

  // Validate the whole delivery first: a batch is applied entirely or not at all.
  const rejected: Rejected[] = [];
  events.forEach((event, index) => {
    const parsed = parseNodeScalingEvent(event);
    if (parsed.kind !== 'malformed') return;
    rejected.push({
      index,
      ...(parsed.id !== undefined ? { id: parsed.id } : {}),
      ...(parsed.type !== undefined ? { type: parsed.type } : {}),
      reason: parsed.reason,
    });
  });
  if (rejected.length > 0) {
    for (const r of rejected) {
      context.error(
        `rejected malformed event ${r.id ?? `#${r.index}`}${r.type !== undefined ? ` (${r.type})` : ''}: ${r.reason}`,
      );
    }
    context.error(
      `rejected a delivery of ${events.length} event(s) with 400: ${rejected.length} malformed, none applied`,
    );
    return json(400, {
      error: {
        code: 'MalformedEvents',
        message: `${rejected.length} of ${events.length} event(s) are malformed; none was applied`,
      },
      rejected,
    });
  }

  let accepted = 0;
  let ignored = 0;
  for (const event of events) {
    const outcome = await handleDeliveredEvent(event, client, context);
    if (outcome === 'accepted') accepted++;
    else ignored++;
  }
  await sweepFinishedPoolRequests(client, context);
  return json(200, { accepted, ignored });
}

df.app.client.http('nodeScalingWebhook', {
  route: 'events/scaling',
  methods: ['POST', 'OPTIONS'],
  authLevel: 'function',
  handler: scalingWebhook,
});

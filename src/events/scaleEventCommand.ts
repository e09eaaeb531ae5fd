/**
 * `cli scale-event`: publishes one DemandReported or ScaleRequested event. Kept apart from the CLI's
 * command table so the table only needs a one-line hook.
 */
import { parseArgs } from 'node:util';

import type { EventSchemaName } from './nodeScalingEvents';
import {
  buildScalingEvent,
  publishScalingEvents,
  SCALING_TOPIC_ENDPOINT_SETTING,
  SCALING_TOPIC_KEY_SETTING,
  type ScalingEventRequest,
  type ScalingTopic,
} from './publishScalingEvent';

export const SCALE_EVENT_USAGE =
  'scale-event <cluster> <pool> (--required <n> [--observed-at <time>] [--removable <node,...>] | --delta=<n>) ' +
  '[--endpoint <url>] [--key <key>] [--schema eventgrid|cloudevents] [--id <id>] [--repeat <n>]';

export const SCALE_EVENT_SUMMARY =
  'Publish a node-scaling event with @azure/eventgrid: DemandReported (--required) or ScaleRequested (--delta). ' +
  `The topic is --endpoint/--key, else ${SCALING_TOPIC_ENDPOINT_SETTING}/${SCALING_TOPIC_KEY_SETTING}; for the local ` +
  'host use its Event Grid webhook URL (printed at start, with functionName and code). --repeat sends the same ' +
  'event (same id) several times, as Event Grid may.';

/** Bad arguments: the CLI prints the usage and exits 2. */
export class ScaleEventUsageError extends Error {
  override readonly name = 'ScaleEventUsageError';
}

export interface ScaleEventPlan {
  topic: ScalingTopic;
  request: ScalingEventRequest;
  id?: string;
  repeat: number;
}

function wholeNumber(value: string, option: string, min: number): number {
  if (!/^-?\d+$/.test(value) || Number(value) < min) {
    throw new ScaleEventUsageError(`${option} must be a whole number ≥ ${min} (got "${value}")`);
  }
  return Number(value);
}

export function parseScaleEventArgs(
  args: string[],
  env: Readonly<Record<string, string | undefined>>,
): ScaleEventPlan {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        required: { type: 'string' },
        'observed-at': { type: 'string' },
        removable: { type: 'string' },
        delta: { type: 'string' },
        endpoint: { type: 'string' },
        key: { type: 'string' },
        schema: { type: 'string' },
        id: { type: 'string' },
        repeat: { type: 'string' },
      },
    });
  } catch (err) {
    throw new ScaleEventUsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [clusterName, nodePool, ...extra] = positionals;
  if (clusterName === undefined || nodePool === undefined) {
    throw new ScaleEventUsageError('scale-event needs a cluster name and a node pool name');
  }
  if (extra.length > 0) throw new ScaleEventUsageError(`unexpected arguments: ${extra.join(' ')}`);
  if ((values.required === undefined) === (values.delta === undefined)) {
    throw new ScaleEventUsageError('give either --required (a demand) or --delta (a scale request)');
  }
  let request: ScalingEventRequest;
  if (values.required !== undefined) {
    let observedAt: Date | undefined;
    if (values['observed-at'] !== undefined) {
      observedAt = new Date(values['observed-at']);
      if (Number.isNaN(observedAt.getTime())) {
        throw new ScaleEventUsageError(`--observed-at must be a time such as 2026-12-02T01:30:00Z`);
      }
    }
    const removable = (values.removable ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    request = {
      kind: 'demand',
      clusterName,
      nodePool,
      requiredNodes: wholeNumber(values.required, '--required', 0),
      ...(observedAt ? { observedAt } : {}),
      ...(removable.length > 0 ? { removableNodes: removable } : {}),
    };
  } else {
    const delta = wholeNumber(values.delta ?? '', '--delta', -Infinity);
    if (delta === 0) throw new ScaleEventUsageError('--delta must not be 0');
    request = { kind: 'scale', clusterName, nodePool, delta };
  }
  const endpoint = values.endpoint ?? env[SCALING_TOPIC_ENDPOINT_SETTING]?.trim();
  if (!endpoint) {
    throw new ScaleEventUsageError(
      `no topic: pass --endpoint or set ${SCALING_TOPIC_ENDPOINT_SETTING} (for the local host, its Event Grid webhook URL)`,
    );
  }
  const key = values.key ?? env[SCALING_TOPIC_KEY_SETTING]?.trim();
  const loopback = /^http:\/\/(?:127\.|localhost[:/]|\[::1\])/i.test(endpoint);
  if (!key && !loopback) {
    throw new ScaleEventUsageError(`no topic key: pass --key or set ${SCALING_TOPIC_KEY_SETTING}`);
  }
  const schemaName = (values.schema ?? 'eventgrid').toLowerCase();
  if (schemaName !== 'eventgrid' && schemaName !== 'cloudevents') {
    throw new ScaleEventUsageError(`--schema must be eventgrid or cloudevents (got "${values.schema}")`);
  }
  const schema: EventSchemaName = schemaName === 'eventgrid' ? 'EventGridSchema' : 'CloudEventSchemaV1_0';
  const repeat = values.repeat === undefined ? 1 : wholeNumber(values.repeat, '--repeat', 1);
  return {
    // The local host authorizes with the URL's `code`; the client still needs some key to send.
    topic: { endpoint, key: key || 'local', schema },
    request,
    ...(values.id !== undefined ? { id: values.id } : {}),
    repeat,
  };
}

/** Publishes the event (`repeat` times, same id); returns the line to print. */
export async function runScaleEvent(plan: ScaleEventPlan): Promise<string> {
  const event = buildScalingEvent(plan.request, plan.id !== undefined ? { id: plan.id } : {});
  await publishScalingEvents(
    plan.topic,
    Array.from({ length: plan.repeat }, () => event),
  );
  return `${JSON.stringify({ sent: plan.repeat, id: event.id, type: event.type, subject: event.subject, data: event.data })}\n`;
}

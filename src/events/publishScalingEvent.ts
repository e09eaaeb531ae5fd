/**
 * Publishing node-scaling events (what an in-cluster demand reporter, or an operator, sends) with the
 * real `EventGridPublisherClient`: to an Event Grid topic on Azure, or straight to the local host's
 * Event Grid webhook (its URL carries the function name and key as query parameters, which the
 * client keeps). Used by `cli scale-event`.
 */
import { randomUUID } from 'node:crypto';

import { checkTopicEndpoint } from './lifecycle';
import { type EventSchemaName, NodeScalingEventTypes } from './nodeScalingEvents';

export type ScalingEventRequest =
  | {
      kind: 'demand';
      clusterName: string;
      nodePool: string;
      requiredNodes: number;
      /** Defaults to now. */
      observedAt?: Date;
      removableNodes?: string[];
    }
  | { kind: 'scale'; clusterName: string; nodePool: string; delta: number };

/** The setting names the CLI reads the topic from. */
export const SCALING_TOPIC_ENDPOINT_SETTING = 'EVENTGRID_SCALING_TOPIC_ENDPOINT';
export const SCALING_TOPIC_KEY_SETTING = 'EVENTGRID_SCALING_TOPIC_KEY';

export interface ScalingTopic {
  endpoint: string;
  /** Topic access key; on the local host any value works (the URL's `code` authorizes). */
  key: string;
  schema: EventSchemaName;
}

export interface BuiltScalingEvent {
  id: string;
  type: string;
  subject: string;
  time: Date;
  data: Record<string, unknown>;
}

export function buildScalingEvent(
  request: ScalingEventRequest,
  options: { id?: string; now?: Date } = {},
): BuiltScalingEvent {
  const now = options.now ?? new Date();
  const subject = `clusters/${request.clusterName}/nodePools/${request.nodePool}`;
  const common = { clusterName: request.clusterName, nodePool: request.nodePool };
  const data: Record<string, unknown> =
    request.kind === 'demand'
      ? {
          ...common,
          requiredNodes: request.requiredNodes,
          observedAt: (request.observedAt ?? now).toISOString(),
          ...(request.removableNodes && request.removableNodes.length > 0
            ? { removableNodes: request.removableNodes }
            : {}),
        }
      : { ...common, delta: request.delta };
  return {
    id: options.id ?? randomUUID(),
    type:
      request.kind === 'demand' ? NodeScalingEventTypes.demandReported : NodeScalingEventTypes.scaleRequested,
    subject,
    time: now,
    data,
  };
}

/** Sends events in one request. Throws before sending for an endpoint that is neither https nor loopback. */
export async function publishScalingEvents(topic: ScalingTopic, events: BuiltScalingEvent[]): Promise<void> {
  const options = checkTopicEndpoint(topic.endpoint, SCALING_TOPIC_ENDPOINT_SETTING);
  const [{ EventGridPublisherClient }, { AzureKeyCredential }] = await Promise.all([
    import('@azure/eventgrid'),
    import('@azure/core-auth'),
  ]);
  const credential = new AzureKeyCredential(topic.key);
  if (topic.schema === 'CloudEventSchemaV1_0') {
    const client = new EventGridPublisherClient(topic.endpoint, 'CloudEvent', credential, options);
    await client.send(
      events.map((e) => ({
        id: e.id,
        type: e.type,
        source: `/clusterProvisioner/${e.subject}`,
        subject: e.subject,
        time: e.time,
        data: e.data,
      })),
    );
  } else {
    const client = new EventGridPublisherClient(topic.endpoint, 'EventGrid', credential, options);
    await client.send(
      events.map((e) => ({
        id: e.id,
        eventType: e.type,
        subject: e.subject,
        eventTime: e.time,
        dataVersion: '1.0',
        data: e.data,
      })),
    );
  }
}

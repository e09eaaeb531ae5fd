/**
 * Cluster lifecycle events, published to an Event Grid topic (Event Grid schema) when one is
 * configured with `EVENTGRID_TOPIC_ENDPOINT` (and `EVENTGRID_TOPIC_KEY`, else Entra ID through
 * `DefaultAzureCredential`). Subscribers get:
 *   ClusterProvisioner.Cluster.Provisioned | .ProvisioningFailed | .Deleted
 * with subject `clusters/<name>` and data `{ clusterName, resourceGroup, subscriptionId, instanceId,
 * apiServerEndpoint?, error? }`.
 */
import { createHash } from 'node:crypto';

export const LIFECYCLE_EVENT_PREFIX = 'ClusterProvisioner.Cluster.';

export interface LifecycleEvent {
  type: 'Provisioned' | 'ProvisioningFailed' | 'Deleted';
  clusterName: string;
  resourceGroup: string;
  subscriptionId: string;
  instanceId: string;
  /** ISO 8601. */
  occurredAt: string;
  apiServerEndpoint?: string;
  error?: { resource: string; code: string; message: string };
}

export interface LifecycleEventGridEvent {
  id: string;
  eventType: string;
  subject: string;
  eventTime: Date;
  dataVersion: string;
  data: Record<string, unknown>;
}

/**
 * A stable event id (a GUID derived from instance, type and time): an activity retried after a crash
 * sends the same id again, which subscribers can deduplicate.
 */
export function lifecycleEventId(e: LifecycleEvent): string {
  const h = createHash('sha256').update(`${e.instanceId}|${e.type}|${e.occurredAt}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function toEventGridEvent(e: LifecycleEvent): LifecycleEventGridEvent {
  const data: Record<string, unknown> = {
    clusterName: e.clusterName,
    resourceGroup: e.resourceGroup,
    subscriptionId: e.subscriptionId,
    instanceId: e.instanceId,
  };
  if (e.apiServerEndpoint) data['apiServerEndpoint'] = e.apiServerEndpoint;
  if (e.error) data['error'] = e.error;
  return {
    id: lifecycleEventId(e),
    eventType: `${LIFECYCLE_EVENT_PREFIX}${e.type}`,
    subject: `clusters/${e.clusterName}`,
    eventTime: new Date(e.occurredAt),
    dataVersion: '1.0',
    data,
  };
}

export interface LifecycleTopicSettings {
  endpoint: string;
  key?: string;
}

/** The configured topic, or undefined when publishing is off. */
export function lifecycleTopicFromEnv(env: NodeJS.ProcessEnv): LifecycleTopicSettings | undefined {
  const endpoint = env['EVENTGRID_TOPIC_ENDPOINT']?.trim();
  if (!endpoint) return undefined;
  const key = env['EVENTGRID_TOPIC_KEY']?.trim();
  return key ? { endpoint, key } : { endpoint };
}

/** Sends one event through the real `EventGridPublisherClient` (loaded on first use). */
export async function publishLifecycleEvent(
  topic: LifecycleTopicSettings,
  event: LifecycleEvent,
): Promise<void> {
  const { EventGridPublisherClient } = await import('@azure/eventgrid');
  const options = { allowInsecureConnection: topic.endpoint.startsWith('http://') };
  let client;
  if (topic.key) {
    const { AzureKeyCredential } = await import('@azure/core-auth');
    client = new EventGridPublisherClient(
      topic.endpoint,
      'EventGrid',
      new AzureKeyCredential(topic.key),
      options,
    );
  } else {
    const { DefaultAzureCredential } = await import('@azure/identity');
    client = new EventGridPublisherClient(topic.endpoint, 'EventGrid', new DefaultAzureCredential(), options);
  }
  await client.send([toEventGridEvent(event)]);
}

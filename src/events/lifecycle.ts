/**
 * Cluster lifecycle events, published to an Event Grid topic (Event Grid schema) when one is
 * configured with `EVENTGRID_TOPIC_ENDPOINT` (and `EVENTGRID_TOPIC_KEY`, else Entra ID through
 * `DefaultAzureCredential`). Subscribers get:
 *   ClusterProvisioner.Cluster.Provisioned | .ProvisioningFailed | .Deleted
 * with subject `clusters/<name>` and data `{ clusterName, resourceGroup, subscriptionId, instanceId,
 * apiServerEndpoint?, error? }`.
 */
import { createHash } from 'node:crypto';

import type { ResourceFailure } from '../cluster/failure';

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
  error?: ResourceFailure;
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

/** The topic endpoint is misconfigured; the message names `EVENTGRID_TOPIC_ENDPOINT`. */
export class LifecycleTopicError extends Error {
  override readonly name = 'LifecycleTopicError';
}

/** 127.0.0.0/8, localhost and [::1]: the only hosts plain http may reach (a local test receiver). */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && m.slice(1).every((octet) => Number(octet) <= 255);
}

/**
 * Whether the endpoint may be used, and over plain http: https anywhere; http only to loopback, since
 * the topic key (or an Entra token) and the events would otherwise cross the network in clear.
 */
export function checkTopicEndpoint(endpoint: string): { allowInsecureConnection: boolean } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (err) {
    throw new LifecycleTopicError('EVENTGRID_TOPIC_ENDPOINT must be an https URL', { cause: err });
  }
  if (url.protocol === 'https:') return { allowInsecureConnection: false };
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return { allowInsecureConnection: true };
  throw new LifecycleTopicError(
    `EVENTGRID_TOPIC_ENDPOINT must use https (plain http is only allowed to localhost, 127.0.0.0/8 or [::1]); got ${url.protocol}//${url.host}`,
  );
}

/**
 * Sends one event through the real `EventGridPublisherClient` (loaded on first use). Throws
 * `LifecycleTopicError`, before sending anything, for an endpoint that is neither https nor loopback.
 */
export async function publishLifecycleEvent(
  topic: LifecycleTopicSettings,
  event: LifecycleEvent,
): Promise<void> {
  const options = checkTopicEndpoint(topic.endpoint);
  const { EventGridPublisherClient } = await import('@azure/eventgrid');
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

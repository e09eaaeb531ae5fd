/**
 * `GET /api/clusters/{name}/topology`: one cluster as the status page draws it (nodes per zone with
 * their states, subnets and NSGs, load balancer, API endpoint, failure with a hint).
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';
import * as df from 'durable-functions';

import type { ClusterStatusBody } from '../api/schemas';
import type * as Topology from '../api/topology';
import { readAksEvents } from '../events/aksEvents';
import { clusterInstanceId } from './shared/clusterStatus';
import { clusterView, operationInputOf } from './shared/clusterView';
import { NODE_PROGRESS_ENTITY, type NodeProgressState } from './shared/nodeProgress';

async function statusOf(
  client: DurableClient,
  name: string,
): Promise<DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(clusterInstanceId(name), { showInput: true });
  } catch (err) {
    if (err instanceof Error && /\b404\b/.test(err.message)) return undefined;
    throw err;
  }
}

/** Names of the nodes ready in the cluster's current run (the `clusterProgress` entity), by zone. */
async function readyNodes(client: DurableClient, name: string, runId: string | undefined) {
  if (!runId) return {};
  const entity = await client.readEntityState<NodeProgressState>(new df.EntityId(NODE_PROGRESS_ENTITY, name));
  const state = entity.entityExists ? entity.entityState : undefined;
  return state && state.runId === runId ? state.ready : {};
}

async function topology(request: HttpRequest, client: DurableClient): Promise<HttpResponseInit> {
  const name = request.params['name'] ?? '';
  const status = await statusOf(client, name);
  const json = (code: number, body: unknown): HttpResponseInit => ({
    status: code,
    jsonBody: body,
    headers: { 'content-type': 'application/json' },
  });
  if (!status) {
    return json(404, {
      error: { code: 'ClusterNotFound', message: `no cluster named "${name}"; GET /api/clusters lists them` },
    });
  }
  const input = operationInputOf(status);
  const ready = await readyNodes(client, name, input?.requestedAt);
  const view = clusterView(name, status);
  // Live node progress, as GET /api/clusters/{name} shows it.
  for (const [zone, progress] of Object.entries(view.zones ?? {})) {
    progress.nodesReady = Math.min(
      progress.nodesTotal,
      Math.max(progress.nodesReady, ready[zone]?.length ?? 0),
    );
  }
  if (input?.plan.cluster.type === 'aks' && view.operation !== 'delete') {
    const aksEvents = await readAksEvents(client, name);
    if (aksEvents) view.aksEvents = aksEvents;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on use, not at app start
  const { clusterTopology } = require('../api/topology') as typeof Topology;
  // The view is what GET /api/clusters/{name} answers; the OpenAPI tests check it fits ClusterStatus.
  return json(200, clusterTopology(view as ClusterStatusBody, input?.plan, ready));
}

df.app.client.http('clustersTopology', {
  route: 'clusters/{name}/topology',
  methods: ['GET'],
  authLevel: 'function',
  handler: topology,
});

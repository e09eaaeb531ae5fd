/**
 * `POST /api/clusters/{name}/nodepools/{pool}/scale` `{ "count": n }`: an explicit size for a pool,
 * through the same entity as events (never delayed by the scale-in cooldown). 202 with the durable
 * check-status payload of the request; 400 for a bad body or a count outside [minCount, maxCount]
 * (naming the bounds); 404 for an unknown cluster or pool; 409 while the cluster is being created or
 * deleted.
 */
import { randomUUID } from 'node:crypto';

import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import * as df from 'durable-functions';

import { ScalingSettingError } from '../cluster/scaling/poolScalingView';
import { isScaleSetPool, poolConfigOf, readClusterRecord } from './scaling/clusterRecord';
import { sweepFinishedPoolRequests } from './scaling/purgeRequests';
import { poolRequestInstanceId, startPoolRequest } from './scaling/startPoolRequest';

const problem = (status: number, code: string, message: string): HttpResponseInit => ({
  status,
  jsonBody: { error: { code, message } },
  headers: { 'content-type': 'application/json' },
});

const badRequest = (path: string, message: string): HttpResponseInit => ({
  status: 400,
  jsonBody: { errors: [{ path, message }] },
  headers: { 'content-type': 'application/json' },
});

async function scalePool(
  request: HttpRequest,
  client: DurableClient,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const name = request.params['name'] ?? '';
  const pool = request.params['pool'] ?? '';
  let body: unknown;
  try {
    body = JSON.parse(await request.text()) as unknown;
  } catch {
    return badRequest('', 'the body must be JSON such as {"count": 5}');
  }
  const count =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['count'] : undefined;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    return badRequest('count', 'required: a whole number of nodes ≥ 0');
  }
  const record = await readClusterRecord(client, name);
  if (!record || (record.deleted && !record.active)) {
    return problem(404, 'ClusterNotFound', `no cluster named "${name}"`);
  }
  if (record.active) {
    return problem(
      409,
      'OperationInProgress',
      `cluster "${name}" is being ${record.operation === 'delete' ? 'deleted' : 'provisioned'}; scale it when that has finished`,
    );
  }
  if (isScaleSetPool(record, pool)) {
    return problem(
      409,
      'NodePoolScaleNotSupported',
      `node pool "${pool}" of cluster "${name}" is built as Flexible scale sets: change its count in the spec and POST the spec again (nodes are added to the emptiest zones and removed one by one from the fullest)`,
    );
  }
  const config = poolConfigOf(record, pool);
  if (!config) return problem(404, 'NodePoolNotFound', `cluster "${name}" has no node pool "${pool}"`);
  if (count < config.minCount || count > config.maxCount) {
    return badRequest(
      'count',
      `must be between minCount ${config.minCount} and maxCount ${config.maxCount} of node pool "${pool}" (got ${count})`,
    );
  }
  const requestId = randomUUID();
  let instanceId: string | undefined;
  try {
    instanceId = await startPoolRequest(
      client,
      config,
      { op: 'setCount', source: { kind: 'request', id: requestId }, count },
      poolRequestInstanceId(config, 'req', requestId),
    );
  } catch (err) {
    if (err instanceof ScalingSettingError) return problem(500, 'InvalidSetting', err.message);
    throw err;
  }
  if (!instanceId) return problem(500, 'StartFailed', 'could not start the scale request; try again');
  context.log(`scale request ${requestId}: ${name}/${pool} to ${count} nodes as ${instanceId}`);
  await sweepFinishedPoolRequests(client, context);
  return client.createCheckStatusResponse(request, instanceId);
}

df.app.client.http('nodePoolsScale', {
  route: 'clusters/{name}/nodepools/{pool}/scale',
  methods: ['POST'],
  authLevel: 'function',
  handler: scalePool,
});

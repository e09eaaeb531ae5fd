/**
 * Shared by the Event Grid function and the HTTP route: read a pool's scaling state, and hand a
 * request to the pool through a `nodePoolRequest` orchestration.
 */
import { createHash } from 'node:crypto';

import type { DurableClient } from 'durable-functions';
import * as df from 'durable-functions';

import {
  type AgentPoolSize,
  initialState,
  type NodePoolConfig,
  type NodePoolRequest,
  type NodePoolState,
} from '../../cluster/scaling/nodePoolState';
import {
  type PoolScalingView,
  poolScalingView,
  scaleInCooldownSeconds,
} from '../../cluster/scaling/poolScalingView';
import { isInstanceConflict } from '../shared/startConflict';
import { type ClusterRecord, poolConfigOf } from './clusterRecord';
import {
  NODE_POOL_INSTANCE_PREFIX,
  nodePoolKey,
  type NodePoolRequestInput,
  ScalingFunctions,
} from './scalingFunctions';

export async function readPoolState(
  client: DurableClient,
  clusterName: string,
  pool: string,
): Promise<NodePoolState | undefined> {
  const response = await client.readEntityState<NodePoolState>(
    new df.EntityId(ScalingFunctions.nodePoolEntity, nodePoolKey(clusterName, pool)),
  );
  return response.entityExists ? response.entityState : undefined;
}

/** `nodepool-<cluster>-<pool>-<kind>-<digest>`: one instance per event id, so a redelivery in flight is refused. */
export function poolRequestInstanceId(config: NodePoolConfig, kind: 'evt' | 'req', key: string): string {
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 20);
  return `${NODE_POOL_INSTANCE_PREFIX}${config.clusterName}-${config.pool}-${kind}-${digest}`;
}

/**
 * Starts the request's orchestration. Returns its instance id, or undefined when the same event is
 * already being handled (a redelivery: the entity would ignore it anyway).
 */
export async function startPoolRequest(
  client: DurableClient,
  config: NodePoolConfig,
  request: NodePoolRequest,
  instanceId: string,
): Promise<string | undefined> {
  const input: NodePoolRequestInput = {
    request,
    config,
    // Read per request: a malformed setting fails the request naming it (500 / a logged error).
    cooldownSeconds: scaleInCooldownSeconds(process.env),
  };
  try {
    return await client.startNew(ScalingFunctions.nodePoolRequest, { instanceId, input });
  } catch (err) {
    if (isInstanceConflict(err)) return undefined;
    throw err;
  }
}

/**
 * Per pool of the cluster's spec: desired and actual nodes per zone and the last scaling decision.
 * A pool never scaled shows its provisioned nodes.
 */
export async function nodePoolViews(
  client: DurableClient,
  record: ClusterRecord,
  /** AKS: reads the agent pool's live size (the autoscaler moves it without telling anyone). */
  liveAgentPool?: (pool: string) => Promise<AgentPoolSize | undefined>,
): Promise<Record<string, PoolScalingView>> {
  const views: Record<string, PoolScalingView> = {};
  await Promise.all(
    record.spec.nodePools.map(async (pool) => {
      const config = poolConfigOf(record, pool.name);
      if (!config) return;
      const state = await readPoolState(client, record.name, pool.name);
      // A state from before the cluster's last provisioning is replaced by it at the next request.
      let current = state && state.generation === config.generation ? state : initialState(config);
      const live = current.agentPool && liveAgentPool ? await liveAgentPool(pool.name) : undefined;
      if (live) current = { ...current, agentPool: live };
      views[pool.name] = poolScalingView(current);
    }),
  );
  return views;
}

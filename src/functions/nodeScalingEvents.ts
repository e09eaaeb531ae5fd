/**
 * The Event Grid function (Event Grid schema or CloudEvents 1.0): node-scaling demand and scale
 * requests resize pools; ARM's ResourceDeleteSuccess for a node's VM or NIC brings its pool back to
 * size, and for any other owned resource the cluster is repaired. Every event is answered: unknown types, clusters and pools are logged and acknowledged, a
 * malformed event is logged with the reason and acknowledged (retrying cannot fix it; a malformed
 * *delivery* — not JSON, no id — is refused with 400 by the Event Grid webhook before it gets here).
 * Only a failure of the durable store throws, so that Event Grid retries the delivery.
 */
import { createHash } from 'node:crypto';

import type { InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import * as df from 'durable-functions';

import type { NodePoolRequest } from '../cluster/scaling/nodePoolState';
import { handleAksEvent } from '../events/aksEvents';
import { aksNodeResourceOf } from '../events/aksNodeResources';
import { type EventEnvelope, parseNodeScalingEvent, type ResourceDeleted } from '../events/nodeScalingEvents';
import { type ClusterRecord, poolConfigOf, readClusterRecord } from './scaling/clusterRecord';
import { sweepFinishedPoolRequests } from './scaling/purgeRequests';
import {
  NODE_POOL_INSTANCE_PREFIX,
  type RepairClusterInput,
  RepairFunctions,
  ScalingFunctions,
} from './scaling/scalingFunctions';
import { poolRequestInstanceId, readPoolState, startPoolRequest } from './scaling/startPoolRequest';
import { isInstanceConflict } from './shared/startConflict';

type Outcome = 'accepted' | 'ignored';

async function handlePoolEvent(
  client: DurableClient,
  context: InvocationContext,
  envelope: EventEnvelope,
  clusterName: string,
  pool: string,
  request: NodePoolRequest,
  check?: (state: NonNullable<Awaited<ReturnType<typeof readPoolState>>>) => string | undefined,
): Promise<Outcome> {
  const what = `${envelope.type} ${envelope.id}`;
  const record = await readClusterRecord(client, clusterName);
  if (!record || record.deleted) {
    context.warn(`ignored ${what}: no cluster named "${clusterName}"`);
    return 'ignored';
  }
  const config = poolConfigOf(record, pool);
  if (!config) {
    context.warn(`ignored ${what}: cluster "${clusterName}" has no node pool "${pool}"`);
    return 'ignored';
  }
  // Cheap checks first: a stale demand or a repeated event needs no orchestration (the entity would
  // refuse it too; it stays the authority).
  const state = check ? await readPoolState(client, clusterName, pool) : undefined;
  const reason = state && check ? check(state) : undefined;
  if (reason) {
    context.log(`ignored ${what} for ${clusterName}/${pool}: ${reason}`);
    return 'ignored';
  }
  const started = await startPoolRequest(
    client,
    config,
    request,
    poolRequestInstanceId(config, 'evt', `${envelope.source ?? ''}|${envelope.id}`),
  );
  context.log(
    started
      ? `accepted ${what} for ${clusterName}/${pool} as ${started}`
      : `ignored ${what} for ${clusterName}/${pool}: the same event is being handled`,
  );
  return started ? 'accepted' : 'ignored';
}

/** `/subscriptions/s/resourceGroups/rg/providers/<ns>/<type>/<name>[/...]` → its parts. */
function parseResourceUri(uri: string): { resourceGroup: string; type: string; name: string } | undefined {
  const m = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/([^/]+\/[^/]+)\/([^/]+)/i.exec(uri);
  return m ? { resourceGroup: m[1] ?? '', type: m[2] ?? '', name: m[3] ?? '' } : undefined;
}

/** Cluster names the resource's name may start with (`demo-general-3-nic` → demo-general-3, demo-general, demo). */
function clusterCandidates(name: string): string[] {
  const parts = name.split('-');
  return parts.slice(1).map((_, i) => parts.slice(0, parts.length - 1 - i).join('-'));
}

async function findOwningCluster(
  client: DurableClient,
  uri: string,
): Promise<{ record: ClusterRecord; type: string; name: string } | undefined> {
  const parsed = parseResourceUri(uri);
  if (!parsed) return undefined;
  for (const candidate of clusterCandidates(parsed.name)) {
    const record = await readClusterRecord(client, candidate);
    if (
      record &&
      record.input.plan.cluster.resourceGroup.toLowerCase() === parsed.resourceGroup.toLowerCase()
    ) {
      return { record, type: parsed.type, name: parsed.name };
    }
  }
  return undefined;
}

async function handleResourceDeleted(
  client: DurableClient,
  context: InvocationContext,
  envelope: EventEnvelope,
  data: ResourceDeleted,
): Promise<Outcome> {
  const what = `${envelope.type} ${envelope.id} (${data.resourceUri})`;
  // AKS (issue 10): AKS heals the node resources it manages; nothing of ours to repair.
  const aksNode = aksNodeResourceOf(data.resourceUri);
  if (aksNode) {
    context.warn(
      `acknowledged ${what}: a node resource AKS manages (node resource group ${aksNode.resourceGroup}); AKS heals its own nodes`,
    );
    return 'ignored';
  }
  const found = await findOwningCluster(client, data.resourceUri);
  if (!found || found.record.deleted || found.record.active) {
    // Not ours, or ours being created or deleted (its own deletes arrive here too).
    context.log(`ignored ${what}: not a resource of a provisioned cluster`);
    return 'ignored';
  }
  const { record, type, name } = found;
  const isVm = type.toLowerCase() === 'microsoft.compute/virtualmachines';
  const isNic = type.toLowerCase() === 'microsoft.network/networkinterfaces';
  if (isVm || isNic) {
    const node = isNic ? name.replace(/-nic$/i, '') : name;
    for (const pool of record.spec.nodePools) {
      if (!node.startsWith(`${record.name}-${pool.name}-`)) continue;
      const state = await readPoolState(client, record.name, pool.name);
      const config = poolConfigOf(record, pool.name);
      const nodes = state?.nodes ?? config?.nodes ?? [];
      if (!config || !nodes.some((n) => n.name === node)) continue;
      return handlePoolEvent(client, context, envelope, record.name, pool.name, {
        op: 'repair',
        source: { kind: 'event', type: envelope.type, id: envelope.id },
        resourceUri: data.resourceUri,
      });
    }
  }
  const owned = record.input.plan.resources.some(
    (r) => r.owned && r.id.toLowerCase() === data.resourceUri.toLowerCase(),
  );
  if (owned) {
    const instanceId = `${NODE_POOL_INSTANCE_PREFIX}${record.name}-repair-${createHash('sha256')
      .update(`${envelope.source ?? ''}|${envelope.id}`)
      .digest('hex')
      .slice(0, 20)}`;
    try {
      await client.startNew(RepairFunctions.repairCluster, {
        instanceId,
        input: { clusterName: record.name, resourceUri: data.resourceUri } satisfies RepairClusterInput,
      });
    } catch (err) {
      if (!isInstanceConflict(err)) throw err;
      context.log(`ignored ${what}: the same event is being handled`);
      return 'ignored';
    }
    context.warn(`cluster "${record.name}" lost ${data.resourceUri}: repairing it as ${instanceId}`);
    return 'accepted';
  }
  context.log(`ignored ${what}: not a current node or owned resource of cluster "${record.name}"`);
  return 'ignored';
}

export async function handleNodeScalingEvent(
  event: unknown,
  client: DurableClient,
  context: InvocationContext,
): Promise<Outcome | 'malformed'> {
  const parsed = parseNodeScalingEvent(event);
  switch (parsed.kind) {
    case 'malformed':
      context.error(
        `rejected malformed event${parsed.id !== undefined ? ` ${parsed.id}` : ''}${parsed.type !== undefined ? ` (${parsed.type})` : ''}: ${parsed.reason}`,
      );
      return 'malformed';
    case 'unknownType':
      context.log(`ignored event ${parsed.envelope.id}: type ${parsed.envelope.type} is not handled`);
      return 'ignored';
    case 'demand': {
      const d = parsed.data;
      return handlePoolEvent(
        client,
        context,
        parsed.envelope,
        d.clusterName,
        d.nodePool,
        {
          op: 'demand',
          source: { kind: 'event', type: parsed.envelope.type, id: parsed.envelope.id },
          requiredNodes: d.requiredNodes,
          observedAt: d.observedAt,
          observedAtMs: d.observedAtMs,
          removableNodes: d.removableNodes,
        },
        (state) =>
          state.newestDemandAtMs !== undefined && d.observedAtMs <= state.newestDemandAtMs
            ? `stale demand (observedAt ${d.observedAt} is not newer than ${state.newestDemandAt ?? ''})`
            : undefined,
      );
    }
    case 'scaleRequested': {
      const d = parsed.data;
      return handlePoolEvent(
        client,
        context,
        parsed.envelope,
        d.clusterName,
        d.nodePool,
        {
          op: 'scaleBy',
          source: { kind: 'event', type: parsed.envelope.type, id: parsed.envelope.id },
          delta: d.delta,
        },
        (state) =>
          state.processedEventIds.includes(parsed.envelope.id) ? 'this event was already applied' : undefined,
      );
    }
    case 'resourceDeleted':
      return handleResourceDeleted(client, context, parsed.envelope, parsed.data);
  }
}

/**
 * One delivered event, from the trigger or the WebHook route: AKS's own events (node pool rolling,
 * new versions; events/aksEvents.ts) are recorded for the cluster's status, the rest scale or repair.
 */
export async function handleDeliveredEvent(
  event: unknown,
  client: DurableClient,
  context: InvocationContext,
): Promise<Outcome | 'malformed'> {
  if (await handleAksEvent(event, client, context)) return 'accepted';
  return handleNodeScalingEvent(event, client, context);
}

df.app.client.eventGrid(ScalingFunctions.nodeScalingEvents, {
  handler: async (event, client, context) => {
    await handleDeliveredEvent(event, client, context);
    await sweepFinishedPoolRequests(client, context);
  },
});

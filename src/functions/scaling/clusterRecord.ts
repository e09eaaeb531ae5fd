/**
 * The cluster's record as the scaling functions need it: the last operation's durable status and input
 * (`cluster-<name>`), whether an operation runs, and each pool's scaling configuration.
 */
import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';

import { agentPoolSizeOf, plannedAgentPool } from '../../cluster/scaling/agentPoolSize';
import type { NodePoolConfig, PoolNode } from '../../cluster/scaling/nodePoolState';
import type { ClusterSpec } from '../../cluster/spec';
import { clusterInstanceId } from '../shared/clusterStatus';
import { clusterView, isDeleted, operationInputOf } from '../shared/clusterView';
import type { ClusterOperationInput } from '../shared/durableFunctions';

const ACTIVE = new Set(['Running', 'Pending', 'ContinuedAsNew', 'Suspended']);

export interface ClusterRecord {
  name: string;
  status: DurableOrchestrationStatus;
  input: ClusterOperationInput;
  spec: ClusterSpec;
  /** A create or delete of the cluster is running. */
  active: boolean;
  /** What is running or ran last. */
  operation: 'provision' | 'delete';
  /** The cluster was deleted (or its deletion is running). */
  deleted: boolean;
}

/** getStatus, with "no such instance" (HTTP 404 from the extension) as undefined. */
export async function tryGetStatus(
  client: DurableClient,
  instanceId: string,
): Promise<DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(instanceId, { showInput: true });
  } catch (err) {
    if (err instanceof Error && /\b404\b/.test(err.message)) return undefined;
    throw err;
  }
}

export async function readClusterRecord(
  client: DurableClient,
  name: string,
): Promise<ClusterRecord | undefined> {
  const status = await tryGetStatus(client, clusterInstanceId(name));
  const input = status ? operationInputOf(status) : undefined;
  if (!status || !input) return undefined;
  const view = clusterView(name, status);
  const operation = view.operation === 'delete' ? 'delete' : 'provision';
  return {
    name,
    status,
    input,
    spec: input.spec as ClusterSpec,
    active: ACTIVE.has(String(status.runtimeStatus)),
    operation,
    deleted: operation === 'delete' || isDeleted(view),
  };
}

/** The pool's nodes as the cluster's plan placed them. */
export function plannedPoolNodes(input: ClusterOperationInput, pool: string): PoolNode[] {
  return input.plan.resources
    .filter((r) => r.pool === pool && r.node !== undefined && r.type === 'Microsoft.Compute/virtualMachines')
    .map((r) => (r.zone !== undefined ? { name: r.node ?? '', zone: r.zone } : { name: r.node ?? '' }));
}

/** The pool's scaling configuration, or undefined when the cluster has no such worker pool. */
/** Whether `pool` of the cluster is built as Flexible scale sets (scaled by a spec change, not by node). */
export function isScaleSetPool(record: ClusterRecord, pool: string): boolean {
  return record.input.plan.resources.some((r) => r.pool === pool && r.role === 'workerScaleSet');
}

export function poolConfigOf(record: ClusterRecord, pool: string): NodePoolConfig | undefined {
  const spec = record.spec.nodePools.find((p) => p.name === pool);
  if (!spec) return undefined;
  if (record.spec.type === 'aks') {
    const planned = plannedAgentPool(record.input.plan.resources, pool);
    if (!planned) return undefined;
    return {
      clusterName: record.name,
      pool,
      minCount: spec.minCount,
      maxCount: spec.maxCount,
      zones: [...spec.zones],
      nodes: [],
      generation: record.input.requestedAt,
      agentPool: agentPoolSizeOf(planned.body),
    };
  }
  // A Flexible pool's members are named by Azure: it is scaled by re-POSTing the spec (its status
  // comes from ARM, see resources/flexPools.ts), not by the node-by-node pool entity.
  if (isScaleSetPool(record, pool)) return undefined;
  return {
    clusterName: record.name,
    pool,
    minCount: spec.minCount,
    maxCount: spec.maxCount,
    zones: [...spec.zones],
    nodes: plannedPoolNodes(record.input, pool),
    generation: record.input.requestedAt,
  };
}

/**
 * One scale step of an AKS pool: one agent-pool write, its `count` (the provisioner owns the size) or
 * its autoscaler floor `minCount` (AKS's cluster autoscaler owns it; no count is sent), built from the
 * planned agent pool so every other setting stays as the spec says. GET → compare → PUT: a pool that
 * already has the size is not written. AKS places the nodes over the pool's zones and heals them
 * itself, so there is no node to add, remove or repair here.
 */
import type { InvocationContext } from '@azure/functions';

import { agentPoolBodyFor, agentPoolSizeOf, plannedAgentPool } from '../../cluster/scaling/agentPoolSize';
import type { AgentPoolSize } from '../../cluster/scaling/nodePoolState';
import type { ReconcileClients } from '../../resources/reconcile';
import { applyChain } from '../../resources/resourceChains';
import { parseResourceId } from '../../resources/resourceId';
import { resourceTypes } from '../../resources/types/registry';
import type { ClusterRecord } from './clusterRecord';
import type { ScaleStepInput, ScaleStepOutput } from './scalingFunctions';

export async function runAksScaleStep(
  input: ScaleStepInput,
  record: ClusterRecord,
  arm: ReconcileClients,
  context: InvocationContext,
): Promise<ScaleStepOutput> {
  const planned = plannedAgentPool(record.input.plan.resources, input.pool);
  const none = { added: [], removed: [], writes: 0 };
  if (!planned) {
    return {
      kind: 'done',
      report: { nodes: [], error: `cluster "${input.clusterName}" has no agent pool "${input.pool}"` },
      ...none,
    };
  }
  const body = agentPoolBodyFor(planned.body, input.target);
  const outcome = await applyChain(resourceTypes, arm, [{ ...planned, body }]);
  const result = outcome.results[0];
  const written = result !== undefined && result.action !== 'unchanged';
  if (written) context.log(`${result.action} ${planned.id} (${describe(agentPoolSizeOf(body))})`);
  const liveCount = result?.outputs['count'] !== undefined ? Number(result.outputs['count']) : undefined;
  const size: AgentPoolSize | undefined = result
    ? { ...agentPoolSizeOf(body), ...(liveCount !== undefined ? { count: liveCount } : {}) }
    : undefined;
  return {
    kind: 'done',
    report: {
      nodes: [],
      ...(size ? { agentPool: size } : {}),
      ...(outcome.failure
        ? {
            error: `${outcome.failure.code} on ${outcome.failure.resource}: ${outcome.failure.message}`,
          }
        : {}),
    },
    ...none,
    writes: written ? 1 : 0,
  };
}

function describe(size: AgentPoolSize): string {
  return size.autoscaled
    ? `autoscaler window ${size.minCount ?? '?'}..${size.maxCount ?? '?'}`
    : `count ${size.count}`;
}

/** The agent pool's size as AKS reports it now; undefined when it cannot be read (then the last known is shown). */
export async function readAgentPoolSize(
  record: ClusterRecord,
  pool: string,
  arm: ReconcileClients,
): Promise<AgentPoolSize | undefined> {
  const planned = plannedAgentPool(record.input.plan.resources, pool);
  if (!planned) return undefined;
  try {
    const live = await resourceTypes.get(planned.type).get(arm, parseResourceId(planned.id));
    return agentPoolSizeOf(live);
  } catch {
    return undefined;
  }
}

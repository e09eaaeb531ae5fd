/**
 * One scale step of an IaaS node pool (the `scaleNodePoolStep` activity): plan it zone-balanced, then
 * create each new node's NIC and VM exactly as provisioning would (the bodies come from the cluster's
 * own planner, so a scaled node is indistinguishable from a provisioned one), or delete each removed
 * node's VM then its NIC. Nodes are handled in parallel; a failure is reported as data with the nodes
 * that did change, so the pool's record stays true. Idempotent: GET → compare → PUT, 404 on delete is fine.
 */
import type { InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';

import { joinTokenTtlMinutes } from '../../cluster/bootstrap/joinTokenCommand';
import type * as Planner from '../../cluster/plan';
import { type PlannedResource, ResourceTypes } from '../../cluster/plan/types';
import type { PoolNode } from '../../cluster/scaling/nodePoolState';
import { planScaleStep } from '../../cluster/scaling/planScaleStep';
import type { ClusterSpec } from '../../cluster/spec';
import { type ArmSettings, armSettingsFromEnv, createArmClients } from '../../resources/clients';
import { joinTokenTargetsOf, missingVms, registerJoinToken } from '../../resources/joinToken';
import type { ReconcileClients } from '../../resources/reconcile';
import { applyChain, deleteChain } from '../../resources/resourceChains';
import { resourceTypes } from '../../resources/types/registry';
import { runAksScaleStep } from './aksScaleStep';
import { readClusterRecord } from './clusterRecord';
import type { ScaleStepInput, ScaleStepOutput } from './scalingFunctions';

let settings: ArmSettings | undefined;
let clients: ReconcileClients | undefined;

function armClients(): { clients: ReconcileClients; settings: ArmSettings } {
  settings ??= armSettingsFromEnv(process.env);
  clients ??= createArmClients(settings);
  return { clients, settings };
}

/** The NIC and VM of each named node of the pool, as the cluster's planner builds them. */
export function nodeResources(
  spec: ClusterSpec,
  subscriptionId: string,
  pool: string,
  nodes: readonly PoolNode[],
): Map<string, PlannedResource[]> {
  if (spec.type !== 'iaas') throw new Error(`scaling ${spec.type} node pools is not available yet`);
  /* eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: the planner is cold-start heavy */
  const { planCluster } = require('../../cluster/plan') as typeof Planner;
  const scaled: ClusterSpec = {
    ...spec,
    nodePools: spec.nodePools.map((p) => (p.name === pool ? { ...p, count: nodes.length } : p)),
  };
  const plan = planCluster(scaled, { subscriptionId, existingNodes: { [pool]: nodes } });
  const byNode = new Map<string, PlannedResource[]>();
  for (const r of plan.resources) {
    if (r.pool !== pool || r.node === undefined) continue;
    const list = byNode.get(r.node) ?? [];
    list.push(r);
    byNode.set(r.node, list);
  }
  // NIC before VM (the VM references the NIC).
  for (const list of byNode.values())
    list.sort((a, b) => (a.dependsOn.includes(b.id) ? 1 : b.dependsOn.includes(a.id) ? -1 : 0));
  return byNode;
}

/**
 * Mints and registers a join token when this step creates a VM (an added node, or a repair's lost
 * one); the error text when that failed (ARM's code and message), else undefined.
 */
async function freshJoinToken(
  input: ScaleStepInput,
  clusterResources: readonly PlannedResource[],
  toApply: readonly PoolNode[],
  byNode: Map<string, PlannedResource[]>,
  context: InvocationContext,
): Promise<string | undefined> {
  const targets = joinTokenTargetsOf(clusterResources);
  if (!targets || toApply.length === 0) return undefined;
  const { clients: arm, settings: armSettings } = armClients();
  const vmIds = toApply
    .map((n) => byNode.get(n.name)?.find((r) => r.type === ResourceTypes.virtualMachine)?.id)
    .filter((id): id is string => id !== undefined);
  const reconcile = { retry: armSettings.retry ?? {} };
  const created = input.repair ? await missingVms(arm, vmIds, reconcile) : vmIds;
  if (created.length === 0) return undefined;
  context.log(`minting a join token for ${created.length} new node(s) of pool "${input.pool}"`);
  const out = await registerJoinToken(
    arm,
    { ...targets, ttlMinutes: joinTokenTtlMinutes(process.env) },
    { pollIntervalMs: armSettings.pollIntervalMs, log: (line) => context.log(line), reconcile },
  );
  if (out.kind !== 'failed') return undefined;
  return `${out.failure.code} on ${out.failure.resource}: ${out.failure.message}`;
}

export async function runScaleStep(
  input: ScaleStepInput,
  client: DurableClient,
  context: InvocationContext,
): Promise<ScaleStepOutput> {
  const record = await readClusterRecord(client, input.clusterName);
  if (record?.active) {
    return { kind: 'busy', reason: `the cluster's ${record.operation} is running` };
  }
  const none = { added: [], removed: [], writes: 0 };
  if (!record || record.deleted) {
    return {
      kind: 'done',
      report: { nodes: input.nodes, error: `cluster "${input.clusterName}" does not exist` },
      ...none,
    };
  }
  const { clients: arm } = armClients();
  if (record.spec.type === 'aks') return runAksScaleStep(input, record, arm, context);
  const plan = planScaleStep(input);
  let byNode: Map<string, PlannedResource[]>;
  try {
    byNode = nodeResources(record.spec, record.input.plan.cluster.subscriptionId, input.pool, plan.nodes);
  } catch (err) {
    return {
      kind: 'done',
      report: { nodes: input.nodes, error: err instanceof Error ? err.message : String(err) },
      ...none,
    };
  }
  const removeIds = (node: PoolNode): Pick<PlannedResource, 'id' | 'type'>[] => {
    const base = `/subscriptions/${record.input.plan.cluster.subscriptionId}/resourceGroups/${record.input.plan.cluster.resourceGroup}/providers`;
    return [
      { id: `${base}/${ResourceTypes.virtualMachine}/${node.name}`, type: ResourceTypes.virtualMachine },
      {
        id: `${base}/${ResourceTypes.networkInterface}/${node.name}-nic`,
        type: ResourceTypes.networkInterface,
      },
    ];
  };
  const toApply = input.repair ? plan.nodes : plan.add;
  const addedNames = new Set(plan.add.map((n) => n.name));
  let writes = 0;
  const failures: string[] = [];
  // Nodes created in the running cluster join with a fresh token (docs/bootstrap.md): minted and
  // registered here, in this activity, so it never enters durable history. None: nothing is created.
  const fresh = await freshJoinToken(input, record.input.plan.resources, toApply, byNode, context);
  if (fresh !== undefined) {
    return { kind: 'done', report: { nodes: input.nodes, error: fresh }, ...none };
  }
  const applied = await Promise.all(
    toApply.map(async (node) => {
      const outcome = await applyChain(resourceTypes, arm, byNode.get(node.name) ?? []);
      writes += outcome.results.filter((r) => r.action !== 'unchanged').length;
      for (const r of outcome.results) if (r.action !== 'unchanged') context.log(`${r.action} ${r.id}`);
      if (outcome.failure)
        failures.push(`${outcome.failure.code} on ${outcome.failure.resource}: ${outcome.failure.message}`);
      return { node, ok: outcome.failure === undefined };
    }),
  );
  const removed = await Promise.all(
    plan.remove.map(async (node) => {
      const outcome = await deleteChain(resourceTypes, arm, removeIds(node));
      writes += outcome.results.filter((r) => r.action === 'deleted').length;
      for (const r of outcome.results) if (r.action === 'deleted') context.log(`deleted ${r.id}`);
      if (outcome.failure)
        failures.push(`${outcome.failure.code} on ${outcome.failure.resource}: ${outcome.failure.message}`);
      // A node whose VM is gone but NIC stayed is still the pool's: the next step finishes it.
      return { node, ok: outcome.failure === undefined };
    }),
  );
  const failedAdds = new Set(
    applied.filter((a) => !a.ok && addedNames.has(a.node.name)).map((a) => a.node.name),
  );
  const goneNames = new Set(removed.filter((r) => r.ok).map((r) => r.node.name));
  const nodes = [
    ...input.nodes.filter((n) => !goneNames.has(n.name)),
    ...plan.add.filter((n) => !failedAdds.has(n.name)),
  ];
  return {
    kind: 'done',
    report: { nodes, ...(failures.length > 0 ? { error: failures.join('; ') } : {}) },
    added: plan.add.filter((n) => !failedAdds.has(n.name)).map((n) => n.name),
    removed: [...goneNames],
    writes,
  };
}

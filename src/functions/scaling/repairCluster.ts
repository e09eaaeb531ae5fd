/**
 * The `repairClusterResources` activity: a cluster lost an owned resource other than a worker node (a
 * control-plane VM or NIC, an NSG, a public IP…). Every owned resource of its plan except worker nodes
 * (those are the pools' business) is applied again in dependency order: GET → compare → PUT only what
 * is missing or different, so a repair of an intact cluster writes nothing.
 */
import type { InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';

import { joinTokenTtlMinutes } from '../../cluster/bootstrap/joinTokenCommand';
import type { PlannedResource } from '../../cluster/plan/types';
import { agentPoolBodyFor } from '../../cluster/scaling/agentPoolSize';
import { currentSize } from '../../cluster/scaling/nodePoolState';
import { type ArmSettings, armSettingsFromEnv, createArmClients } from '../../resources/clients';
import { joinTokenTargetsOf, missingVms, registerJoinToken } from '../../resources/joinToken';
import type { ReconcileClients } from '../../resources/reconcile';
import { applyChain } from '../../resources/resourceChains';
import { resourceTypes } from '../../resources/types/registry';
import { type ClusterRecord, readClusterRecord } from './clusterRecord';
import type { RepairClusterInput, RepairClusterOutput } from './scalingFunctions';
import { readPoolState } from './startPoolRequest';

let clients: ReconcileClients | undefined;
let settings: ArmSettings | undefined;

/** Resources ordered so each comes after what it depends on (the plan's order is kept otherwise). */
export function inDependencyOrder(resources: readonly PlannedResource[]): PlannedResource[] {
  const byId = new Map(resources.map((r) => [r.id.toLowerCase(), r]));
  const done = new Set<string>();
  const out: PlannedResource[] = [];
  const visit = (r: PlannedResource, path: Set<string>): void => {
    const key = r.id.toLowerCase();
    if (done.has(key) || path.has(key)) return;
    path.add(key);
    for (const dep of r.dependsOn) {
      const d = byId.get(dep.toLowerCase());
      if (d) visit(d, path);
    }
    done.add(key);
    out.push(r);
  };
  for (const r of resources) visit(r, new Set());
  return out;
}

/**
 * An AKS agent pool keeps the size its pool's entity gave it (a repair must not undo a scale): its
 * planned body with the entity's count or autoscaler floor, when the entity is from this provisioning.
 */
async function withScaledSize(
  client: DurableClient,
  record: ClusterRecord,
  resource: PlannedResource,
): Promise<PlannedResource> {
  if (resource.role !== 'agentPool') return resource;
  const pool = resource.name;
  const state = await readPoolState(client, record.name, pool);
  if (!state?.agentPool || state.generation !== record.input.requestedAt) return resource;
  return { ...resource, body: agentPoolBodyFor(resource.body, currentSize(state)) };
}

export async function repairClusterResources(
  input: RepairClusterInput,
  client: DurableClient,
  context: InvocationContext,
): Promise<RepairClusterOutput> {
  const record = await readClusterRecord(client, input.clusterName);
  if (!record || record.deleted) return { skipped: 'the cluster does not exist', written: [] };
  if (record.active)
    return { skipped: `the cluster's ${record.operation} is running (it applies the plan)`, written: [] };
  const resources = inDependencyOrder(
    await Promise.all(
      record.input.plan.resources
        .filter((r) => r.role !== 'workerNic' && r.role !== 'workerVm')
        .map((r) => withScaledSize(client, record, r)),
    ),
  );
  settings ??= armSettingsFromEnv(process.env);
  clients ??= createArmClients(settings);
  // A lost control-plane VM is re-created and joins the running cluster with a fresh token.
  const targets = joinTokenTargetsOf(record.input.plan.resources);
  if (targets) {
    const reconcile = { retry: settings.retry ?? {} };
    const lost = await missingVms(clients, targets.controlPlaneVmIds, reconcile);
    if (lost.length > 0 && lost.length < targets.controlPlaneVmIds.length) {
      const out = await registerJoinToken(
        clients,
        {
          ...targets,
          controlPlaneVmIds: targets.controlPlaneVmIds.filter((id) => !lost.includes(id)),
          ttlMinutes: joinTokenTtlMinutes(process.env),
        },
        { pollIntervalMs: settings.pollIntervalMs, log: (line) => context.log(line), reconcile },
      );
      if (out.kind === 'failed') {
        return {
          written: [],
          error: `${out.failure.code} on ${out.failure.resource}: ${out.failure.message}`,
        };
      }
    }
  }
  const outcome = await applyChain(resourceTypes, clients, resources);
  const written = outcome.results.filter((r) => r.action !== 'unchanged').map((r) => r.id);
  for (const id of written) context.log(`repaired ${id} of cluster "${input.clusterName}"`);
  return {
    written,
    ...(outcome.failure
      ? { error: `${outcome.failure.code} on ${outcome.failure.resource}: ${outcome.failure.message}` }
      : {}),
  };
}

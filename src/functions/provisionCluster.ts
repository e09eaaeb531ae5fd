/**
 * Provisioning a cluster: verify the resource group and brought network, then apply the plan
 * ready-driven (shared/lroDriver.ts over cluster/plan/readyGraph.ts): every resource — infrastructure
 * and nodes alike — starts as soon as its own dependencies are done. Deterministic: no clock, no
 * settings, no SDK — only durable tasks.
 */
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import * as df from 'durable-functions';

import { resourcesToRollBack } from '../cluster/admission/staleResources';
import { poolStatusOf } from '../cluster/aksStatus';
import { apiServerEndpoint } from '../cluster/apiServer';
import type { ResourceFailure } from '../cluster/failure';
import { provisioningGraph } from '../cluster/plan/readyGraph';
import { type PlannedResource, ResourceTypes } from '../cluster/plan/types';
import {
  chooseFallbackZone,
  isAllocationFailure,
  type PlacementDecision,
  type PoolZoneCounts,
  poolZoneCounts,
  vmSizeOf,
} from '../cluster/plan/zonalFallback';
import type { ApplyResult } from '../resources/reconcile';
import {
  applyInstanceId,
  type ClusterCustomStatus,
  clusterNameOf,
  resourceFailureFrom,
  type ZoneProgress,
} from './shared/clusterStatus';
import { deleteOwned, rollbackOwned } from './shared/deletion';
import {
  type ApplyPlanInput,
  type ApplyPlanOutput,
  type ApplyPlanStatus,
  type ApplyResourcesInput,
  type ApplyResourcesOutput,
  type ClusterOperationInput,
  DurableFunctions,
  type LifecycleEventType,
  type ProvisionClusterOutput,
  type PublishLifecycleEventInput,
  type VerifyResourceGroupInput,
} from './shared/durableFunctions';
import { freshJoinTokenStep, plannedCapacityOf } from './shared/joinTokenRequest';
import { type ChainStep, driveGraph } from './shared/lroDriver';
import { NODE_PROGRESS_ENTITY } from './shared/nodeProgress';
import { settleAll } from './shared/settleAll';

/**
 * Zonal capacity: when a zone cannot allocate a node's VM size, the node goes to its pool's zone with
 * the fewest nodes among those not seen failing for that size (cluster/plan/zonalFallback.ts). The
 * VM that failed may exist (in state Failed) in the zone it cannot leave, so it is deleted first.
 */
function placementsFor(
  resources: PlannedResource[],
  onPlaced: (p: { id: string; toZone: string; decision: PlacementDecision }) => void,
): { relocate: (failed: PlannedResource, error: ResourceFailure) => ChainStep[] | undefined } {
  const pools: PoolZoneCounts = poolZoneCounts(resources);
  /** Zones seen failing to allocate, per VM size. */
  const failing = new Map<string, Set<string>>();
  return {
    relocate: (failed, error) => {
      if (failed.type !== ResourceTypes.virtualMachine || failed.zone === undefined) return undefined;
      if (failed.pool === undefined || failed.node === undefined || !isAllocationFailure(error.code)) {
        return undefined;
      }
      const pool = pools[failed.pool];
      const size = vmSizeOf(failed);
      const zones = failing.get(size) ?? new Set<string>();
      zones.add(failed.zone);
      failing.set(size, zones);
      const to = pool && chooseFallbackZone(pool, zones);
      if (!pool || to === undefined) return undefined;
      pool.counts[failed.zone] = (pool.counts[failed.zone] ?? 1) - 1;
      pool.counts[to] = (pool.counts[to] ?? 0) + 1;
      onPlaced({
        id: failed.id,
        toZone: to,
        decision: {
          node: failed.node,
          pool: failed.pool,
          vmSize: size,
          fromZone: failed.zone,
          toZone: to,
          error,
        },
      });
      // The new VM is the planned one moved (by reference: the activity has its body), see relocatedVm.
      return [
        { ...failed, step: 'delete' },
        { ...failed, zone: to, relocate: { zone: to, error } },
      ];
    },
  };
}

/**
 * THE place for work that must happen before new nodes are created (e.g. minting and registering a
 * join token for nodes added to an existing cluster). The driver runs it once, right before the first
 * node resource (NIC or VM) of this run starts — after everything those nodes depend on exists — and
 * a failure it returns fails the run before any node is written. `newNodes` are the nodes this run
 * may create (not in `input.existing`); `existingCluster` says whether an earlier run created any.
 */
function* beforeNewNodes(
  context: OrchestrationContext,
  input: ApplyPlanInput,
): Generator<Task, ResourceFailure | undefined, unknown> {
  // Nodes added to a running IaaS cluster join with a fresh token (docs/bootstrap.md).
  return yield* freshJoinTokenStep(context, input.clusterName, input.resources, input.existing);
}

function isNodeResource(r: PlannedResource): boolean {
  return (
    (r.node !== undefined &&
      (r.type === ResourceTypes.virtualMachine || r.type === ResourceTypes.networkInterface)) ||
    r.role === 'workerScaleSet'
  );
}

function publishEvent(
  context: OrchestrationContext,
  input: ClusterOperationInput,
  type: LifecycleEventType,
  extra: Pick<PublishLifecycleEventInput, 'apiServerEndpoint' | 'error'> = {},
): Task {
  const event: PublishLifecycleEventInput = {
    type,
    clusterName: input.clusterName,
    resourceGroup: input.plan.cluster.resourceGroup,
    subscriptionId: input.plan.cluster.subscriptionId,
    instanceId: context.df.instanceId,
    occurredAt: context.df.currentUtcDateTime.toISOString(),
    ...extra,
  };
  return context.df.callActivity(DurableFunctions.publishLifecycleEvent, event);
}

export const provisionCluster: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<ClusterOperationInput>();
  const { plan } = input;
  const nodes = plan.resources.filter(isNodeResource);
  const zones: Record<string, ZoneProgress> = {};
  for (const r of nodes) {
    if (r.type !== ResourceTypes.virtualMachine && r.role !== 'workerScaleSet') continue;
    const z = r.zone ?? 'none';
    const p = (zones[z] ??= { nodesReady: 0, nodesTotal: 0 });
    // A Flexible pool's set counts as many nodes as its capacity.
    p.nodesTotal += r.role === 'workerScaleSet' ? plannedCapacityOf(r) : 1;
  }
  const poolResources = plan.resources.filter((r) => r.role === 'agentPool' && r.pool !== undefined);
  const status: ClusterCustomStatus = {
    operation: 'provision',
    phase: 'Verifying',
    resources: { done: 0, total: plan.resources.length },
    zones,
    ...(poolResources.length > 0
      ? {
          pools: Object.fromEntries(poolResources.map((r) => [r.pool ?? r.name, poolStatusOf(r, undefined)])),
        }
      : {}),
  };
  const results: ApplyResult[] = [];
  const update = (): void => context.df.setCustomStatus(status);
  const plannedById = new Map(plan.resources.map((r) => [r.id, r]));
  const record = (applied: ApplyResult[]): void => {
    results.push(...applied);
    status.resources.done = results.length;
    for (const r of applied) {
      const planned = plannedById.get(r.id);
      const ip = r.outputs['ipAddress'];
      if (planned?.role === 'apiServerPublicIp' && ip)
        status.apiServer = { ip, endpoint: apiServerEndpoint(ip) };
      const fqdn = r.outputs['fqdn'];
      if (planned?.role === 'managedCluster' && fqdn) status.fqdn = fqdn;
      const { caCertHash, joinTokenSecretId, joinTokenExpiresOn } = r.outputs;
      if (planned?.role === 'vaultAppRoleAssignment' && caCertHash && joinTokenSecretId && joinTokenExpiresOn)
        status.bootstrap = { caCertHash, joinTokenSecretId, joinTokenExpiresOn };
      if (planned?.role === 'agentPool' && planned.pool !== undefined && status.pools) {
        status.pools[planned.pool] = poolStatusOf(planned, r.outputs);
      }
    }
  };
  update();
  // Resets live node progress for this run (see shared/nodeProgress.ts).
  context.df.signalEntity(new df.EntityId(NODE_PROGRESS_ENTITY, input.clusterName), 'start', {
    runId: input.requestedAt,
  });

  let failure: ResourceFailure | undefined;
  let announced = false;
  const resourceGroupId = `/subscriptions/${plan.cluster.subscriptionId}/resourceGroups/${plan.cluster.resourceGroup}`;
  // 1. The resource group must exist; it is never created.
  try {
    yield context.df.callActivity(DurableFunctions.verifyResourceGroup, {
      subscriptionId: plan.cluster.subscriptionId,
      resourceGroup: plan.cluster.resourceGroup,
    } satisfies VerifyResourceGroupInput);
  } catch (err) {
    failure = resourceFailureFrom(err, resourceGroupId);
  }

  // 2. Brought VNet / subnets / NSGs must exist and match the spec before anything is written.
  if (!failure) {
    const brought = plan.resources.filter((r) => !r.owned);
    if (brought.length > 0) {
      const settled = yield* settleAll<ApplyResourcesOutput>(
        context,
        [
          context.df.callActivity(DurableFunctions.applyResources, {
            resources: brought,
          } satisfies ApplyResourcesInput),
        ],
        resourceGroupId,
      );
      for (const o of settled.outcomes) {
        record(o.results);
        failure ??= o.failure;
      }
      failure ??= settled.error;
    }
  }

  // 3. Everything else, ready-driven (each resource starts once its own dependencies are done), in one
  // sub-orchestration whose input is the plan without the nodes' bodies (see applyPlan below).
  if (!failure) {
    status.phase = 'Provisioning';
    update();
    let applied: ApplyPlanOutput;
    try {
      applied = (yield context.df.callSubOrchestrator(
        DurableFunctions.applyPlan,
        {
          clusterName: input.clusterName,
          runId: input.requestedAt,
          plan: { instanceId: context.df.instanceId, runId: input.requestedAt },
          subscriptionId: plan.cluster.subscriptionId,
          resources: plan.resources.map(skeletonOf),
          existing: input.existing ?? [],
          // With nothing to prune, the apply's end is the run's end: the child announces it (one hop less).
          ...((input.prune ?? []).length === 0
            ? {
                announce: {
                  type: 'Provisioned',
                  clusterName: input.clusterName,
                  resourceGroup: plan.cluster.resourceGroup,
                  subscriptionId: plan.cluster.subscriptionId,
                  instanceId: context.df.instanceId,
                  occurredAt: '',
                },
              }
            : {}),
          status: {
            resources: status.resources,
            zones: status.zones,
            ...(status.pools ? { pools: status.pools } : {}),
          },
        } satisfies ApplyPlanInput,
        applyInstanceId(context.df.instanceId),
      )) as ApplyPlanOutput;
    } catch (err) {
      // The apply itself failed (terminated, crashed): what it did is unknown here; a rollback reads ARM.
      applied = { results: [], status: { resources: status.resources, zones: status.zones } };
      failure ??= resourceFailureFrom(err, resourceGroupId);
    }
    record(applied.results);
    announced = applied.announced === true;
    if (applied.placements) status.placements = applied.placements;
    status.zones = applied.status.zones;
    failure ??= applied.failure;
    update();
  }

  if (failure) {
    status.error = failure;
    if (input.onFailure === 'rollback') {
      status.phase = 'RollingBack';
      update();
      // Undo this run only: what existed before it (an earlier, working cluster) stays.
      const rollback = yield* rollbackOwned(context, resourcesToRollBack(plan, input.existing, results));
      status.rolledBack = rollback.failure === undefined;
      if (rollback.failure)
        status.error = {
          ...failure,
          message: `${failure.message} (rollback also failed: ${rollback.failure.code} on ${rollback.failure.resource}: ${rollback.failure.message})`,
        };
    }
    status.phase = 'Failed';
    update();
    yield publishEvent(context, input, 'ProvisioningFailed', { error: status.error ?? failure });
    const what =
      input.onFailure === 'rollback'
        ? status.rolledBack
          ? 'rolled back'
          : 'rollback incomplete'
        : 'kept what was created; POST the spec again to resume';
    throw new Error(
      `Provisioning cluster "${input.clusterName}" failed (${what}): ARM error ${failure.code} on ${failure.resource}: ${failure.message}`,
    );
  }

  // 4. What an earlier run created and this spec no longer plans (a shrunk or renamed pool) goes,
  // now that everything the new plan needs exists.
  const prune = input.prune ?? [];
  if (prune.length > 0) {
    status.phase = 'Pruning';
    update();
    const pruned = yield* deleteOwned(context, prune);
    if (pruned.failure) {
      status.error = pruned.failure;
      status.phase = 'Failed';
      update();
      yield publishEvent(context, input, 'ProvisioningFailed', { error: pruned.failure });
      throw new Error(
        `Provisioning cluster "${input.clusterName}" applied the plan but could not delete what the spec no longer asks for (POST it again to retry): ARM error ${pruned.failure.code} on ${pruned.failure.resource}: ${pruned.failure.message}`,
      );
    }
  }

  status.phase = 'Provisioned';
  update();
  if (!announced) {
    yield publishEvent(
      context,
      input,
      'Provisioned',
      status.apiServer ? { apiServerEndpoint: status.apiServer.endpoint } : {},
    );
  }
  const count = (a: ApplyResult['action']): number => results.filter((r) => r.action === a).length;
  const output: ProvisionClusterOutput = {
    clusterName: clusterNameOf(context.df.instanceId) ?? input.clusterName,
    ...(status.apiServer ? { apiServer: status.apiServer } : {}),
    resources: {
      created: count('created'),
      updated: count('updated'),
      unchanged: count('unchanged'),
      total: plan.resources.length,
    },
  };
  return output;
};

/**
 * Applies the plan ready-driven (shared/lroDriver.ts). Its input is the plan with the nodes' bodies left
 * out (`skeletonOf`): every episode of an orchestrator re-reads its input and history, and VM bodies
 * (cloud-init) are ~90 % of a plan; activities read them by reference from the parent's input.
 * Progress goes to its own custom status, which the status route merges while the parent waits.
 */
export const applyPlan: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<ApplyPlanInput>();
  const resources = input.resources;
  const status: ApplyPlanStatus = structuredClone(input.status);
  const zones = status.zones;
  const update = (): void => context.df.setCustomStatus(status);
  const plannedById = new Map(resources.map((r) => [r.id, r]));
  const indexById = new Map(resources.map((r, i) => [r.id, i]));
  const done = new Set(resources.filter((r) => !r.owned).map((r) => r.id.toLowerCase()));
  const zoneOfVm = new Map<string, string>();
  const placements: PlacementDecision[] = [];
  const fallback = placementsFor(resources, (p) => {
    zoneOfVm.set(p.id.toLowerCase(), p.toZone);
    placements.push(p.decision);
    status.placements = placements;
  });
  let seen = 0;
  const driven = yield* driveGraph(context, provisioningGraph(resources, done), {
    kind: 'apply',
    subscriptionId: input.subscriptionId,
    plan: input.plan,
    refOf: (r) => indexById.get(r.id),
    progress: { clusterName: input.clusterName, runId: input.runId },
    onFailure: fallback.relocate,
    beforeStart: { applies: isNodeResource, run: () => beforeNewNodes(context, input) },
    onProgress: (all) => {
      const fresh = all.slice(seen) as ApplyResult[];
      seen = all.length;
      status.resources.done += fresh.length;
      for (const r of fresh) {
        const planned = plannedById.get(r.id);
        const ip = r.outputs['ipAddress'];
        if (planned?.role === 'apiServerPublicIp' && ip)
          status.apiServer = { ip, endpoint: apiServerEndpoint(ip) };
        const fqdn = r.outputs['fqdn'];
        if (planned?.role === 'managedCluster' && fqdn) status.fqdn = fqdn;
        if (planned?.role === 'agentPool' && planned.pool !== undefined && status.pools) {
          status.pools[planned.pool] = poolStatusOf(planned, r.outputs);
        }
        if (planned?.role === 'workerScaleSet') {
          const p = (zones[planned.zone ?? 'none'] ??= { nodesReady: 0, nodesTotal: 0 });
          p.nodesReady += plannedCapacityOf(planned);
          continue;
        }
        if (planned?.type !== ResourceTypes.virtualMachine || planned.node === undefined) continue;
        const zone = zoneOfVm.get(r.id.toLowerCase()) ?? planned.zone ?? 'none';
        const p = (zones[zone] ??= { nodesReady: 0, nodesTotal: 0 });
        p.nodesReady++;
      }
      update();
    },
  });
  let announced = false;
  if (!driven.failure && input.announce) {
    const event: PublishLifecycleEventInput = {
      ...input.announce,
      occurredAt: context.df.currentUtcDateTime.toISOString(),
      ...(status.apiServer ? { apiServerEndpoint: status.apiServer.endpoint } : {}),
    };
    yield context.df.callActivity(DurableFunctions.publishLifecycleEvent, event);
    announced = true;
  }
  const output: ApplyPlanOutput = {
    announced,
    results: driven.results as ApplyResult[],
    status,
    ...(driven.failure ? { failure: driven.failure } : {}),
    ...(placements.length > 0 ? { placements } : {}),
  };
  return output;
};

/**
 * A planned resource as the apply orchestration keeps it: node resources (NICs, VMs: the bulk of a
 * plan, cloud-init included) without their body — only the VM size, for zonal fallback.
 */
function skeletonOf(r: PlannedResource): PlannedResource {
  if (!isNodeResource(r)) return r;
  // A scale set keeps its SKU (size and capacity: the join token step and the progress read it).
  if (r.role === 'workerScaleSet') return { ...r, body: r.body['sku'] ? { sku: r.body['sku'] } : {} };
  const size = r.type === ResourceTypes.virtualMachine ? vmSizeOf(r) : '';
  return { ...r, body: size ? { properties: { hardwareProfile: { vmSize: size } } } : {} };
}

df.app.orchestration(DurableFunctions.provisionCluster, provisionCluster);
df.app.orchestration(DurableFunctions.applyPlan, applyPlan);

/**
 * Provisioning a cluster: verify the resource group and brought network, then apply the plan wave by
 * wave (see cluster/plan/scheduleWaves.ts), nodes through one sub-orchestration per zone. Deterministic:
 * no clock, no settings, no SDK — only durable tasks.
 */
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import * as df from 'durable-functions';

import { resourcesToRollBack } from '../cluster/admission/staleResources';
import { poolStatusOf } from '../cluster/aksStatus';
import { apiServerEndpoint } from '../cluster/apiServer';
import type { ResourceFailure } from '../cluster/failure';
import { provisioningWaves, type ScheduleUnit, zoneWaves } from '../cluster/plan/scheduleWaves';
import { type PlannedResource, ResourceTypes } from '../cluster/plan/types';
import {
  chooseFallbackZone,
  isAllocationFailure,
  type PlacementDecision,
  type PoolZoneCounts,
  poolZoneCounts,
  relocatedVm,
  vmSizeOf,
} from '../cluster/plan/zonalFallback';
import type { ApplyResult } from '../resources/reconcile';
import {
  type ClusterCustomStatus,
  clusterNameOf,
  resourceFailureFrom,
  zoneInstanceId,
  type ZoneProgress,
} from './shared/clusterStatus';
import { deleteOwned, rollbackOwned } from './shared/deletion';
import {
  type ApplyResourcesInput,
  type ApplyResourcesOutput,
  type ClusterOperationInput,
  DurableFunctions,
  type LifecycleEventType,
  type ProvisionClusterOutput,
  type ProvisionZoneInput,
  type ProvisionZoneOutput,
  type PublishLifecycleEventInput,
  type VerifyResourceGroupInput,
} from './shared/durableFunctions';
import { type ChainStep, driveChains } from './shared/lroDriver';
import { NODE_PROGRESS_ENTITY } from './shared/nodeProgress';
import { settleAll } from './shared/settleAll';

/** The subscription of a set of planned resources (every id names it). */
function subscriptionOf(resources: PlannedResource[]): string {
  const id = resources[0]?.id ?? '';
  return /^\/subscriptions\/([^/]+)/i.exec(id)?.[1] ?? '';
}

function isNodeResource(r: PlannedResource): boolean {
  return (
    r.node !== undefined &&
    (r.type === ResourceTypes.virtualMachine || r.type === ResourceTypes.networkInterface)
  );
}

function zoneProgress(resources: PlannedResource[], results: ApplyResult[]): ZoneProgress {
  const vms = resources.filter((r) => r.type === ResourceTypes.virtualMachine);
  const ok = new Set(results.map((r) => r.id.toLowerCase()));
  return { nodesTotal: vms.length, nodesReady: vms.filter((v) => ok.has(v.id.toLowerCase())).length };
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

export const provisionZone: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<ProvisionZoneInput>();
  const results: ApplyResult[] = [];
  let failure: ResourceFailure | undefined;
  context.df.setCustomStatus(zoneProgress(input.resources, results));
  const subscriptionId = subscriptionOf(input.resources);
  const placements: PlacementDecision[] = [];
  const pools: PoolZoneCounts = structuredClone(input.pools ?? {});
  /** Zones seen failing to allocate, per VM size. */
  const failing = new Map<string, Set<string>>();
  const relocate = (failed: PlannedResource, error: ResourceFailure): ChainStep[] | undefined => {
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
    placements.push({
      node: failed.node,
      pool: failed.pool,
      vmSize: size,
      fromZone: failed.zone,
      toZone: to,
      error,
    });
    // The VM that failed may exist (in state Failed) in the zone it cannot leave: it goes first.
    return [{ ...failed, step: 'delete' }, relocatedVm(failed, to, error)];
  };
  for (const wave of zoneWaves(input.resources)) {
    const driven = yield* driveChains(
      context,
      wave.map((unit) => unit.resources),
      {
        kind: 'apply',
        subscriptionId,
        progress: { clusterName: input.clusterName, runId: input.runId, zone: input.zone },
        onFailure: relocate,
        onProgress: (done) =>
          context.df.setCustomStatus(zoneProgress(input.resources, [...results, ...(done as ApplyResult[])])),
      },
    );
    results.push(...(driven.results as ApplyResult[]));
    failure ??= driven.failure;
    context.df.setCustomStatus(zoneProgress(input.resources, results));
    if (failure) break;
  }
  const output: ProvisionZoneOutput = {
    zone: input.zone,
    results,
    progress: zoneProgress(input.resources, results),
    ...(failure ? { failure } : {}),
    ...(placements.length > 0 ? { placements } : {}),
  };
  return output;
};

export const provisionCluster: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<ClusterOperationInput>();
  const { plan } = input;
  const nodes = plan.resources.filter(isNodeResource);
  const zones: Record<string, ZoneProgress> = {};
  for (const r of nodes) {
    if (r.type !== ResourceTypes.virtualMachine) continue;
    const z = r.zone ?? 'none';
    const p = (zones[z] ??= { nodesReady: 0, nodesTotal: 0 });
    p.nodesTotal++;
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

  // 3. Everything else, wave by wave; nodes through one sub-orchestration per zone.
  if (!failure) {
    status.phase = 'Provisioning';
    update();
    const done = new Set(plan.resources.filter((r) => !r.owned).map((r) => r.id.toLowerCase()));
    const poolCounts = poolZoneCounts(plan.resources);
    let waveIndex = 0;
    for (const wave of provisioningWaves(plan.resources, done)) {
      waveIndex++;
      const zoneUnits = wave.filter((u) => u.kind === 'zone');
      const chainUnits = wave.filter((u) => u.kind !== 'zone');
      // Zones run as sub-orchestrations; infrastructure chains of the wave run beside them as one more:
      // a generator cannot drive them inline while the zones' tasks are awaited, and this orchestrator's
      // history holds the whole plan (megabytes at 1,000 nodes): every poll round here would replay it.
      const units: ScheduleUnit[] = [
        ...zoneUnits,
        ...(chainUnits.length > 0
          ? [
              {
                key: `infra-${waveIndex}`,
                kind: 'zone' as const,
                zone: `infra-${waveIndex}`,
                resources: chainUnits.flatMap((u) => u.resources),
              },
            ]
          : []),
      ];
      const tasks = units.map((unit: ScheduleUnit) =>
        context.df.callSubOrchestrator(
          DurableFunctions.provisionZone,
          {
            clusterName: input.clusterName,
            runId: input.requestedAt,
            zone: unit.zone ?? 'none',
            resources: unit.resources,
            ...(unit.kind === 'zone' && unit.key.startsWith('zone-') ? { pools: poolCounts } : {}),
          } satisfies ProvisionZoneInput,
          zoneInstanceId(context.df.instanceId, unit.zone ?? 'none'),
        ),
      );
      const settled = yield* settleAll<ProvisionZoneOutput>(context, tasks, resourceGroupId);
      for (const o of settled.outcomes) {
        record(o.results);
        if (o.placements) status.placements = [...(status.placements ?? []), ...o.placements];
        if (zones[o.zone] !== undefined) zones[o.zone] = o.progress;
        failure ??= o.failure;
      }
      failure ??= settled.error;
      update();
      if (failure) break;
    }
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
  yield publishEvent(
    context,
    input,
    'Provisioned',
    status.apiServer ? { apiServerEndpoint: status.apiServer.endpoint } : {},
  );
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

df.app.orchestration(DurableFunctions.provisionZone, provisionZone);
df.app.orchestration(DurableFunctions.provisionCluster, provisionCluster);

/**
 * HTTP API for clusters: thin starters over the durable client. What may start is decided by the
 * pure admission policy (cluster/admission); this file reads the durable state it needs and answers. Every operation on a cluster runs as
 * the orchestration instance `cluster-<name>`, so two operations on one cluster cannot race and its
 * status has one home; the durable store keeps the last operation's input (plan and spec) and status,
 * which is the cluster's record across host restarts.
 */
import { type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';
import * as df from 'durable-functions';

import {
  admitDeletion,
  admitProvisioning,
  aksChangeErrors,
  busyReason,
  type InstanceState,
  isActive,
  zonesToCheck,
} from '../cluster/admission/admission';
import {
  existingNodesOf,
  flexSetsOf,
  type PreviousOperation,
  resourcesThatMayExist,
} from '../cluster/admission/staleResources';
import type * as Planner from '../cluster/plan';
import type { Plan, PlannedResource } from '../cluster/plan/types';
import type * as Validate from '../cluster/validate';
import { readAksEvents } from '../events/aksEvents';
import type * as AksPreflight from '../resources/aksPreflight';
import { armSettingsFromEnv, createArmClients } from '../resources/clients';
import { readFlexPools, readScaleSetCapacities, scaleSetPoolView } from '../resources/flexPools';
import { provisionerPrincipalId } from '../resources/provisionerPrincipal';
import type * as Registry from '../resources/types/registry';
import { readAgentPoolSize } from './scaling/aksScaleStep';
import { readClusterRecord } from './scaling/clusterRecord';
import { scaledNodesOf, withScaledNodes } from './scaling/scaledNodes';
import { nodePoolViews } from './scaling/startPoolRequest';
import {
  applyInstanceId,
  clusterInstanceId,
  clusterNameOf,
  type ClusterStatusView,
  zoneInstanceId,
} from './shared/clusterStatus';
import { clusterView, isDeleted, operationInputOf } from './shared/clusterView';
import {
  type ApplyPlanStatus,
  type ClusterOperationInput,
  DurableFunctions,
} from './shared/durableFunctions';
import { NODE_PROGRESS_ENTITY, type NodeProgressState } from './shared/nodeProgress';
import { readSpecBody } from './shared/specBody';
import { isInstanceConflict, isInstanceNotFound, startFailedMessage } from './shared/startConflict';

const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit => ({
  status,
  jsonBody: body,
  headers: { 'content-type': 'application/json', ...headers },
});

const problem = (status: number, code: string, message: string): HttpResponseInit =>
  json(status, { error: { code, message } });

function stateOf(status: DurableOrchestrationStatus | undefined): InstanceState | undefined {
  return status ? { name: status.name, runtimeStatus: String(status.runtimeStatus) } : undefined;
}

/** getStatus, with "no such instance" (HTTP 404 from the extension) as undefined. */
async function tryGetStatus(
  client: DurableClient,
  instanceId: string,
): Promise<DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(instanceId, { showInput: true });
  } catch (err) {
    if (isInstanceNotFound(err)) return undefined;
    throw err;
  }
}

/** The subscription to provision in, from the app settings (a misconfiguration is the server's fault: 500). */
function subscriptionIdFromSettings(): { ok: true; id: string } | { ok: false; message: string } {
  try {
    return { ok: true, id: armSettingsFromEnv(process.env).subscriptionId };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * The app's own principal (provisionerPrincipal.ts), which an IaaS cluster's vault gives Key Vault
 * Secrets Officer; a missing or malformed setting is the server's fault (500) and names the setting.
 * (The credential caches its token, so asking on every POST costs nothing.)
 */
async function principalFromSettings(): Promise<{ ok: true; id: string } | { ok: false; message: string }> {
  try {
    const id = await provisionerPrincipalId(process.env, createArmClients(armSettingsFromEnv(process.env)));
    return { ok: true, id };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * The spec validator and planner (zod schemas, region tables) are loaded on the first POST rather
 * than when the app starts: they are most of this app's own module-load time (cold start).
 */
function planning(): {
  parseClusterSpec: typeof Validate.parseClusterSpec;
  planCluster: typeof Planner.planCluster;
} {
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy loading keeps cold start small */
  const validate = require('../cluster/validate') as typeof Validate;
  const planner = require('../cluster/plan') as typeof Planner;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return { parseClusterSpec: validate.parseClusterSpec, planCluster: planner.planCluster };
}

/** `dryRun`: absent, `true` or `false` (any case); anything else is refused rather than guessed. */
function dryRunOf(request: HttpRequest): { ok: true; dryRun: boolean } | { ok: false; message: string } {
  const value = request.query.get('dryRun');
  if (value === null) return { ok: true, dryRun: false };
  const v = value.toLowerCase();
  if (v === 'true' || v === 'false') return { ok: true, dryRun: v === 'true' };
  return { ok: false, message: `dryRun must be "true" or "false" (got "${value.slice(0, 40)}")` };
}

/** Why the cluster is busy (see admission.ts), reading its zones' instances from the durable store. */
async function clusterBusy(
  client: DurableClient,
  instanceId: string,
  status: DurableOrchestrationStatus | undefined,
  previous: PreviousOperation | undefined,
): Promise<string | undefined> {
  const current = stateOf(status);
  if (isActive(current)) return busyReason(current, []);
  // The apply sub-orchestration can outlive its parent (terminated): a new run must not write over it.
  const apply = stateOf(await tryGetStatus(client, applyInstanceId(instanceId)));
  if (apply && isActive(apply)) return `its apply (${applyInstanceId(instanceId)}) is ${apply.runtimeStatus}`;
  const zones = [];
  for (const zone of zonesToCheck(previous)) {
    const state = stateOf(await tryGetStatus(client, zoneInstanceId(instanceId, zone)));
    zones.push({ zone, state });
    if (isActive(state)) break;
  }
  return busyReason(current, zones);
}

function startFailed(
  context: InvocationContext,
  err: unknown,
  clusterName: string,
  operation: 'provisioning' | 'deletion',
): HttpResponseInit {
  const text = err instanceof Error ? err.message : String(err);
  context.warn(`starting the ${operation} of cluster "${clusterName}" failed: ${text.slice(0, 500)}`);
  return isInstanceConflict(err)
    ? problem(409, 'OperationInProgress', `an operation on cluster "${clusterName}" is already running`)
    : problem(500, 'StartFailed', startFailedMessage(clusterName, operation));
}

async function createCluster(request: HttpRequest, client: DurableClient, context: InvocationContext) {
  const dryRun = dryRunOf(request);
  if (!dryRun.ok) return json(400, { errors: [{ path: 'dryRun', message: dryRun.message }] });
  const body = await readSpecBody(request);
  if (!body.ok) return body.response;
  const { parseClusterSpec, planCluster } = planning();
  const parsed = parseClusterSpec(body.text);
  if (!parsed.ok) return json(400, { errors: parsed.errors });
  const spec = parsed.spec;
  const subscription = subscriptionIdFromSettings();
  if (!subscription.ok) return problem(500, 'InvalidSetting', subscription.message);

  const provisioner = spec.type === 'iaas' ? await principalFromSettings() : undefined;
  if (provisioner && !provisioner.ok) return problem(500, 'InvalidSetting', provisioner.message);

  const instanceId = clusterInstanceId(spec.name);
  const existing = await tryGetStatus(client, instanceId);
  // Nodes a pool scaled to count as the cluster's too (kept in place, or pruned by the new count).
  const recorded = previousOperation(existing);
  const scaled = await scaledNodesOf(client, existing ? operationInputOf(existing) : undefined);
  const previous = recorded && { ...recorded, input: withScaledNodes(recorded.input, scaled.extra) };
  // Existing nodes keep their names and zones whatever the spec now says (see docs/operations.md).
  const mayExist = resourcesThatMayExist(previous);
  const existingNodes = existingNodesOf(mayExist);
  // Flexible pools' members are named by Azure: each zone's current count is read from ARM (one list).
  const flexSets = spec.type === 'iaas' ? flexSetsOf(mayExist) : [];
  let existingScaleSets: Awaited<ReturnType<typeof readScaleSetCapacities>> | undefined;
  if (flexSets.length > 0) {
    try {
      const settings = armSettingsFromEnv(process.env);
      statusArm ??= createArmClients(settings);
      existingScaleSets = await readScaleSetCapacities(statusArm, flexSets, { retry: settings.retry ?? {} });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      context.warn(`reading the scale sets of "${spec.name}" failed: ${message.slice(0, 300)}`);
      return problem(
        502,
        'ArmReadFailed',
        `could not read the cluster's scale sets: ${message.slice(0, 300)}`,
      );
    }
  }
  let plan: Plan;
  try {
    plan = planCluster(spec, {
      subscriptionId: subscription.id,
      ...(Object.keys(existingNodes).length > 0 ? { existingNodes } : {}),
      ...(existingScaleSets ? { existingScaleSets } : {}),
      ...(provisioner?.ok ? { provisionerPrincipalId: provisioner.id } : {}),
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // A pool's orchestration is what it was built with (cluster/plan/scaleSets.ts): refused, nothing written.
    if (err instanceof Error && err.name === 'OrchestrationChangeError') {
      return problem(409, 'ClusterSettingImmutable', message);
    }
    return json(400, { errors: [{ path: '', message }] });
  }
  if (dryRun.dryRun) return json(200, plan);
  if (spec.type === 'aks') {
    // What AKS would refuse minutes in, refused now with field paths: changes it cannot make to an
    // existing pool, versions the region does not offer, a brought VNet that does not fit.
    const before = previous?.input.spec !== undefined ? parseClusterSpec(previous.input.spec) : undefined;
    const changeErrors = aksChangeErrors(previous, before?.ok ? before.spec : undefined, spec);
    if (changeErrors.length > 0) return json(400, { errors: changeErrors });
    let preflight: Awaited<ReturnType<typeof AksPreflight.aksPreflight>>;
    try {
      /* eslint-disable @typescript-eslint/no-require-imports -- lazy: the SDKs load on the first AKS POST */
      const { aksPreflight } = require('../resources/aksPreflight') as typeof AksPreflight;
      const { resourceTypes } = require('../resources/types/registry') as typeof Registry;
      /* eslint-enable @typescript-eslint/no-require-imports */
      const settings = armSettingsFromEnv(process.env);
      preflight = await aksPreflight(resourceTypes, createArmClients(settings), spec, {
        retry: settings.retry ?? {},
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      context.warn(`AKS preflight for "${spec.name}" failed: ${message.slice(0, 300)}`);
      return problem(
        502,
        'PreflightFailed',
        `could not read what AKS offers in ${spec.location}: ${message.slice(0, 300)}`,
      );
    }
    if (preflight.length > 0) return json(400, { errors: preflight });
  }

  const admission = admitProvisioning({
    clusterName: spec.name,
    plan,
    controlPlaneCount: spec.type === 'iaas' ? spec.controlPlane.count : 0,
    poolNames: spec.nodePools.map((p) => p.name),
    spec,
    previous,
    // Scaling and provisioning never race: a pool's running scale step makes the cluster busy.
    busy:
      (await clusterBusy(client, instanceId, existing, previous)) ??
      (scaled.running.length > 0
        ? `node pool ${scaled.running.map((p) => `"${p}"`).join(', ')} is scaling`
        : undefined),
  });
  if (!admission.ok) return problem(409, admission.code, admission.message);
  const { prune, existing: fromBefore } = admission;
  const input: ClusterOperationInput = {
    clusterName: spec.name,
    plan,
    onFailure: spec.onFailure,
    spec,
    requestedAt: new Date().toISOString(),
    ...(prune.length > 0 ? { prune } : {}),
    ...(fromBefore.length > 0 ? { existing: fromBefore } : {}),
  };
  try {
    await client.startNew(DurableFunctions.provisionCluster, { instanceId, input });
  } catch (err) {
    return startFailed(context, err, spec.name, 'provisioning');
  }
  context.log(`started provisioning of cluster "${spec.name}" as ${instanceId}`);
  return client.createCheckStatusResponse(request, instanceId);
}

function previousOperation(status: DurableOrchestrationStatus | undefined): PreviousOperation | undefined {
  const input = status ? operationInputOf(status) : undefined;
  if (!status || !input) return undefined;
  const view = clusterView(clusterNameOf(status.instanceId) ?? input.clusterName, status);
  return {
    input,
    operation: status.name === DurableFunctions.deleteCluster ? 'delete' : 'provision',
    runtimeStatus: String(status.runtimeStatus),
    ...(view.rolledBack === true ? { rolledBack: true } : {}),
  };
}

async function listClusters(client: DurableClient) {
  const all = await client.getStatusAll();
  const clusters: ClusterStatusView[] = [];
  for (const status of all) {
    const name = clusterNameOf(status.instanceId);
    if (!name) continue;
    const view = clusterView(name, status);
    if (!isDeleted(view)) clusters.push(view);
  }
  clusters.sort((a, b) => a.name.localeCompare(b.name));
  return json(200, { clusters });
}

/**
 * While the parent waits for its apply sub-orchestration (`cluster-<name>:apply`), that one's custom
 * status has the live progress: resources done, nodes per zone, API server, pools, placements.
 */
async function mergeApplyProgress(
  client: DurableClient,
  view: ClusterStatusView,
  status: DurableOrchestrationStatus,
): Promise<void> {
  if (view.phase !== 'Provisioning') return;
  let child: DurableOrchestrationStatus;
  try {
    child = await client.getStatus(applyInstanceId(status.instanceId), { showInput: false });
  } catch (err) {
    if (isInstanceNotFound(err)) return;
    throw err;
  }
  const runId = operationInputOf(status)?.requestedAt;
  const created =
    child.createdTime instanceof Date ? child.createdTime.getTime() : Date.parse(String(child.createdTime));
  // A child of an earlier run (the parent has not started this run's yet) says nothing about this one.
  if (runId !== undefined && created < Date.parse(runId)) return;
  const progress = (
    typeof child.customStatus === 'string' ? JSON.parse(child.customStatus) : child.customStatus
  ) as Partial<ApplyPlanStatus> | null | undefined;
  if (!progress || typeof progress !== 'object') return;
  if (progress.resources && view.resources)
    view.resources.done = Math.max(view.resources.done, progress.resources.done);
  if (progress.zones) view.zones = progress.zones;
  if (progress.apiServer) view.apiServer = progress.apiServer;
  if (progress.fqdn) view.fqdn = progress.fqdn;
  if (progress.pools) view.pools = progress.pools;
  if (progress.placements) view.placements = progress.placements;
}

/** Nodes that became ready since the zone's orchestrator last reported (see shared/nodeProgress.ts). */
async function mergeLiveNodeProgress(
  client: DurableClient,
  view: ClusterStatusView,
  status: DurableOrchestrationStatus,
): Promise<void> {
  const runId = operationInputOf(status)?.requestedAt;
  if (!runId || !view.zones) return;
  const entity = await client.readEntityState<NodeProgressState>(
    new df.EntityId(NODE_PROGRESS_ENTITY, view.name),
  );
  const state = entity.entityExists ? entity.entityState : undefined;
  if (!state || state.runId !== runId) return;
  const plan = operationInputOf(status)?.plan;
  const perNode = new Map<string, number>();
  for (const r of plan?.resources ?? []) if (r.node) perNode.set(r.node, (perNode.get(r.node) ?? 0) + 1);
  for (const [zone, progress] of Object.entries(view.zones)) {
    const ready = state.ready[zone] ?? [];
    // A zone reports its nodes (and counts their resources) only when all of them are done; the nodes
    // ready since then count now, each with its resources, so `resources.done` grows node by node.
    const unreported = ready.slice(progress.nodesReady);
    if (view.resources) {
      const extra = unreported.reduce((sum, node) => sum + (perNode.get(node) ?? 0), 0);
      view.resources.done = Math.min(view.resources.total, view.resources.done + extra);
    }
    progress.nodesReady = Math.min(progress.nodesTotal, Math.max(progress.nodesReady, ready.length));
  }
}

/** Only clusters are clusters: `demo:zone-1` names a zone's sub-orchestration, not a cluster. */
const isClusterName = (name: string): boolean => clusterNameOf(clusterInstanceId(name)) === name;

/** ARM clients of the status route (AKS pools' live sizes), made on first use. */
let statusArm: ReturnType<typeof createArmClients> | undefined;

async function getCluster(request: HttpRequest, client: DurableClient) {
  const name = request.params['name'] ?? '';
  const status = isClusterName(name) ? await tryGetStatus(client, clusterInstanceId(name)) : undefined;
  if (!status) return problem(404, 'ClusterNotFound', `no cluster named "${name}"`);
  const view = clusterView(name, status);
  if (isActive(stateOf(status)) && view.operation === 'provision') {
    await mergeApplyProgress(client, view, status);
    await mergeLiveNodeProgress(client, view, status);
  }
  const record = await readClusterRecord(client, name);
  if (record && !record.deleted) {
    const aks =
      // Read live once the cluster is up (while it is being created or deleted, the plan's sizes show).
      record.spec.type === 'aks' && !record.active
        ? (statusArm ??= createArmClients(armSettingsFromEnv(process.env)))
        : undefined;
    view.nodePools = await nodePoolViews(
      client,
      record,
      aks && ((pool) => readAgentPoolSize(record, pool, aks)),
    );
  }
  if (record && !record.deleted && record.spec.type === 'iaas') {
    const scaleSetPools = await flexPoolViews(record.input.plan.resources, record.spec.nodePools);
    if (scaleSetPools) view.scaleSetPools = scaleSetPools;
  }
  if (record && !record.deleted && record.spec.type === 'aks') {
    const aksEvents = await readAksEvents(client, name);
    if (aksEvents) view.aksEvents = aksEvents;
  }
  return json(200, view);
}

/**
 * The Flexible pools' sets and member VMs as ARM has them (one scale set list and one VM list per
 * resource group); undefined when the cluster has none. A failed read shows as the pool's `error`.
 */
async function flexPoolViews(
  resources: readonly PlannedResource[],
  pools: readonly { name: string; count: number }[],
): Promise<ClusterStatusView['scaleSetPools']> {
  const sets = flexSetsOf(resources);
  if (sets.length === 0) return undefined;
  const settings = armSettingsFromEnv(process.env);
  statusArm ??= createArmClients(settings);
  const byPool = await readFlexPools(statusArm, sets, { retry: settings.retry ?? {} });
  const out: NonNullable<ClusterStatusView['scaleSetPools']> = {};
  for (const [pool, states] of Object.entries(byPool)) {
    out[pool] = scaleSetPoolView(pools.find((p) => p.name === pool)?.count ?? 0, states);
  }
  return out;
}

async function deleteCluster(request: HttpRequest, client: DurableClient, context: InvocationContext) {
  const name = request.params['name'] ?? '';
  const instanceId = clusterInstanceId(name);
  const status = isClusterName(name) ? await tryGetStatus(client, instanceId) : undefined;
  const input = status ? operationInputOf(status) : undefined;
  if (!status || !input || isDeleted(clusterView(name, status))) {
    return problem(404, 'ClusterNotFound', `no cluster named "${name}"`);
  }
  const admission = admitDeletion({
    clusterName: name,
    busy: await clusterBusy(client, instanceId, status, previousOperation(status)),
  });
  if (!admission.ok) return problem(409, admission.code, admission.message);
  const next: ClusterOperationInput = { ...input, requestedAt: new Date().toISOString() };
  try {
    await client.startNew(DurableFunctions.deleteCluster, { instanceId, input: next });
  } catch (err) {
    return startFailed(context, err, name, 'deletion');
  }
  context.log(`started deletion of cluster "${name}" as ${instanceId}`);
  return client.createCheckStatusResponse(request, instanceId);
}

df.app.client.http('clustersCreate', {
  route: 'clusters',
  methods: ['POST'],
  authLevel: 'function',
  handler: createCluster,
});

df.app.client.http('clustersList', {
  route: 'clusters',
  methods: ['GET'],
  authLevel: 'function',
  handler: (_request, client) => listClusters(client),
});

df.app.client.http('clustersGet', {
  route: 'clusters/{name}',
  methods: ['GET'],
  authLevel: 'function',
  handler: getCluster,
});

df.app.client.http('clustersDelete', {
  route: 'clusters/{name}',
  methods: ['DELETE'],
  authLevel: 'function',
  handler: deleteCluster,
});

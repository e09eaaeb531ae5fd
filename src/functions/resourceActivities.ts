/**
 * Activities that touch ARM: every side effect of the cluster workflows lives here, over the SDK
 * clients built once per process from the app settings (emulator locally, real ARM on Azure).
 */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { budgetLimitsFromEnv } from '../cluster/budget/requestBudget';
import type { PlannedResource } from '../cluster/plan/types';
import { ResourceTypes } from '../cluster/plan/types';
import { relocatedVm } from '../cluster/plan/zonalFallback';
import { type AdvanceUnit, advanceUnits, type ChainStep, type Relocation } from '../resources/advanceUnits';
import { type ArmSettings, armSettingsFromEnv, createArmClients } from '../resources/clients';
import { rbacWaitFromEnv, writeClusterSecretsAfterApply } from '../resources/clusterSecrets';
import { defaultRetryPolicy, type ReconcileClients, type RetryPolicy } from '../resources/reconcile';
import { applyChain, deleteChain } from '../resources/resourceChains';
import { verifyResourceGroup } from '../resources/resourceGroups';
import { resourceTypes } from '../resources/types/registry';
import {
  type AdvanceOperationsInput,
  type AdvanceOperationsOutput,
  type ApplyResourcesInput,
  type ApplyResourcesOutput,
  type ClusterOperationInput,
  type DeleteResourcesInput,
  type DeleteResourcesOutput,
  DurableFunctions,
  type OperationsPacing,
  type PlanReference,
  type StepReference,
  type VerifyResourceGroupInput,
} from './shared/durableFunctions';
import { NODE_PROGRESS_ENTITY } from './shared/nodeProgress';

let settings: ArmSettings | undefined;
let clients: ReconcileClients | undefined;

/** Read once per process: a malformed setting fails the activity with an error naming it. */
function armSettings(): ArmSettings {
  settings ??= armSettingsFromEnv(process.env);
  return settings;
}

/** Built on first use so loading the app imports no SDK (cold start). */
function armClients(): Promise<ReconcileClients> {
  clients ??= createArmClients(armSettings());
  return Promise.resolve(clients);
}

/** `ARM_RETRY_MAX_ATTEMPTS`, `ARM_RETRY_BASE_DELAY_MS`, `ARM_RETRY_MAX_DELAY_MS` tune the transient retry. */
function retryPolicy(): Partial<RetryPolicy> {
  return armSettings().retry ?? {};
}

df.app.activity(DurableFunctions.verifyResourceGroup, {
  handler: async (input: VerifyResourceGroupInput) =>
    verifyResourceGroup(await armClients(), input.subscriptionId, input.resourceGroup, {
      retry: retryPolicy(),
    }),
});

/** Tells the cluster's progress entity which nodes of the chain are ready; never fails the activity. */
async function reportReadyNodes(
  context: InvocationContext,
  input: ApplyResourcesInput,
  outcome: ApplyResourcesOutput,
): Promise<void> {
  const target = input.progress;
  if (!target) return;
  const done = new Set(outcome.results.map((r) => r.id));
  const nodes = input.resources.filter(
    (r) => r.type === ResourceTypes.virtualMachine && r.node !== undefined && done.has(r.id),
  );
  if (nodes.length === 0) return;
  try {
    const client = df.getClient(context);
    const entity = new df.EntityId(NODE_PROGRESS_ENTITY, target.clusterName);
    for (const vm of nodes) {
      await client.signalEntity(entity, 'nodeReady', {
        runId: target.runId,
        zone: target.zone,
        node: vm.node,
      });
    }
  } catch (err) {
    context.warn(`could not report node progress: ${err instanceof Error ? err.message : String(err)}`);
  }
}

df.app.activity(DurableFunctions.applyResources, {
  extraInputs: [df.input.durableClient()],
  handler: async (input: ApplyResourcesInput, context): Promise<ApplyResourcesOutput> => {
    const outcome = await applyChain(
      resourceTypes,
      await armClients(),
      input.resources,
      {
        retry: retryPolicy(),
        onRetry: ({ resourceId, attempt, delayMs, error }) =>
          context.warn(`retrying ${resourceId} in ${delayMs} ms after ${error.armCode} (attempt ${attempt})`),
      },
      writeClusterSecretsAfterApply(
        await armClients(),
        { retry: retryPolicy() },
        {
          maxWaitMs: rbacWaitFromEnv(process.env),
          onWait: ({ attempt, delayMs }) =>
            context.warn(
              `Key Vault refused the provisioner (ForbiddenByRbac, attempt ${attempt}): its role assignment is propagating; retrying in ${delayMs} ms`,
            ),
        },
      ),
    );
    await reportReadyNodes(context, input, outcome);
    for (const r of outcome.results) context.log(`${r.action} ${r.id}`);
    if (outcome.failure) {
      context.error(
        `failed ${outcome.failure.resource}: ${outcome.failure.code}: ${outcome.failure.message}`,
      );
    }
    return outcome;
  },
});

df.app.activity(DurableFunctions.deleteResources, {
  handler: async (input: DeleteResourcesInput, context): Promise<DeleteResourcesOutput> => {
    const outcome = await deleteChain(resourceTypes, await armClients(), input.resources, {
      retry: retryPolicy(),
    });
    for (const r of outcome.results) context.log(`${r.action} ${r.id}`);
    if (outcome.failure) {
      context.error(
        `failed to delete ${outcome.failure.resource}: ${outcome.failure.code}: ${outcome.failure.message}`,
      );
    }
    return outcome;
  },
});

function pacing(): OperationsPacing {
  const retry = { ...defaultRetryPolicy, ...retryPolicy() };
  return {
    pollAfterMs: armSettings().pollIntervalMs,
    timeScale: timeScale(),
    maxAttempts: retry.maxAttempts,
    baseDelayMs: retry.baseDelayMs,
    maxDelayMs: retry.maxDelayMs,
  };
}

let scale: number | undefined;
/** `ARM_BUDGET_TIME_SCALE`: wall-clock seconds per Azure second (the subscription budget's setting). */
function timeScale(): number {
  scale ??= budgetLimitsFromEnv(process.env).timeScale;
  return scale;
}

/** Plans fetched by reference, per process (a few runs at most are being applied at once). */
const plans = new Map<string, Promise<PlannedResource[]>>();
const PLANS_KEPT = 8;

/**
 * The planned resources of a cluster operation, read once per process from that operation's own input
 * (the durable store keeps it): activities get indices into it instead of megabytes of bodies.
 */
function plannedResourcesOf(context: InvocationContext, ref: PlanReference): Promise<PlannedResource[]> {
  const key = `${ref.instanceId}|${ref.runId}`;
  let found = plans.get(key);
  if (!found) {
    found = (async () => {
      const status = await df.getClient(context).getStatus(ref.instanceId, { showInput: true });
      const input = status.input as Partial<ClusterOperationInput> | null | undefined;
      if (!input?.plan || input.requestedAt !== ref.runId) {
        throw new Error(
          `the plan of run ${ref.runId} of ${ref.instanceId} is no longer stored (a newer run replaced it)`,
        );
      }
      return input.plan.resources;
    })();
    found.catch(() => plans.delete(key));
    plans.set(key, found);
    while (plans.size > PLANS_KEPT) plans.delete(plans.keys().next().value as string);
  }
  return found;
}

/** Signals the progress entity for VMs that became ready; never fails the activity. */
async function reportNodes(
  context: InvocationContext,
  target: { clusterName: string; runId: string } | undefined,
  vms: ChainStep[],
): Promise<void> {
  if (!target || vms.length === 0) return;
  try {
    const client = df.getClient(context);
    const entity = new df.EntityId(NODE_PROGRESS_ENTITY, target.clusterName);
    for (const vm of vms) {
      await client.signalEntity(entity, 'nodeReady', {
        runId: target.runId,
        zone: vm.zone ?? 'none',
        node: vm.node,
      });
    }
  } catch (err) {
    context.warn(`could not report node progress: ${err instanceof Error ? err.message : String(err)}`);
  }
}

df.app.activity(DurableFunctions.advanceOperations, {
  extraInputs: [df.input.durableClient()],
  handler: async (input: AdvanceOperationsInput, context): Promise<AdvanceOperationsOutput> => {
    const clients = await armClients();
    const byRef = (s: StepReference): s is number | { ref: number; relocate: Relocation } =>
      typeof s === 'number' || !('id' in s);
    const needsPlan = input.units.some((u) => u.steps.some(byRef));
    const planned = needsPlan && input.plan ? await plannedResourcesOf(context, input.plan) : [];
    const units: AdvanceUnit[] = input.units.map((u) => ({
      ...u,
      steps: u.steps.map((s): ChainStep => {
        if (!byRef(s)) return s;
        const index = typeof s === 'number' ? s : s.ref;
        const r = planned[index];
        if (!r) throw new Error(`step ${index} is not in the referenced plan`);
        return typeof s === 'number' ? r : relocatedVm(r, s.relocate.zone, s.relocate.error);
      }),
    }));
    // A node is shown ready as soon as its VM is, not when this call returns (the call may hold on).
    const reports: Promise<void>[] = [];
    const out = await advanceUnits(resourceTypes, clients, units, {
      onStepDone: (step) => {
        if (
          input.kind === 'apply' &&
          step.type === ResourceTypes.virtualMachine &&
          step.node !== undefined &&
          step.step !== 'delete'
        )
          reports.push(reportNodes(context, input.progress, [step]));
      },
      kind: input.kind,
      holdMs: input.holdMs,
      pollEveryMs: input.pollEveryMs,
      maxPollReads: input.maxPollReads,
      timeScale: timeScale(),
      // A cluster's vault gets its secrets as soon as it exists (only public facts join its outputs).
      afterApply: writeClusterSecretsAfterApply(
        clients,
        { retry: retryPolicy() },
        {
          maxWaitMs: rbacWaitFromEnv(process.env),
          onWait: ({ attempt, delayMs }) =>
            context.warn(
              `Key Vault refused the provisioner (ForbiddenByRbac, attempt ${attempt}): its role assignment is propagating; retrying in ${delayMs} ms`,
            ),
        },
      ),
    });
    out.units.forEach((u) => {
      for (const r of u.results) context.log(`${r.action} ${r.id}`);
      const o = u.outcome;
      if (o?.state === 'failed') context.error(`failed ${o.id}: ${o.failure.code}: ${o.failure.message}`);
      else if (o?.state === 'retry') context.warn(`retrying ${o.id} after ${o.failure.code}`);
    });
    await Promise.all(reports);
    return { units: out.units, reads: out.reads, writes: out.writes, pacing: pacing() };
  },
});

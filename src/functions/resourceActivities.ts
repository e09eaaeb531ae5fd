/**
 * Activities that touch ARM: every side effect of the cluster workflows lives here, over the SDK
 * clients built once per process from the app settings (emulator locally, real ARM on Azure).
 */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { ResourceTypes } from '../cluster/plan/types';
import {
  mapLimit,
  type OperationOutcome,
  pollOperations,
  startApply,
  startDelete,
} from '../resources/asyncReconcile';
import { type ArmSettings, armSettingsFromEnv, createArmClients } from '../resources/clients';
import { writeClusterSecretsAfterApply } from '../resources/clusterSecrets';
import { defaultRetryPolicy, type ReconcileClients, type RetryPolicy } from '../resources/reconcile';
import { applyChain, deleteChain } from '../resources/resourceChains';
import { verifyResourceGroup } from '../resources/resourceGroups';
import { resourceTypes } from '../resources/types/registry';
import {
  type ApplyResourcesInput,
  type ApplyResourcesOutput,
  type DeleteResourcesInput,
  type DeleteResourcesOutput,
  DurableFunctions,
  type OperationsOutput,
  type OperationsPacing,
  type PollOperationsInput,
  type StartOperationsInput,
  type VerifyResourceGroupInput,
} from './shared/durableFunctions';
import { NODE_PROGRESS_ENTITY, type NodeProgressTarget } from './shared/nodeProgress';

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
      writeClusterSecretsAfterApply(await armClients(), { retry: retryPolicy() }),
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

/** Requests one start activity sends at once (each resource is a GET and at most one write). */
const START_CONCURRENCY = 32;

function pacing(): OperationsPacing {
  const retry = { ...defaultRetryPolicy, ...retryPolicy() };
  return {
    pollAfterMs: armSettings().pollIntervalMs,
    maxAttempts: retry.maxAttempts,
    baseDelayMs: retry.baseDelayMs,
    maxDelayMs: retry.maxDelayMs,
  };
}

/** Signals the progress entity for VMs that became ready; never fails the activity. */
async function reportNodes(
  context: InvocationContext,
  target: NodeProgressTarget | undefined,
  nodes: string[],
): Promise<void> {
  if (!target || nodes.length === 0) return;
  try {
    const client = df.getClient(context);
    const entity = new df.EntityId(NODE_PROGRESS_ENTITY, target.clusterName);
    for (const node of nodes) {
      await client.signalEntity(entity, 'nodeReady', { runId: target.runId, zone: target.zone, node });
    }
  } catch (err) {
    context.warn(`could not report node progress: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function logOutcomes(context: InvocationContext, outcomes: OperationOutcome[]): void {
  for (const o of outcomes) {
    if (o.state === 'applied' || o.state === 'deleted') context.log(`${o.result.action} ${o.id}`);
    else if (o.state === 'failed') context.error(`failed ${o.id}: ${o.failure.code}: ${o.failure.message}`);
    else if (o.state === 'retry') context.warn(`retrying ${o.id} after ${o.failure.code}`);
  }
}

df.app.activity(DurableFunctions.startOperations, {
  extraInputs: [df.input.durableClient()],
  handler: async (input: StartOperationsInput, context): Promise<OperationsOutput> => {
    const clients = await armClients();
    // A cluster's vault gets its secrets as soon as it exists (only public facts join its outputs).
    const afterApply = writeClusterSecretsAfterApply(clients, { retry: retryPolicy() });
    const outcomes = await mapLimit(input.resources, START_CONCURRENCY, async (r) => {
      if (input.kind !== 'apply' || r.step === 'delete') return startDelete(resourceTypes, clients, r);
      const outcome = await startApply(resourceTypes, clients, r);
      return outcome.state === 'applied' && r.owned
        ? { ...outcome, result: await afterApply(r, outcome.result) }
        : outcome;
    });
    logOutcomes(context, outcomes);
    const ready = input.resources.filter(
      (r, i) =>
        r.type === ResourceTypes.virtualMachine && r.node !== undefined && outcomes[i]?.state === 'applied',
    );
    if (input.kind === 'apply')
      await reportNodes(
        context,
        input.progress,
        ready.map((r) => r.node ?? ''),
      );
    return {
      outcomes,
      reads: input.resources.length,
      writes: outcomes.filter((o) => o.state !== 'restart').length,
      pacing: pacing(),
    };
  },
});

df.app.activity(DurableFunctions.pollOperations, {
  extraInputs: [df.input.durableClient()],
  handler: async (input: PollOperationsInput, context): Promise<OperationsOutput> => {
    const outcomes = await pollOperations(resourceTypes, await armClients(), input.pending);
    logOutcomes(context, outcomes);
    const nodes = outcomes
      .filter((o) => o.state === 'applied')
      .map((o) => input.nodes?.[o.id])
      .filter((n): n is string => n !== undefined);
    await reportNodes(context, input.progress, nodes);
    return { outcomes, reads: 0, writes: 0, pacing: pacing() };
  },
});

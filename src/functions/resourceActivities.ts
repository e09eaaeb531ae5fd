/**
 * Activities that touch ARM: every side effect of the cluster workflows lives here, over the SDK
 * clients built once per process from the app settings (emulator locally, real ARM on Azure).
 */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { ResourceTypes } from '../cluster/plan/types';
import { type ArmSettings, armSettingsFromEnv, createArmClients } from '../resources/clients';
import { rbacWaitFromEnv, writeClusterSecretsAfterApply } from '../resources/clusterSecrets';
import type { ReconcileClients, RetryPolicy } from '../resources/reconcile';
import { applyChain, deleteChain } from '../resources/resourceChains';
import { verifyResourceGroup } from '../resources/resourceGroups';
import { resourceTypes } from '../resources/types/registry';
import {
  type ApplyResourcesInput,
  type ApplyResourcesOutput,
  type DeleteResourcesInput,
  type DeleteResourcesOutput,
  DurableFunctions,
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

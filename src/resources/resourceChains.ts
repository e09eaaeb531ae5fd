/**
 * Applying or deleting an ordered run of resources (a NIC then its VM; a VM then its NIC), stopping
 * at the first failure and reporting it as data: the orchestrator fans these out and needs every
 * branch's outcome, not just the first error.
 */
import type { ResourceFailure } from '../cluster/failure';
import type { PlannedResource } from '../cluster/plan/types';
import { classifyArmError } from './errors';
import { withPlannedInputs } from './plannedInputs';
import {
  applyResource,
  type ApplyResult,
  deleteResource,
  type DeleteResult,
  type ReconcileClients,
  type ReconcileOptions,
  verifyResource,
} from './reconcile';
import { parseResourceId } from './resourceId';
import type { ResourceTypeRegistry } from './types/registry';

/** The outputs of an existing resource (read live), for the fields other resources take from it. */
export async function outputsOfResource(
  types: ResourceTypeRegistry,
  clients: ReconcileClients,
  id: string,
  options: ReconcileOptions,
): Promise<Record<string, string>> {
  const type = parseResourceId(id).type;
  const result = await verifyResource(types, clients, { id, type, body: {} }, options);
  return result.outputs;
}

function failureOf(err: unknown, resourceId: string): ResourceFailure {
  return classifyArmError(err, resourceId).toFailure();
}

/**
 * Work that belongs to a resource once it exists, before the chain goes on (once the provisioner may
 * write a cluster's vault, its secrets are written, before the role assignment scoped to one of
 * them): returns the result, with any public outputs added. `outputsOf` reads another resource's
 * outputs live. A failure counts as the resource's.
 */
export type AfterApply = (
  planned: PlannedResource,
  result: ApplyResult,
  outputsOf: (id: string) => Promise<Record<string, string>>,
) => Promise<ApplyResult>;

/** Owned resources are applied, brought ones (`owned: false`) only verified. */
export async function applyChain(
  types: ResourceTypeRegistry,
  clients: ReconcileClients,
  resources: PlannedResource[],
  options: ReconcileOptions = {},
  afterApply?: AfterApply,
): Promise<{ results: ApplyResult[]; failure?: ResourceFailure }> {
  const results: ApplyResult[] = [];
  for (const planned of resources) {
    const r = planned;
    try {
      const filled = await withPlannedInputs(planned, (id) => outputsOfResource(types, clients, id, options));
      const result = r.owned
        ? await applyResource(types, clients, filled, options)
        : await verifyResource(types, clients, filled, options);
      results.push(
        afterApply && r.owned
          ? await afterApply(r, result, (id) => outputsOfResource(types, clients, id, options))
          : result,
      );
    } catch (err) {
      return { results, failure: failureOf(err, r.id) };
    }
  }
  return { results };
}

/** Deletes in order; never called with brought resources (the orchestrator filters them out). */
export async function deleteChain(
  types: ResourceTypeRegistry,
  clients: ReconcileClients,
  resources: Pick<PlannedResource, 'id' | 'type'>[],
  options: ReconcileOptions = {},
): Promise<{ results: DeleteResult[]; failure?: ResourceFailure }> {
  const results: DeleteResult[] = [];
  for (const r of resources) {
    try {
      results.push(await deleteResource(types, clients, r, options));
    } catch (err) {
      return { results, failure: failureOf(err, r.id) };
    }
  }
  return { results };
}

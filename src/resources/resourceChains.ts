/**
 * Applying or deleting an ordered run of resources (a NIC then its VM; a VM then its NIC), stopping
 * at the first failure and reporting it as data: the orchestrator fans these out and needs every
 * branch's outcome, not just the first error.
 */
import type { ResourceFailure } from '../cluster/failure';
import type { PlannedResource } from '../cluster/plan/types';
import { classifyArmError } from './errors';
import {
  applyResource,
  type ApplyResult,
  deleteResource,
  type DeleteResult,
  type ReconcileClients,
  type ReconcileOptions,
  verifyResource,
} from './reconcile';
import type { ResourceTypeRegistry } from './types/registry';

function failureOf(err: unknown, resourceId: string): ResourceFailure {
  return classifyArmError(err, resourceId).toFailure();
}

/** Owned resources are applied, brought ones (`owned: false`) only verified. */
export async function applyChain(
  types: ResourceTypeRegistry,
  clients: ReconcileClients,
  resources: PlannedResource[],
  options: ReconcileOptions = {},
): Promise<{ results: ApplyResult[]; failure?: ResourceFailure }> {
  const results: ApplyResult[] = [];
  for (const r of resources) {
    try {
      results.push(
        r.owned
          ? await applyResource(types, clients, r, options)
          : await verifyResource(types, clients, r, options),
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

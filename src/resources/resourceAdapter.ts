import type { ComputeManagementClient } from '@azure/arm-compute';
import type { NetworkManagementClient } from '@azure/arm-network';
import type { ResourceManagementClient } from '@azure/arm-resources';

import type { JsonObject } from '../cluster/plan/types';
import type { ResourceRef } from './resourceId';

/**
 * The SDK clients the reconciler uses. `createArmClients` (clients.ts) returns a superset; only types
 * are imported here so loading this module loads no SDK.
 */
export interface ReconcileClients {
  /**
   * The subscription the SDK clients are bound to. The SDK takes it from the client, not from the
   * resource id, so every id handed to the reconciler is checked against it.
   */
  subscriptionId: string;
  network: NetworkManagementClient;
  compute: ComputeManagementClient;
  resources: ResourceManagementClient;
  /** Gap between LRO polls (`updateIntervalInMs`). */
  pollIntervalMs: number;
}

export interface LroOptions {
  updateIntervalInMs: number;
}

/**
 * One ARM resource type behind the generic reconcile: how to GET, PUT (waiting for the LRO) and DELETE
 * it with the typed SDK client. Bodies in and out are SDK models as plain JSON.
 */
export interface ResourceAdapter {
  type: string;
  get(clients: ReconcileClients, ref: ResourceRef): Promise<JsonObject>;
  put(clients: ReconcileClients, ref: ResourceRef, model: JsonObject, lro: LroOptions): Promise<JsonObject>;
  delete(clients: ReconcileClients, ref: ResourceRef, lro: LroOptions): Promise<void>;
  /**
   * Top-level model fields kept from the actual resource on update when the plan leaves them out,
   * because they are managed as separate resources (a VNet's subnets): PUTting without them would
   * ask ARM to delete them.
   */
  carryOver?: readonly string[];
  /**
   * Adjusts the desired model for a resource that already exists, before it is compared and PUT:
   * fields ARM only accepts at creation keep their actual values, and a change ARM can never make
   * throws `TerminalError` instead of sending a doomed PUT.
   */
  forExisting?(desired: JsonObject, actual: JsonObject, ref: ResourceRef): JsonObject;
  /** Values worth reporting once the resource exists (e.g. a public IP's address). */
  outputs?(actual: JsonObject): Record<string, string>;
}

/** Name at a position of the ref (outermost first), with a clear error when the id is too short. */
export function nameAt(ref: ResourceRef, index: number): string {
  const name = ref.names[index];
  if (name === undefined) throw new Error(`Resource id "${ref.id}" has no name at level ${index}`);
  return name;
}

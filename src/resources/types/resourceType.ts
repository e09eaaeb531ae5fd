/**
 * One ARM resource type as the generic reconcile sees it, in the manner of Cluster API Provider
 * Azure's per-service specs: its SDK operations (through the lazily built client of its provider
 * namespace), what of the desired state is compared and what the service owns (`normalize`), its
 * secret fields and its outputs. Each type is one module under `types/<namespace>/`, listed once in
 * `registry.ts`; `reconcile.ts` names no concrete type.
 */
import type { JsonObject } from '../../cluster/plan/types';
import type { ResourceRef } from '../resourceId';
import { toJson } from '../wire';
import type { ArmConnection } from './sdkNamespace';

export interface LroOptions {
  updateIntervalInMs: number;
}

export interface ResourceTypeModule {
  /** The ARM type, e.g. `Microsoft.Network/publicIPAddresses` (from `ResourceTypes`). */
  type: string;
  /** GET; rejects with the SDK's RestError (404 when absent). Bodies are SDK models as plain JSON. */
  get(arm: ArmConnection, ref: ResourceRef): Promise<JsonObject>;
  /** PUT and wait for the long-running operation. */
  createOrUpdate(
    arm: ArmConnection,
    ref: ResourceRef,
    model: JsonObject,
    lro: LroOptions,
  ): Promise<JsonObject>;
  /** DELETE and wait for the long-running operation. */
  delete(arm: ArmConnection, ref: ResourceRef, lro: LroOptions): Promise<void>;
  /**
   * What remains of a deleted resource elsewhere and goes with it (a soft-deleted key vault is
   * purged). Runs after every delete, including one that found the resource already gone (a retry
   * after a crash between the two steps), so it must be idempotent.
   */
  afterDelete?(arm: ArmConnection, ref: ResourceRef, lro: LroOptions): Promise<void>;
  /**
   * The desired model for a resource that already exists, before it is compared and PUT: fields
   * ARM only accepts at creation keep their actual values, fields the service owns are left to it,
   * and a change ARM can never make throws `TerminalError` instead of sending a doomed PUT.
   */
  normalize?(desired: JsonObject, existing: JsonObject, ref: ResourceRef): JsonObject;
  /**
   * Top-level model fields kept from the actual resource on update when the plan leaves them out,
   * because they are managed as separate resources (a VNet's subnets): PUTting without them would
   * ask ARM to delete them.
   */
  carryOver?: readonly string[];
  /**
   * Fields holding secrets (at any depth): ARM never returns them, so they are never compared, and
   * they never appear in outputs, logs or status.
   */
  secretFields?: readonly string[];
  /** Values worth reporting once the resource exists (e.g. a public IP's address). */
  outputs?(actual: JsonObject): Record<string, string>;
}

/** Name at a position of the ref (outermost first), with a clear error when the id is too short. */
export function nameAt(ref: ResourceRef, index: number): string {
  const name = ref.names[index];
  if (name === undefined) throw new Error(`Resource id "${ref.id}" has no name at level ${index}`);
  return name;
}

// The plan's bodies are checked against the SDK's own serializers by the integration tests (a
// re-apply makes no write), so these casts only move plain JSON across the library boundary.
export const asModel = <T>(body: JsonObject): T => body as unknown as T;
export const asJson = (value: unknown): JsonObject => toJson(value) as JsonObject;

/** The operations a top-level resource type has on its typed SDK client. */
export interface TopLevelOperations<T> {
  get(resourceGroup: string, name: string): PromiseLike<T>;
  createOrUpdate(resourceGroup: string, name: string, body: T, options: LroOptions): PromiseLike<T>;
  delete(resourceGroup: string, name: string, options: LroOptions): PromiseLike<unknown>;
}

/** A type addressed as `<resource group>/<name>` through one typed operation group. */
export function topLevelType<T>(
  type: string,
  operations: (arm: ArmConnection) => TopLevelOperations<T>,
  extra: Omit<ResourceTypeModule, 'type' | 'get' | 'createOrUpdate' | 'delete'> = {},
): ResourceTypeModule {
  return {
    type,
    get: async (arm, ref) => asJson(await operations(arm).get(ref.resourceGroup, nameAt(ref, 0))),
    createOrUpdate: async (arm, ref, body, lro) =>
      asJson(await operations(arm).createOrUpdate(ref.resourceGroup, nameAt(ref, 0), asModel<T>(body), lro)),
    delete: async (arm, ref, lro) => {
      await operations(arm).delete(ref.resourceGroup, nameAt(ref, 0), lro);
    },
    ...extra,
  };
}

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

/**
 * A long-running operation started but not waited for: either already finished (ARM answered 200/201
 * with a final state, or the type has no split start/poll) or an operation to follow, serialized by the
 * SDK's poller (`serialize()`; rebuilt elsewhere with the package's `restorePoller`). The serialized
 * state holds URLs and metadata only, never the request body.
 */
export type LroStart = { done: true; result: JsonObject | undefined } | { done: false; operation: string };

/** Starting an operation without holding it open, and reading many resources' states at once. */
export interface AsyncOperations {
  /** PUT; returns once ARM accepted it. */
  beginCreateOrUpdate(
    arm: ArmConnection,
    ref: ResourceRef,
    model: JsonObject,
    lro: LroOptions,
  ): Promise<LroStart>;
  /** DELETE; returns once ARM accepted it. */
  beginDelete(arm: ArmConnection, ref: ResourceRef, lro: LroOptions): Promise<LroStart>;
  /**
   * One poll of an operation `beginX` returned; rejects with ARM's error when the operation failed
   * (a zonal allocation failure arrives this way).
   */
  pollOnce(
    arm: ArmConnection,
    operation: string,
    kind: 'write' | 'delete',
    lro: LroOptions,
  ): Promise<LroStart>;
  /** Every resource of the type in a resource group (one paged list call): many states in one read. */
  list?(arm: ArmConnection, resourceGroup: string): Promise<JsonObject[]>;
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
  /**
   * Start/poll split of the LROs (see asyncReconcile.ts); types without it are applied by `createOrUpdate`
   * (waiting on their operation inside one activity: only short ones should lack it).
   */
  async?: AsyncOperations;
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
  list?(resourceGroup: string): AsyncIterable<T>;
}

/** What the SDKs' pollers (`@azure/core-lro` 3 `PollerLike`) offer beyond a promise. */
interface PollerLike {
  readonly isDone: boolean;
  readonly result: unknown;
  submitted(): Promise<void>;
  serialize(): Promise<string>;
  poll(): Promise<unknown>;
}

function isPoller(value: PromiseLike<unknown>): value is PromiseLike<unknown> & PollerLike {
  const p = value as Partial<PollerLike>;
  return typeof p.submitted === 'function' && typeof p.serialize === 'function';
}

/** Sends the request and returns at once: the final result when ARM already finished, else the operation. */
export async function startOperation(started: PromiseLike<unknown>): Promise<LroStart> {
  if (!isPoller(started)) return { done: true, result: asJson(await started) };
  await started.submitted();
  if (started.isDone) {
    // Resolves with the result, or rejects with ARM's error when the operation failed at once.
    const result = await started;
    return { done: true, result: result === undefined ? undefined : asJson(result) };
  }
  return { done: false, operation: await started.serialize() };
}

/** One poll of a restored poller. */
export async function pollOperation(restored: unknown): Promise<LroStart> {
  const poller = restored as PollerLike;
  await poller.poll();
  if (!poller.isDone) return { done: false, operation: await poller.serialize() };
  return { done: true, result: poller.result === undefined ? undefined : asJson(poller.result) };
}

/**
 * Rebuilds a poller from its serialized state with the SDK package's `restorePoller`, given the
 * operation that started it (the package picks its deserializer by the request's URL and method).
 */
export type RestorePoller = (
  arm: ArmConnection,
  operation: string,
  source: (...args: never[]) => unknown,
) => unknown;

/** A type addressed as `<resource group>/<name>` through one typed operation group. */
export function topLevelType<T>(
  type: string,
  operations: (arm: ArmConnection) => TopLevelOperations<T>,
  extra: Omit<ResourceTypeModule, 'type' | 'get' | 'createOrUpdate' | 'delete' | 'async'> = {},
  restore?: RestorePoller,
): ResourceTypeModule {
  const async: AsyncOperations | undefined = restore && {
    beginCreateOrUpdate: (arm, ref, body, lro) =>
      startOperation(
        operations(arm).createOrUpdate(ref.resourceGroup, nameAt(ref, 0), asModel<T>(body), lro),
      ),
    beginDelete: (arm, ref, lro) =>
      startOperation(operations(arm).delete(ref.resourceGroup, nameAt(ref, 0), lro)),
    pollOnce: (arm, operation, kind) => {
      const ops = operations(arm);
      // restorePoller only reads the operation's name (for its error message); it never calls it.
      // eslint-disable-next-line @typescript-eslint/unbound-method
      const source = (kind === 'write' ? ops.createOrUpdate : ops.delete) as (...args: never[]) => unknown;
      return pollOperation(restore(arm, operation, source));
    },
    list: async (arm, resourceGroup) => {
      const ops = operations(arm);
      if (!ops.list) throw new Error(`${type} has no list operation`);
      const out: JsonObject[] = [];
      for await (const item of ops.list(resourceGroup)) out.push(asJson(item));
      return out;
    },
  };
  return {
    ...(async ? { async } : {}),
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

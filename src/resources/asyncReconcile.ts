/**
 * The reconcile of reconcile.ts split at the long-running operation, so that no activity holds one open:
 *  - `startApply` / `startDelete`: GET, compare, and when a write is needed send the PUT or DELETE and
 *    return at once — done (ARM finished at once, or nothing to write) or the operation to follow;
 *  - `pollOperations`: one call for many operations. Resources of types with a list operation are read
 *    with ONE list call per type and resource group (their `provisioningState`), whatever their number;
 *    only an operation that failed is then read on its own (its error code, e.g. ZonalAllocationFailed,
 *    is on the operation, not on the resource).
 * The orchestrator waits between polls with durable timers (functions/shared/lroDriver.ts). Both halves
 * are idempotent: a repeated start finds the resource mid-operation (or done) and never writes it again.
 * Failures are data: terminal ones `failed`, transient ones (throttling included) `retry` with what ARM
 * asked for, so the orchestrator slows the whole subscription instead of failing the resource.
 */
import type { ResourceFailure } from '../cluster/failure';
import type { JsonObject, PlannedResource } from '../cluster/plan/types';
import { classifyArmError, TerminalError } from './errors';
import { withPlannedInputs } from './plannedInputs';
import {
  type ApplyAction,
  type ApplyResult,
  assertSubscription,
  type DeleteResult,
  isNotFound,
  type ReconcileClients,
  verifyResource,
} from './reconcile';
import { parseResourceId, type ResourceRef } from './resourceId';
import type { ResourceTypeRegistry } from './types/registry';
import type { LroStart, ResourceTypeModule } from './types/resourceType';
import { diffDesired, wireToModel } from './wire';

/** An operation in flight (or a resource found mid-operation), as the orchestrator keeps it. */
export interface PendingOperation {
  id: string;
  type: string;
  kind: 'apply' | 'delete';
  /**
   * The SDK poller's serialized state. Absent when another writer's operation is being waited out —
   * and, to keep the orchestrator's history small, in polls of a type read by list (`ours` says then
   * that the operation is ours; its state is only sent again to read why it failed: `inspect`).
   */
  operation?: string;
  /** The operation was started by us (its state may have been left out of a poll). */
  ours?: boolean;
  /** The type can be read by one list call per resource group. */
  listed?: boolean;
  /** For applies: what the result will say. */
  action?: ApplyAction;
  changed?: string[];
}

export type OperationOutcome =
  | { state: 'applied'; id: string; result: ApplyResult }
  | { state: 'deleted'; id: string; result: DeleteResult }
  | { state: 'pending'; id: string; pending: PendingOperation }
  /** The resource settled after someone else's operation: start it again (compare, maybe write). */
  | { state: 'restart'; id: string }
  /** Our operation ended without success: poll it again with its state to read ARM's error. */
  | { state: 'inspect'; id: string }
  | { state: 'failed'; id: string; failure: ResourceFailure }
  | {
      state: 'retry';
      id: string;
      failure: ResourceFailure;
      /** What ARM asked for (Retry-After family), if anything. */
      retryAfterMs?: number;
      /** 429: the subscription's budget is exhausted, not just this resource busy. */
      throttled: boolean;
      /** Which of ARM's buckets was empty, when throttled. */
      throttledKind?: 'reads' | 'writes';
    };

const settlingStates = new Set(['creating', 'updating', 'deleting', 'provisioning', 'migrating']);

function provisioningStateOf(actual: JsonObject | undefined): string | undefined {
  const state = actual?.['provisioningState'];
  return typeof state === 'string' ? state.toLowerCase() : undefined;
}

function refFor(clients: ReconcileClients, id: string): ResourceRef {
  const ref = parseResourceId(id);
  assertSubscription(clients, ref.subscriptionId, id);
  return ref;
}

async function getIfExists(
  adapter: ResourceTypeModule,
  clients: ReconcileClients,
  ref: ResourceRef,
): Promise<JsonObject | undefined> {
  try {
    return await adapter.get(clients, ref);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function outputsOf(adapter: ResourceTypeModule, actual: JsonObject | undefined): Record<string, string> {
  if (!actual) return {};
  const outputs = { ...(adapter.outputs?.(actual) ?? {}) };
  for (const secret of adapter.secretFields ?? []) delete outputs[secret];
  return outputs;
}

/** An error as an outcome: terminal ones `failed`, transient ones (throttling included) `retry`. */
export function failureOutcome(err: unknown, id: string): OperationOutcome {
  const classified = classifyArmError(err, id);
  if (classified instanceof TerminalError) return { state: 'failed', id, failure: classified.toFailure() };
  const throttled = classified.statusCode === 429 || classified.armCode === 'SubscriptionRequestsThrottled';
  return {
    state: 'retry',
    id,
    failure: classified.toFailure(),
    ...(classified.retryAfterMs !== undefined ? { retryAfterMs: classified.retryAfterMs } : {}),
    throttled,
    ...(throttled ? { throttledKind: /'read'/i.test(classified.armMessage) ? 'reads' : 'writes' } : {}),
  };
}

function withCarryOver(
  desired: JsonObject,
  actual: JsonObject,
  keys: readonly string[] | undefined,
): JsonObject {
  const body = { ...desired };
  for (const key of keys ?? []) {
    const kept = actual[key];
    if (body[key] === undefined && kept !== undefined) body[key] = kept;
  }
  return body;
}

async function readOutputs(
  types: ResourceTypeRegistry,
  clients: ReconcileClients,
  id: string,
): Promise<Record<string, string>> {
  const type = parseResourceId(id).type;
  return (await verifyResource(types, clients, { id, type, body: {} }, { retry: { maxAttempts: 1 } }))
    .outputs;
}

/** Starts bringing one planned resource to its desired state (brought ones are only verified). */
export async function startApply(
  types: ResourceTypeRegistry,
  clients: ReconcileClients,
  planned: PlannedResource,
): Promise<OperationOutcome> {
  const id = planned.id;
  try {
    const filled = await withPlannedInputs(planned, (from) => readOutputs(types, clients, from));
    if (!planned.owned) {
      return {
        state: 'applied',
        id,
        result: await verifyResource(types, clients, filled, { retry: { maxAttempts: 1 } }),
      };
    }
    const adapter = types.get(planned.type);
    const ref = refFor(clients, id);
    const desired = wireToModel(filled.body) as JsonObject;
    const actual = await getIfExists(adapter, clients, ref);
    const state = provisioningStateOf(actual);
    if (state !== undefined && settlingStates.has(state)) {
      // Another writer's operation (or ours, from an attempt that died): wait it out, then compare.
      return { state: 'pending', id, pending: { id, type: planned.type, kind: 'apply' } };
    }
    const wanted = actual && adapter.normalize ? adapter.normalize(desired, actual, ref) : desired;
    const changed = actual ? diffDesired(wanted, actual, { secretFields: adapter.secretFields ?? [] }) : [];
    if (actual && state !== 'failed' && changed.length === 0) {
      return {
        state: 'applied',
        id,
        result: { id, action: 'unchanged', outputs: outputsOf(adapter, actual), changed },
      };
    }
    const body = actual ? withCarryOver(wanted, actual, adapter.carryOver) : desired;
    const action: ApplyAction = actual ? 'updated' : 'created';
    const reported = state === 'failed' ? ['provisioningState'] : changed;
    const lro = { updateIntervalInMs: clients.pollIntervalMs };
    const started: LroStart = adapter.async
      ? await adapter.async.beginCreateOrUpdate(clients, ref, body, lro)
      : { done: true, result: await adapter.createOrUpdate(clients, ref, body, lro) };
    if (!started.done) {
      return {
        state: 'pending',
        id,
        pending: {
          id,
          type: planned.type,
          kind: 'apply',
          operation: started.operation,
          ours: true,
          listed: adapter.async?.list !== undefined,
          action,
          changed: reported,
        },
      };
    }
    const result = started.result ?? (await getIfExists(adapter, clients, ref));
    return {
      state: 'applied',
      id,
      result: { id, action, outputs: outputsOf(adapter, result), changed: reported },
    };
  } catch (err) {
    return failureOutcome(err, id);
  }
}

/** Starts deleting one resource; a resource already gone is `deleted` with action `absent`. */
export async function startDelete(
  types: ResourceTypeRegistry,
  clients: ReconcileClients,
  target: { id: string; type: string },
): Promise<OperationOutcome> {
  const { id } = target;
  try {
    const adapter = types.get(target.type);
    const ref = refFor(clients, id);
    const found = await getIfExists(adapter, clients, ref);
    if (!found) return { state: 'deleted', id, result: { id, action: 'absent' } };
    if (provisioningStateOf(found) === 'deleting') {
      return { state: 'pending', id, pending: { id, type: target.type, kind: 'delete' } };
    }
    const lro = { updateIntervalInMs: clients.pollIntervalMs };
    let started: LroStart;
    try {
      started = adapter.async
        ? await adapter.async.beginDelete(clients, ref, lro)
        : (await adapter.delete(clients, ref, lro), { done: true, result: undefined });
    } catch (err) {
      if (isNotFound(err)) return { state: 'deleted', id, result: { id, action: 'absent' } };
      throw err;
    }
    if (!started.done) {
      return {
        state: 'pending',
        id,
        pending: {
          id,
          type: target.type,
          kind: 'delete',
          operation: started.operation,
          ours: true,
          listed: adapter.async?.list !== undefined,
        },
      };
    }
    return { state: 'deleted', id, result: { id, action: 'deleted' } };
  } catch (err) {
    return failureOutcome(err, id);
  }
}

const isOurs = (p: PendingOperation): boolean => p.ours ?? p.operation !== undefined;

/** What a resource's state (read by GET or list) says about an operation on it. */
async function outcomeFromState(
  adapter: ResourceTypeModule,
  clients: ReconcileClients,
  p: PendingOperation,
  actual: JsonObject | undefined,
): Promise<OperationOutcome> {
  const state = provisioningStateOf(actual);
  if (p.kind === 'delete') {
    if (!actual) return { state: 'deleted', id: p.id, result: { id: p.id, action: 'deleted' } };
    if (state === 'deleting') return { state: 'pending', id: p.id, pending: p };
  } else {
    if (actual && state !== undefined && settlingStates.has(state)) {
      return { state: 'pending', id: p.id, pending: p };
    }
    if (actual && state !== 'failed' && isOurs(p)) {
      return {
        state: 'applied',
        id: p.id,
        result: {
          id: p.id,
          action: p.action ?? 'updated',
          outputs: outputsOf(adapter, actual),
          changed: p.changed ?? [],
        },
      };
    }
  }
  // Settled, but not as our operation wanted (or it was someone else's): the operation itself says why.
  if (!isOurs(p) || !adapter.async) return { state: 'restart', id: p.id };
  if (p.operation === undefined) return { state: 'inspect', id: p.id };
  return pollOne(adapter, clients, p);
}

/** One poll of the operation itself (for its error, or for types without a list). */
async function pollOne(
  adapter: ResourceTypeModule,
  clients: ReconcileClients,
  p: PendingOperation,
): Promise<OperationOutcome> {
  try {
    if (!adapter.async || p.operation === undefined) {
      const ref = refFor(clients, p.id);
      return await outcomeFromState(adapter, clients, p, await getIfExists(adapter, clients, ref));
    }
    const polled = await adapter.async.pollOnce(
      clients,
      p.operation,
      p.kind === 'apply' ? 'write' : 'delete',
      {
        updateIntervalInMs: clients.pollIntervalMs,
      },
    );
    if (!polled.done) return { state: 'pending', id: p.id, pending: { ...p, operation: polled.operation } };
    if (p.kind === 'delete') return { state: 'deleted', id: p.id, result: { id: p.id, action: 'deleted' } };
    const result = polled.result ?? (await getIfExists(adapter, clients, refFor(clients, p.id)));
    return {
      state: 'applied',
      id: p.id,
      result: {
        id: p.id,
        action: p.action ?? 'updated',
        outputs: outputsOf(adapter, result),
        changed: p.changed ?? [],
      },
    };
  } catch (err) {
    if (p.kind === 'delete' && isNotFound(err)) {
      return { state: 'deleted', id: p.id, result: { id: p.id, action: 'deleted' } };
    }
    return failureOutcome(err, p.id);
  }
}

/** How many reads `pollOperations` makes at most for these operations (before failures are read). */
export function pollReads(pending: readonly PendingOperation[], types: ResourceTypeRegistry): number {
  const groups = new Set<string>();
  let single = 0;
  for (const p of pending) {
    if (types.get(p.type).async?.list)
      groups.add(`${p.type}|${parseResourceId(p.id).resourceGroup}`.toLowerCase());
    else single++;
  }
  return groups.size + single;
}

/**
 * Reads where many operations stand: one list call per type and resource group for types that have
 * one (a type with a single pending resource is read by GET, which is as cheap and smaller), one read
 * per operation otherwise. Never writes.
 */
export async function pollOperations(
  types: ResourceTypeRegistry,
  clients: ReconcileClients,
  pending: readonly PendingOperation[],
): Promise<OperationOutcome[]> {
  const groups = new Map<string, PendingOperation[]>();
  const singles: PendingOperation[] = [];
  for (const p of pending) {
    const key = `${p.type}|${parseResourceId(p.id).resourceGroup}`.toLowerCase();
    if (types.get(p.type).async?.list) groups.set(key, [...(groups.get(key) ?? []), p]);
    else singles.push(p);
  }
  for (const [key, members] of groups) {
    if (members.length === 1) {
      singles.push(...members);
      groups.delete(key);
    }
  }
  const outcomes = new Map<string, OperationOutcome>();
  await Promise.all([
    ...[...groups.values()].map(async (members) => {
      const first = members[0];
      if (!first) return;
      const adapter = types.get(first.type);
      let listed: JsonObject[];
      try {
        listed = (await adapter.async?.list?.(clients, parseResourceId(first.id).resourceGroup)) ?? [];
      } catch (err) {
        for (const p of members) outcomes.set(p.id, failureOutcome(err, p.id));
        return;
      }
      const byId = new Map(listed.map((r) => [typeof r['id'] === 'string' ? r['id'].toLowerCase() : '', r]));
      for (const p of members) {
        outcomes.set(p.id, await outcomeFromState(adapter, clients, p, byId.get(p.id.toLowerCase())));
      }
    }),
    ...singles.map(async (p) => {
      outcomes.set(p.id, await pollOne(types.get(p.type), clients, p));
    }),
  ]);
  return pending.map(
    (p) =>
      outcomes.get(p.id) ?? {
        state: 'failed',
        id: p.id,
        failure: { resource: p.id, code: 'PollFailed', message: 'the operation could not be read' },
      },
  );
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping the order of results. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * The one generic reconcile every planned resource goes through:
 * GET (404 = absent) → compare desired ⊆ actual (tags exactly) → PUT only when different → wait for the LRO.
 * Transient ARM failures are retried here with bounded exponential backoff (honouring Retry-After);
 * terminal ones are thrown at once as `TerminalError` with ARM's code and message.
 */
import type { JsonObject } from '../cluster/plan/types';
import { classifyArmError, ensureError, TerminalError, TransientError } from './errors';
import { parseResourceId, type ResourceRef } from './resourceId';
import type { ResourceTypeRegistry } from './types/registry';
import type { ResourceTypeModule } from './types/resourceType';
import type { ArmConnection } from './types/sdkNamespace';
import { diffDesired, wireToModel } from './wire';

/** What reconciling needs of ARM: the subscription, the poll interval and the namespaces' SDK clients. */
export type ReconcileClients = ArmConnection;

/** What the reconciler needs of a planned resource. */
export interface ResourceToApply {
  id: string;
  type: string;
  /** ARM wire body (nested `properties`). */
  body: JsonObject;
}

export type ApplyAction = 'created' | 'updated' | 'unchanged';

export interface ApplyResult {
  id: string;
  action: ApplyAction;
  /** Values known once the resource exists, e.g. `{ ipAddress }` for a public IP. */
  outputs: Record<string, string>;
  /** Model paths that differed and caused an update (empty when created or unchanged). */
  changed: string[];
}

export interface RetryPolicy {
  /** Total attempts of the whole GET→PUT→LRO sequence, first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * Longest Retry-After we wait for (default 5 minutes). ARM asking for longer is not retried here at
   * all: retrying sooner than asked only earns another throttle, so the transient error is returned.
   */
  retryAfterCeilingMs?: number;
}

export interface ReconcileOptions {
  retry?: Partial<RetryPolicy>;
  /** Injected so tests of the policy need no real waiting; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Bound on waiting for a resource another writer left in Creating/Updating/Deleting. */
  maxSettleWaitMs?: number;
  onRetry?: (info: { resourceId: string; attempt: number; delayMs: number; error: TransientError }) => void;
}

/** Default ceiling on honouring ARM's Retry-After. */
export const RETRY_AFTER_CEILING_MS = 5 * 60_000;

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  retryAfterCeilingMs: RETRY_AFTER_CEILING_MS,
};

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Delay before attempt `attempt + 1`: ARM's Retry-After when given (never less: `maxDelayMs` bounds our
 * own backoff, not what ARM asked for), else capped exponential with jitter. Undefined when ARM asked
 * for more than `retryAfterCeilingMs`: the caller stops retrying rather than retry too early.
 */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs?: number,
): number | undefined {
  if (retryAfterMs !== undefined) {
    const ceiling = policy.retryAfterCeilingMs ?? RETRY_AFTER_CEILING_MS;
    return retryAfterMs > ceiling ? undefined : Math.max(0, retryAfterMs);
  }
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Up to 20 % jitter so resources throttled together do not retry in lock-step.
  return Math.round(exp * (0.8 + Math.random() * 0.2));
}

/** Runs `op`, retrying transient ARM failures; the final failure is thrown classified. */
export async function withTransientRetry<T>(
  resourceId: string,
  op: (attempt: number) => Promise<T>,
  options: ReconcileOptions = {},
): Promise<T> {
  const policy = { ...defaultRetryPolicy, ...options.retry };
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (err) {
      const classified = classifyArmError(err, resourceId);
      if (classified instanceof TerminalError || attempt >= policy.maxAttempts) throw classified;
      const delayMs = backoffDelay(policy, attempt, classified.retryAfterMs);
      if (delayMs === undefined) throw classified;
      options.onRetry?.({ resourceId, attempt, delayMs, error: classified });
      await sleep(delayMs);
    }
  }
}

/** ARM's "absent": the SDK's RestError carries the HTTP status (404). */
export function isNotFound(err: unknown): boolean {
  const e = ensureError(err) as Error & { statusCode?: unknown; code?: unknown };
  return (
    e.statusCode === 404 ||
    e.code === 'ResourceNotFound' ||
    e.code === 'NotFound' ||
    e.code === 'ResourceGroupNotFound'
  );
}

/**
 * The SDK clients address the subscription they were built for, whatever the id says: a plan made for
 * another subscription would otherwise read, write or delete a same-named resource in this one.
 */
export function assertSubscription(
  clients: ReconcileClients,
  subscriptionId: string,
  resourceId: string,
): void {
  if (subscriptionId.toLowerCase() === clients.subscriptionId.toLowerCase()) return;
  throw new TerminalError(
    'SubscriptionMismatch',
    `the resource is in subscription ${subscriptionId} but the provisioner's ARM clients are for subscription ${clients.subscriptionId} (AZURE_SUBSCRIPTION_ID); refusing to act on it`,
    resourceId,
  );
}

/** Parses the id and checks it is in the clients' subscription. */
function refFor(clients: ReconcileClients, id: string): ResourceRef {
  const ref = parseResourceId(id);
  assertSubscription(clients, ref.subscriptionId, id);
  return ref;
}

/** GET through the type's module; undefined when ARM says 404. */
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

function provisioningStateOf(actual: JsonObject | undefined): string | undefined {
  const state = actual?.['provisioningState'];
  return typeof state === 'string' ? state : undefined;
}

const settlingStates = new Set(['creating', 'updating', 'deleting', 'provisioning', 'migrating']);

/**
 * How long the blocking path waits for a resource found mid-operation before handing back a transient
 * error (retried later): well inside host.json's functionTimeout (10 min). Provisioning and deletion
 * no longer wait here at all (asyncReconcile.ts hands the operation to the orchestrator).
 */
export const MAX_SETTLE_WAIT_MS = 2 * 60_000;

/**
 * A resource found mid-operation (another writer, or our own PUT whose activity died with its host)
 * is waited for before comparing, so we neither PUT over a running operation nor report success early.
 */
async function settle(
  adapter: ResourceTypeModule,
  clients: ReconcileClients,
  ref: ResourceRef,
  found: JsonObject | undefined,
  options: ReconcileOptions,
): Promise<JsonObject | undefined> {
  const sleep = options.sleep ?? defaultSleep;
  const interval = Math.max(1, clients.pollIntervalMs);
  const maxPolls = Math.ceil((options.maxSettleWaitMs ?? MAX_SETTLE_WAIT_MS) / interval);
  let actual = found;
  for (let i = 0; i < maxPolls; i++) {
    const state = provisioningStateOf(actual)?.toLowerCase();
    if (state === undefined || !settlingStates.has(state)) return actual;
    await sleep(interval);
    actual = await getIfExists(adapter, clients, ref);
  }
  throw new TransientError(
    'ResourceStillProvisioning',
    `still ${provisioningStateOf(actual)} after waiting`,
    ref.id,
  );
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

/** The type's outputs, never one of its secret fields. */
function outputsOf(adapter: ResourceTypeModule, actual: JsonObject): Record<string, string> {
  const outputs = { ...(adapter.outputs?.(actual) ?? {}) };
  for (const secret of adapter.secretFields ?? []) delete outputs[secret];
  return outputs;
}

/**
 * Brings one planned resource to its desired state. Safe to run again at any point (after a crash, a
 * retry, or on an unchanged spec): an existing resource that already matches causes no write.
 */
export async function applyResource(
  types: ResourceTypeRegistry,
  clients: ReconcileClients,
  planned: ResourceToApply,
  options: ReconcileOptions = {},
): Promise<ApplyResult> {
  const adapter = types.get(planned.type);
  const secretFields = adapter.secretFields ?? [];
  const ref = refFor(clients, planned.id);
  const desired = wireToModel(planned.body) as JsonObject;
  const lro = { updateIntervalInMs: clients.pollIntervalMs };
  // Whether the resource existed before *our first* attempt: a retry after our own PUT still reports "created".
  let existedBefore: boolean | undefined;

  return withTransientRetry(
    planned.id,
    async () => {
      const found = await getIfExists(adapter, clients, ref);
      const actual = await settle(adapter, clients, ref, found, options);
      existedBefore ??= actual !== undefined;
      const failed = provisioningStateOf(actual)?.toLowerCase() === 'failed';
      const wanted = actual && adapter.normalize ? adapter.normalize(desired, actual, ref) : desired;
      const changed = actual ? diffDesired(wanted, actual, { secretFields }) : [];
      if (actual && !failed && changed.length === 0) {
        return { id: planned.id, action: 'unchanged', outputs: outputsOf(adapter, actual), changed };
      }
      const body = actual ? withCarryOver(wanted, actual, adapter.carryOver) : desired;
      const result = await adapter.createOrUpdate(clients, ref, body, lro);
      return {
        id: planned.id,
        action: existedBefore ? 'updated' : 'created',
        outputs: outputsOf(adapter, result),
        changed: failed ? ['provisioningState'] : changed,
      };
    },
    options,
  );
}

/** Renders a few differing paths with their values, for a message a user can act on. */
function describeDiff(desired: JsonObject, actual: JsonObject, paths: string[]): string {
  const at = (obj: JsonObject, path: string): unknown =>
    /[[\]]/.test(path)
      ? undefined
      : path
          .split('.')
          .reduce<unknown>(
            (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
            obj,
          );
  return paths
    .slice(0, 5)
    .map((p) => {
      const want = at(desired, p);
      const got = at(actual, p);
      return want === undefined
        ? p
        : `${p} (expected ${JSON.stringify(want)}, found ${JSON.stringify(got ?? null)})`;
    })
    .join('; ');
}

/**
 * Checks a resource the user brought (never written): it must exist and match what the spec says
 * about it (e.g. a subnet's CIDR). Returns its outputs; throws `TerminalError` otherwise.
 */
export async function verifyResource(
  types: ResourceTypeRegistry,
  clients: ReconcileClients,
  planned: ResourceToApply,
  options: ReconcileOptions = {},
): Promise<ApplyResult> {
  const adapter = types.get(planned.type);
  const ref = refFor(clients, planned.id);
  const expected = wireToModel(planned.body) as JsonObject;
  return withTransientRetry(
    planned.id,
    async () => {
      const actual = await getIfExists(adapter, clients, ref);
      if (!actual) {
        throw new TerminalError(
          'BroughtResourceNotFound',
          `the existing ${planned.type} "${ref.names.join('/')}" named in the spec does not exist in resource group "${ref.resourceGroup}"`,
          planned.id,
          { statusCode: 404 },
        );
      }
      const changed = diffDesired(expected, actual, { secretFields: adapter.secretFields ?? [] });
      if (changed.length > 0) {
        throw new TerminalError(
          'BroughtResourceMismatch',
          `the existing ${planned.type} "${ref.names.join('/')}" does not match the spec: ${describeDiff(expected, actual, changed)}`,
          planned.id,
        );
      }
      return { id: planned.id, action: 'unchanged', outputs: outputsOf(adapter, actual), changed };
    },
    options,
  );
}

export interface DeleteResult {
  id: string;
  action: 'deleted' | 'absent';
}

/**
 * Deletes one resource and waits for the LRO; a resource already gone (404) is not an error, and one
 * found mid-operation (a delete accepted before a crash) is waited for first, so no DELETE is sent twice.
 */
export async function deleteResource(
  types: ResourceTypeRegistry,
  clients: ReconcileClients,
  target: { id: string; type: string },
  options: ReconcileOptions = {},
): Promise<DeleteResult> {
  const adapter = types.get(target.type);
  const ref = refFor(clients, target.id);
  const lro = { updateIntervalInMs: clients.pollIntervalMs };
  return withTransientRetry(
    target.id,
    async () => {
      // A delete already running (ours, accepted before a crash or a lost answer) is waited for, not sent again.
      const before = await getIfExists(adapter, clients, ref);
      const found = await settle(adapter, clients, ref, before, options);
      let action: DeleteResult['action'] = before ? 'deleted' : 'absent';
      if (found) {
        try {
          await adapter.delete(clients, ref, lro);
          action = 'deleted';
        } catch (err) {
          if (!isNotFound(err)) throw err;
          action = 'absent';
        }
      }
      await adapter.afterDelete?.(clients, ref, lro);
      return { id: target.id, action };
    },
    options,
  );
}

/**
 * Drives independent chains of resources (a NIC then its VM; a public IP then its load balancer)
 * through ARM without any activity holding a long-running operation open:
 *  1. resources whose predecessors are done are started in batches (`startOperations`: GET, compare,
 *     PUT/DELETE only when needed, return at once);
 *  2. operations still running are read together (`pollOperations`: one list call per type and resource
 *     group), after a durable timer;
 *  3. every batch first reserves its requests from the subscription's `armBudget` entity and waits
 *     (durable timer) until they fit: requests stay under ARM's limits by design, and a 429 pushes the
 *     whole subscription back by its Retry-After.
 * The history grows per batch and per poll round, not per resource: a 333-node zone is ~10 start
 * batches and one poll per round. Deterministic: time is `currentUtcDateTime`, settings come back in
 * activity outputs.
 */
import type { OrchestrationContext, Task } from 'durable-functions';
import * as df from 'durable-functions';

import type { ResourceFailure } from '../../cluster/failure';
import { type PlannedResource, ResourceTypes } from '../../cluster/plan/types';
import type { OperationOutcome, PendingOperation } from '../../resources/asyncReconcile';
import type { ApplyResult, DeleteResult } from '../../resources/reconcile';
import { ARM_BUDGET_ENTITY, ArmBudgetOperations, budgetKey } from './armBudget';
import {
  DurableFunctions,
  type OperationsOutput,
  type OperationsPacing,
  type PollOperationsInput,
  type StartOperationsInput,
} from './durableFunctions';
import type { NodeProgressTarget } from './nodeProgress';

/** Resources started per activity (and per budget reservation): small enough to share fairly. */
export const START_BATCH = 40;
/** Pending operations one poll round may cover before the next round is spaced out further. */
const POLL_SPREAD = 100;
/** Reads reserved beyond a batch's own, for the polls that follow it. */
const POLL_READS_AHEAD = 10;

export interface DriveOptions {
  kind: 'apply' | 'delete';
  subscriptionId: string;
  progress?: NodeProgressTarget;
  /** After each step, with everything finished so far (for custom status). */
  onProgress?: (results: (ApplyResult | DeleteResult)[]) => void;
  /**
   * A resource failed with a terminal error: return replacement resources for the rest of its chain
   * (e.g. the node in another zone) to go on with, or undefined to fail the chain.
   */
  onFailure?: (failed: PlannedResource, failure: ResourceFailure) => ChainStep[] | undefined;
}

export interface DriveResult {
  results: (ApplyResult | DeleteResult)[];
  failure?: ResourceFailure;
  /** Counters for the bench: activities and timers this drive scheduled. */
  steps: { starts: number; polls: number; timers: number };
}

/** A step of a chain: a planned resource to apply, or (in an apply) one to delete first (`step`). */
export type ChainStep = PlannedResource & { step?: 'delete' };

interface ChainState {
  resources: ChainStep[];
  index: number;
  status: 'ready' | 'pending' | 'done' | 'failed';
  pending?: PendingOperation;
  notBefore: number;
  attempts: number;
}

const defaultPacing: OperationsPacing = {
  pollAfterMs: 2000,
  maxAttempts: 8,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
};

function wroteOnStart(o: OperationOutcome): boolean {
  switch (o.state) {
    case 'applied':
      return o.result.action !== 'unchanged';
    case 'deleted':
      return o.result.action === 'deleted';
    case 'pending':
      return o.pending.operation !== undefined;
    case 'restart':
      return false;
    default:
      return true;
  }
}

export function* driveChains(
  context: OrchestrationContext,
  chains: PlannedResource[][],
  options: DriveOptions,
): Generator<Task, DriveResult, unknown> {
  const states: ChainState[] = chains
    .filter((c) => c.length > 0)
    .map((resources) => ({ resources, index: 0, status: 'ready', notBefore: 0, attempts: 0 }));
  const results: (ApplyResult | DeleteResult)[] = [];
  const steps = { starts: 0, polls: 0, timers: 0 };
  let failure: ResourceFailure | undefined;
  let pacing = defaultPacing;
  let nextPollAt = 0;
  const budget = new df.EntityId(ARM_BUDGET_ENTITY, budgetKey(options.subscriptionId));
  const now = (): number => context.df.currentUtcDateTime.getTime();

  function* waitUntil(at: number): Generator<Task, void, unknown> {
    if (at <= now()) return;
    steps.timers++;
    yield context.df.createTimer(new Date(at));
  }

  // Tokens reserved from the entity and not spent yet: one reservation covers a batch of chains to
  // their end (a NIC and its VM) plus a few polls, so most steps need no entity call at all.
  const credit = { reads: 0, writes: 0 };
  function* take(
    reads: number,
    writes: number,
    aheadReads: number,
    aheadWrites: number,
  ): Generator<Task, void, unknown> {
    if (credit.reads >= reads && credit.writes >= writes) {
      credit.reads -= reads;
      credit.writes -= writes;
      return;
    }
    const want = {
      reads: Math.max(0, reads + aheadReads - credit.reads),
      writes: Math.max(0, writes + aheadWrites - credit.writes),
    };
    const notBefore = (yield context.df.callEntity(budget, ArmBudgetOperations.reserve, want)) as number;
    credit.reads += want.reads - reads;
    credit.writes += want.writes - writes;
    yield* waitUntil(notBefore);
  }

  const apply = (state: ChainState, o: OperationOutcome): void => {
    switch (o.state) {
      case 'applied':
      case 'deleted':
        // A delete step inside an apply (a VM replaced in another zone) is not a result of the apply.
        if ((o.state === 'applied') === (options.kind === 'apply')) results.push(o.result);
        state.index++;
        state.attempts = 0;
        state.notBefore = 0;
        state.pending = undefined;
        state.status = state.index >= state.resources.length ? 'done' : 'ready';
        return;
      case 'pending':
        state.status = 'pending';
        state.pending = o.pending;
        return;
      case 'restart':
        state.status = 'ready';
        state.pending = undefined;
        return;
      case 'failed': {
        const current = state.resources[state.index];
        const replacement = current && options.onFailure?.(current, o.failure);
        state.pending = undefined;
        if (replacement && replacement.length > 0) {
          state.resources = [...state.resources.slice(0, state.index), ...replacement];
          state.status = 'ready';
          state.attempts = 0;
          return;
        }
        state.status = 'failed';
        failure ??= o.failure;
        return;
      }
      case 'retry': {
        state.attempts++;
        state.pending = undefined;
        if (state.attempts >= pacing.maxAttempts) {
          state.status = 'failed';
          failure ??= o.failure;
          return;
        }
        const backoff = Math.min(pacing.maxDelayMs, pacing.baseDelayMs * 2 ** (state.attempts - 1));
        state.status = 'ready';
        state.notBefore = now() + (o.retryAfterMs ?? backoff);
        if (o.throttled) {
          context.df.signalEntity(budget, ArmBudgetOperations.throttled, {
            kind: o.throttledKind ?? 'writes',
            retryAfterMs: o.retryAfterMs ?? backoff,
          });
        }
        return;
      }
    }
  };

  for (;;) {
    const live = states.filter((s) => s.status === 'ready' || s.status === 'pending');
    if (live.length === 0) break;
    const pending = live.filter((s) => s.status === 'pending');
    // After a failure nothing new starts; what is in flight is still seen to its end.
    const ready = failure ? [] : live.filter((s) => s.status === 'ready' && s.notBefore <= now());
    if (failure && pending.length === 0) break;

    if (pending.length > 0 && now() >= nextPollAt) {
      const ops = pending.map((s) => s.pending as PendingOperation);
      const types = new Set(ops.map((p) => p.type.toLowerCase()));
      yield* take(Math.max(types.size, Math.ceil(ops.length / POLL_SPREAD)), 0, POLL_READS_AHEAD, 0);
      steps.polls++;
      const nodes: Record<string, string> = {};
      for (const s of pending) {
        const r = s.resources[s.index];
        if (r?.node !== undefined && r.type === ResourceTypes.virtualMachine) nodes[r.id] = r.node;
      }
      const out = (yield context.df.callActivity(DurableFunctions.pollOperations, {
        pending: ops,
        nodes,
        ...(options.progress ? { progress: options.progress } : {}),
      } satisfies PollOperationsInput)) as OperationsOutput;
      pacing = out.pacing;
      out.outcomes.forEach((o, i) => {
        const s = pending[i];
        if (s) apply(s, o);
      });
      // Many operations in flight: poll a little less often (each round reads them all anyway).
      const spread = 1 + Math.floor(ops.length / POLL_SPREAD);
      nextPollAt = now() + pacing.pollAfterMs * spread;
      options.onProgress?.(results);
      continue;
    }

    if (ready.length > 0) {
      const batch = ready.slice(0, START_BATCH);
      const resources = batch.map((s) => s.resources[s.index] as PlannedResource);
      const reads = resources.reduce((n, r) => n + 1 + (r.inputs?.length ?? 0), 0);
      const writes = resources.filter((r) => r.owned).length;
      // What the rest of these chains will need (their later steps start from credit).
      const later = batch.flatMap((s) => s.resources.slice(s.index + 1));
      yield* take(
        reads,
        writes,
        later.reduce((n, r) => n + 1 + (r.inputs?.length ?? 0), 0) + POLL_READS_AHEAD,
        later.filter((r) => r.owned).length,
      );
      steps.starts++;
      const out = (yield context.df.callActivity(DurableFunctions.startOperations, {
        kind: options.kind,
        resources,
        ...(options.progress ? { progress: options.progress } : {}),
      } satisfies StartOperationsInput)) as OperationsOutput;
      pacing = out.pacing;
      const unused = writes - out.outcomes.filter(wroteOnStart).length;
      if (unused > 0)
        context.df.signalEntity(budget, ArmBudgetOperations.refund, { reads: 0, writes: unused });
      out.outcomes.forEach((o, i) => {
        const s = batch[i];
        if (s) apply(s, o);
      });
      if (pending.length === 0) nextPollAt = now() + pacing.pollAfterMs;
      options.onProgress?.(results);
      continue;
    }

    const waits = live.filter((s) => s.status === 'ready').map((s) => s.notBefore);
    if (pending.length > 0) waits.push(nextPollAt);
    yield* waitUntil(Math.min(...waits));
  }
  if (credit.reads > 0 || credit.writes > 0) {
    context.df.signalEntity(budget, ArmBudgetOperations.refund, { ...credit });
  }
  return { results, ...(failure ? { failure } : {}), steps };
}

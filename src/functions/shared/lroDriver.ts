/**
 * Drives a plan's dependency graph through ARM, ready-driven, with no activity holding a long-running
 * operation open (see docs/large-clusters.md):
 *
 *  - the graph's units (chains such as NIC → VM, see cluster/plan/readyGraph.ts) start the moment ALL
 *    of their own dependencies are done — never because an unrelated part of the plan finished;
 *  - each loop iteration yields exactly one fresh task (durable-functions must never see a task twice:
 *    Azure/azure-functions-durable-js#574): either one `advanceOperations` activity — the units ready
 *    now (up to START_BATCH) plus every operation in flight that is due — or one durable timer until
 *    the earliest moment something is due;
 *  - an operation becomes due at its type's usual latency (resources/expectedLatency.ts, measured from
 *    when the activity started it), then every poll interval; the activity may hold for a few seconds
 *    reading what is due, but never past the moment another operation of this drive becomes due;
 *  - every call first reserves its requests from the subscription's `armBudget` entity and waits
 *    (durable timer) until they fit: requests stay under ARM's limits by design, and a 429 pushes the
 *    whole subscription back by its Retry-After.
 * The history grows per call and per timer, not per resource, and activity inputs name planned
 * resources by their index in the plan (`refOf`) instead of carrying their bodies.
 * Deterministic: time is `currentUtcDateTime`, settings come back in activity outputs.
 */
import type { OrchestrationContext, Task } from 'durable-functions';
import * as df from 'durable-functions';

import type { ResourceFailure } from '../../cluster/failure';
import { type GraphUnit, ReadyTracker } from '../../cluster/plan/readyGraph';
import type { PlannedResource } from '../../cluster/plan/types';
import type { ChainStep, UnitAdvance } from '../../resources/advanceUnits';
import type { OperationOutcome, PendingOperation } from '../../resources/asyncReconcile';
import { medianSeconds } from '../../resources/expectedLatency';
import type { ApplyResult, DeleteResult } from '../../resources/reconcile';
import { ARM_BUDGET_ENTITY, ArmBudgetOperations, budgetKey } from './armBudget';
import {
  type AdvanceOperationsInput,
  type AdvanceOperationsOutput,
  DurableFunctions,
  type OperationsPacing,
  type PlanReference,
  type StepReference,
} from './durableFunctions';

export type { ChainStep };

/** Units started per activity (and per budget reservation): small enough to share fairly. */
export const START_BATCH = 40;
/** Longest hold of one activity, and the shortest (wall-clock ms); between: 3 poll intervals. */
const HOLD_MAX_MS = 3000;
const HOLD_MIN_MS = 1000;
/** Resource types one poll round reads at most (one list call each): for the read reservation. */
const POLL_GROUPS = 3;
/** Poll rounds one activity may make at most (the read reservation of one call). */
const MAX_POLL_ROUNDS = 20;
/** Reads reserved beyond a call's own, for the calls that follow it. */
const READS_AHEAD = 20;

export interface DriveOptions {
  kind: 'apply' | 'delete';
  subscriptionId: string;
  /** Where the activity finds planned resources named by index (`refOf`). */
  plan?: PlanReference;
  /** A planned resource's index in `plan`'s resources, or undefined to send it by value. */
  refOf?: (r: PlannedResource) => number | undefined;
  progress?: { clusterName: string; runId: string };
  /** After each activity, with every result so far (for custom status). */
  onProgress?: (results: (ApplyResult | DeleteResult)[]) => void;
  /**
   * A resource failed with a terminal error: return replacement resources for the rest of its chain
   * (e.g. the node in another zone) to go on with, or undefined to fail the chain.
   */
  onFailure?: (failed: PlannedResource, failure: ResourceFailure) => ChainStep[] | undefined;
  /**
   * Work that must be done before the first resource matching `applies` is started (run once, in the
   * loop, when such a resource is ready); a failure it returns fails the drive like a resource's.
   */
  beforeStart?: {
    applies: (r: PlannedResource) => boolean;
    run: () => Generator<Task, ResourceFailure | undefined, unknown>;
  };
}

export interface DriveResult {
  results: (ApplyResult | DeleteResult)[];
  failure?: ResourceFailure;
  /** Counters for the bench: activities and timers this drive scheduled. */
  steps: { calls: number; timers: number };
}

interface UnitState {
  steps: ChainStep[];
  index: number;
  status: 'blocked' | 'ready' | 'pending' | 'done' | 'failed';
  /** The current step's operation (its full state, kept here; polls may leave it out). */
  pending?: PendingOperation;
  /** Send the operation's state with the next poll (to read why it failed). */
  inspect: boolean;
  dueAt: number;
  notBefore: number;
  attempts: number;
  urgent: boolean;
}

const defaultPacing: OperationsPacing = {
  pollAfterMs: 2000,
  timeScale: 1,
  maxAttempts: 8,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
};

const readsOf = (r: PlannedResource): number => 1 + (r.inputs?.length ?? 0);

export function* driveGraph(
  context: OrchestrationContext,
  units: readonly GraphUnit[],
  options: DriveOptions,
): Generator<Task, DriveResult, unknown> {
  const states: UnitState[] = units.map((u) => ({
    steps: u.resources,
    index: 0,
    status: 'blocked',
    inspect: false,
    dueAt: 0,
    notBefore: 0,
    attempts: 0,
    urgent: u.dependents.length > 0,
  }));
  const tracker = new ReadyTracker(units);
  const release = (ids: number[]): void => {
    for (const i of ids) {
      const s = states[i];
      if (s && s.status === 'blocked') s.status = s.steps.length > 0 ? 'ready' : 'done';
      if (s?.status === 'done') release(tracker.complete(i));
    }
  };
  release(tracker.initiallyReady());

  const results: (ApplyResult | DeleteResult)[] = [];
  const steps = { calls: 0, timers: 0 };
  let gateDone = false;
  const isGated = (i: number, applies: (r: PlannedResource) => boolean): boolean => {
    const s = states[i];
    return s !== undefined && s.steps.slice(s.index).some(applies);
  };
  let failure: ResourceFailure | undefined;
  let pacing = defaultPacing;
  const budget = new df.EntityId(ARM_BUDGET_ENTITY, budgetKey(options.subscriptionId));
  const now = (): number => context.df.currentUtcDateTime.getTime();

  function* waitUntil(at: number): Generator<Task, void, unknown> {
    if (at <= now()) return;
    steps.timers++;
    yield context.df.createTimer(new Date(at));
  }

  // Tokens reserved from the entity and not spent yet: one reservation covers a batch of chains to
  // their end plus a few polls, so most calls need no entity call at all.
  const credit = { reads: 0, writes: 0 };
  function* take(reads: number, writes: number): Generator<Task, void, unknown> {
    if (credit.reads >= reads && credit.writes >= writes) {
      credit.reads -= reads;
      credit.writes -= writes;
      return;
    }
    // Reserve what is missing, and a few reads ahead (the next polls spend them without asking).
    const want = {
      reads: Math.max(0, reads - credit.reads) + READS_AHEAD,
      writes: Math.max(0, writes - credit.writes),
    };
    const notBefore = (yield context.df.callEntity(budget, ArmBudgetOperations.reserve, want)) as number;
    credit.reads += want.reads - reads;
    credit.writes += want.writes - writes;
    yield* waitUntil(notBefore);
  }

  /** The usual time of a unit's current operation (Azure seconds): the order ready units start in. */
  const lengthOf = (i: number): number => {
    const s = states[i];
    const r = s?.steps[s.index];
    if (!r) return 0;
    return medianSeconds(r.type, options.kind === 'delete' || r.step === 'delete' ? 'delete' : 'apply');
  };

  const stepRef = (r: ChainStep): StepReference => {
    if (options.kind === 'delete') {
      // A delete needs the id and type only, never a body.
      return { id: r.id, type: r.type, name: r.name, role: r.role, dependsOn: [], owned: r.owned, body: {} };
    }
    const ref = r.step === undefined ? options.refOf?.(r) : undefined;
    if (ref !== undefined && r.relocate) return { ref, relocate: r.relocate };
    return ref ?? r;
  };

  const finishStep = (s: UnitState, i: number): void => {
    s.attempts = 0;
    s.notBefore = 0;
    s.inspect = false;
    delete s.pending;
    if (s.index >= s.steps.length) {
      s.status = 'done';
      release(tracker.complete(i));
    } else {
      s.status = 'ready';
    }
  };

  const onOutcome = (s: UnitState, i: number, o: OperationOutcome | undefined, dueInMs: number): void => {
    if (o === undefined) {
      finishStep(s, i);
      return;
    }
    switch (o.state) {
      case 'applied':
      case 'deleted':
        // (the activity reports finished steps through `advanced`; an outcome here is not one)
        finishStep(s, i);
        return;
      case 'pending': {
        const kept = s.pending;
        // A poll leaves the operation's state out: keep the one the start returned.
        s.pending =
          kept && kept.id === o.pending.id && o.pending.operation === undefined
            ? { ...o.pending, operation: kept.operation, changed: kept.changed }
            : o.pending;
        s.status = 'pending';
        s.dueAt = now() + dueInMs;
        return;
      }
      case 'inspect':
        s.status = 'pending';
        s.inspect = true;
        s.dueAt = now();
        return;
      case 'restart':
        s.status = 'ready';
        delete s.pending;
        return;
      case 'failed': {
        const current = s.steps[s.index];
        const replacement = current && options.onFailure?.(current, o.failure);
        delete s.pending;
        if (replacement && replacement.length > 0) {
          s.steps = [...s.steps.slice(0, s.index), ...replacement];
          s.status = 'ready';
          s.attempts = 0;
          return;
        }
        s.status = 'failed';
        failure ??= o.failure;
        return;
      }
      case 'retry': {
        s.attempts++;
        delete s.pending;
        if (s.attempts >= pacing.maxAttempts) {
          s.status = 'failed';
          failure ??= o.failure;
          return;
        }
        const backoff = Math.min(pacing.maxDelayMs, pacing.baseDelayMs * 2 ** (s.attempts - 1));
        s.status = 'ready';
        s.notBefore = now() + (o.retryAfterMs ?? backoff);
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

  const apply = (
    s: UnitState,
    i: number,
    sentPending: PendingOperation | undefined,
    u: UnitAdvance,
  ): void => {
    for (const r of u.results) {
      // A poll does not carry what the start found changed: the driver kept it.
      if (sentPending && r.id === sentPending.id && 'changed' in r && sentPending.changed) {
        results.push({ ...r, changed: sentPending.changed });
      } else {
        results.push(r);
      }
    }
    const carried = carriedBy.get(i);
    carriedBy.delete(i);
    const left = s.steps.length - s.index;
    if (u.advanced > 0) {
      s.index += Math.min(u.advanced, left);
      delete s.pending;
      s.inspect = false;
      s.attempts = 0;
    }
    if (s.index < s.steps.length) {
      if (u.advanced === 0 && u.stillPending && s.pending) {
        s.status = 'pending';
        s.dueAt = now() + (u.dueInMs ?? 0);
        return;
      }
      onOutcome(s, i, u.outcome, u.dueInMs ?? 0);
      return;
    }
    finishStep(s, i); // releases the carried unit, if any
    const c = carried === undefined ? undefined : states[carried];
    if (carried === undefined || !c) return;
    c.index += Math.max(0, u.advanced - left);
    if (c.index >= c.steps.length) finishStep(c, carried);
    else onOutcome(c, carried, u.outcome, u.dueInMs ?? 0);
  };

  /**
   * The unit that may ride along with unit `i` in one call: its only dependent, when `i` is all that
   * dependent still waits for (a NIC's VM, once the identity and role assignment exist). The activity
   * then starts it the moment `i` finishes, without a round trip through the orchestrator.
   */
  const carriedBy = new Map<number, number>();
  const riderOf = (i: number): number | undefined => {
    const deps = units[i]?.dependents ?? [];
    const only = deps[0];
    if (deps.length !== 1 || only === undefined) return undefined;
    const d = states[only];
    if (!d || d.status !== 'blocked' || tracker.remainingOf(only) !== 1 || d.steps.length === 0)
      return undefined;
    return only;
  };

  for (;;) {
    const t = now();
    const pending: number[] = [];
    const ready: number[] = [];
    states.forEach((s, i) => {
      if (s.status === 'pending') pending.push(i);
      else if (s.status === 'ready') ready.push(i);
    });
    // After a failure nothing new starts; what is in flight is still seen to its end.
    if (pending.length === 0 && (failure || ready.length === 0)) break;
    // Longest operations first: a VM whose NIC is done goes before the next NICs, so under the request
    // budget the slow operations start as early as they can (and no burst of them piles up behind a
    // queue of quick ones).
    const startNow = failure
      ? []
      : ready
          .filter((i) => (states[i]?.notBefore ?? 0) <= t)
          .sort((a, b) => lengthOf(b) - lengthOf(a) || a - b);
    const holdCap = Math.min(HOLD_MAX_MS, Math.max(HOLD_MIN_MS, 3 * pacing.pollAfterMs));
    // Operations worth reading within the next hold go along: the activity reads them when due.
    const due = pending.filter((i) => (states[i]?.dueAt ?? 0) <= t + holdCap);

    // Nothing to start and nothing worth reading within a hold: sleep (durable timer) until there is.
    if (startNow.length === 0 && due.length === 0) {
      const waits = [
        ...pending.map((i) => states[i]?.dueAt ?? t),
        ...(failure ? [] : ready.map((i) => states[i]?.notBefore ?? t)),
      ];
      yield* waitUntil(Math.min(...waits));
      continue;
    }

    const gate = options.beforeStart;
    if (gate && !gateDone && startNow.some((i) => isGated(i, gate.applies))) {
      gateDone = true;
      failure ??= yield* gate.run();
      continue;
    }
    const starting = startNow.slice(0, START_BATCH);
    const batch = [...starting, ...due];
    const inBatch = new Set(batch);
    // Hold, but never past the moment something left out becomes due or ready.
    const others = [
      ...pending.filter((i) => !inBatch.has(i)).map((i) => states[i]?.dueAt ?? t),
      ...(failure ? [] : ready.filter((i) => !inBatch.has(i)).map((i) => states[i]?.notBefore ?? t)),
    ];
    const holdMs = Math.max(0, Math.min(holdCap, ...others.map((at) => at - t)));
    const pollEveryMs = Math.max(1, pacing.pollAfterMs);
    const groups = new Set(batch.map((i) => states[i]?.steps[states[i]?.index ?? 0]?.type)).size;
    const rounds = Math.min(MAX_POLL_ROUNDS, Math.ceil(holdMs / pollEveryMs) + 1);
    const maxPollReads = rounds * Math.min(POLL_GROUPS, groups);

    for (const i of batch) {
      const rider = failure ? undefined : riderOf(i);
      if (rider !== undefined) carriedBy.set(i, rider);
    }
    const riders = [...carriedBy.values()].flatMap((i) => states[i]?.steps ?? []);
    const remaining = [...starting.flatMap((i) => states[i]?.steps.slice(states[i]?.index) ?? []), ...riders];
    yield* take(
      remaining.reduce((n, r) => n + readsOf(r), 0) + maxPollReads,
      remaining.filter((r) => r.owned).length,
    );

    const sent = batch.map((i) => states[i]?.pending);
    const input: AdvanceOperationsInput = {
      kind: options.kind,
      ...(options.plan ? { plan: options.plan } : {}),
      units: batch.map((i) => {
        const s = states[i] as UnitState;
        const p = s.pending;
        const rider = carriedBy.get(i);
        const riding = rider === undefined ? [] : (states[rider]?.steps ?? []);
        return {
          steps: [...s.steps.slice(s.index), ...riding].map(stepRef),
          ...(p
            ? {
                pending: {
                  ...p,
                  // The operation's state only when it must be read itself: the rest is read by list.
                  operation: p.listed && !s.inspect ? undefined : p.operation,
                  changed: undefined,
                },
                ...(s.dueAt > t ? { dueInMs: s.dueAt - t } : {}),
              }
            : {}),
          ...((rider === undefined ? s.urgent : states[rider]?.urgent) ? { urgent: true } : {}),
        };
      }),
      holdMs,
      pollEveryMs,
      maxPollReads,
      ...(options.progress ? { progress: options.progress } : {}),
    };
    steps.calls++;
    const out = (yield context.df.callActivity(
      DurableFunctions.advanceOperations,
      input,
    )) as AdvanceOperationsOutput;
    pacing = out.pacing;
    // What was reserved and not spent goes back to the local credit (and to the entity at the end).
    const reservedWrites = remaining.filter((r) => r.owned).length;
    credit.writes += Math.max(0, reservedWrites - out.writes);
    const reservedReads = remaining.reduce((n, r) => n + readsOf(r), 0) + maxPollReads;
    credit.reads += Math.max(0, reservedReads - out.reads);
    out.units.forEach((u, k) => {
      const i = batch[k];
      const s = i === undefined ? undefined : states[i];
      if (s && i !== undefined) apply(s, i, sent[k], u);
    });
    options.onProgress?.(results);
  }
  if (credit.reads > 0 || credit.writes > 0) {
    context.df.signalEntity(budget, ArmBudgetOperations.refund, { ...credit });
  }
  return { results, ...(failure ? { failure } : {}), steps };
}

/** Independent chains (no edges between them), e.g. what a rollback deletes in one go. */
export function chainsAsGraph(chains: PlannedResource[][]): GraphUnit[] {
  return chains
    .filter((c) => c.length > 0)
    .map((resources) => ({
      key: resources.map((r) => r.name).join('>'),
      resources,
      deps: [],
      dependents: [],
    }));
}

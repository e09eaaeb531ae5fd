/**
 * One step of the durable driver (functions/shared/lroDriver.ts) on the ARM side: carry a batch of
 * chains (NIC → VM, public IP → load balancer) as far as they go within a short, bounded time.
 *
 *  - a chain without an operation in flight starts its current resource (startApply / startDelete:
 *    GET, compare, PUT or DELETE only when needed, return as soon as ARM accepted it);
 *  - operations in flight are read together (pollOperations: one list call per type and resource
 *    group), first when the orchestrator found them due, then — while the hold lasts — every poll
 *    interval, but only those whose type's usual latency has (nearly) passed (expectedLatency.ts);
 *  - when a chain's resource is done its next resource starts at once, in the same call: a NIC that
 *    takes two seconds does not cost the VM behind it a round trip through the orchestrator;
 *  - the call returns when a chain something else waits for settles (`urgent`), when a chain fails or
 *    must be retried, when the hold ends, or when nothing in flight can end before the hold does.
 *
 * The hold is chosen by the orchestrator (never minutes: at most a few seconds, and never past the
 * moment another operation of the same drive becomes due), so no activity holds an operation open for
 * its whole length. Both halves are idempotent; a repeated call finds resources mid-operation or done.
 *
 * A start whose request ARM is slow to answer (a PUT held for seconds, the SDK waiting out a 429) never
 * holds the call: when the call is to return, it waits for such a start a short grace at most, then
 * returns the chain as "start it next" and leaves the request running. The next call of this process
 * that starts the same resource joins that request instead of sending another (`startsInFlight`), so
 * the rest of the batch — its results, its live progress, the next starts — never waits on one slow
 * answer, and no resource is written twice.
 */
import type { ResourceFailure } from '../cluster/failure';
import type { PlannedResource } from '../cluster/plan/types';
import {
  failureOutcome,
  type OperationOutcome,
  type PendingOperation,
  pollOperations,
  pollReads,
  startApply,
  startDelete,
} from './asyncReconcile';
import { firstReadAfterMs } from './expectedLatency';
import type { ApplyResult, DeleteResult, ReconcileClients } from './reconcile';
import { type AfterApply, outputsOfResource } from './resourceChains';
import type { ResourceTypeRegistry } from './types/registry';

/** A VM planned in a zone that cannot allocate its size, moved to `zone` (cluster/plan/zonalFallback.ts). */
export interface Relocation {
  zone: string;
  error: ResourceFailure;
}

/**
 * A resource of a chain; in an apply, `step: 'delete'` deletes it first (a VM moved to another zone),
 * and `relocate` marks the planned VM moved to another zone.
 */
export type ChainStep = PlannedResource & { step?: 'delete'; relocate?: Relocation };

export interface AdvanceUnit {
  /** The chain's remaining resources; the first is the current one. */
  steps: ChainStep[];
  /** The current resource's operation in flight (then it is polled, not started). */
  pending?: PendingOperation;
  /** Something else waits for this chain: return as soon as it settles. */
  urgent?: boolean;
  /** For `pending`: ms until its operation is worth reading (absent: now). */
  dueInMs?: number;
}

export interface AdvanceOptions {
  kind: 'apply' | 'delete';
  /** How long the call may wait for operations to end (wall-clock ms; 0 = start and poll once). */
  holdMs: number;
  /** Gap between two reads of the operations in flight. */
  pollEveryMs: number;
  /** Reads of operations in flight this call may make at most (the rest of its budget). */
  maxPollReads: number;
  /** Wall-clock seconds per Azure second (1 on Azure; the emulator's time scale locally). */
  timeScale: number;
  /**
   * Runs once a resource of ours is applied, whether its write ended at once or by a later read (the
   * provisioner's role on a cluster vault: the vault gets its secrets).
   */
  afterApply?: AfterApply;
  /** Told at once when a resource of a chain is finished (live progress: a node is ready). */
  onStepDone?: (step: ChainStep) => void;
}

/** Where a chain stands after the call. */
export interface UnitAdvance {
  /** Resources of `steps` finished in this call (a delete step inside an apply counts as one). */
  advanced: number;
  /** Results of the finished resources (delete steps inside an apply are not results of the apply). */
  results: (ApplyResult | DeleteResult)[];
  /**
   * The current resource's state when the chain did not finish: `pending` (with how long until its
   * operation is worth reading), `failed`, `retry`, `restart`, `inspect`; absent = start it next.
   */
  outcome?: OperationOutcome;
  /** The operation handed over is still in flight (no outcome: the driver keeps its state). */
  stillPending?: boolean;
  /** For `pending`: ms from the end of this call until the operation is worth reading. */
  dueInMs?: number;
}

export interface AdvanceOutput {
  units: UnitAdvance[];
  reads: number;
  writes: number;
}

interface Live {
  unit: AdvanceUnit;
  out: UnitAdvance;
  index: number;
  pending?: PendingOperation;
  /** Wall-clock ms when the pending operation is first worth reading. */
  dueAt: number;
  settled: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How long a returning call still waits for starts ARM has not answered yet (wall-clock ms). */
export const START_GRACE_MS = 500;
/** A start left running is forgotten after this long if no call joins it (a drive that ended). */
const START_KEPT_MS = 15 * 60_000;

interface StartInFlight {
  outcome: Promise<OperationOutcome>;
  since: number;
  /** Its write was counted by the call that started it (it ended there) — else by the one joining it. */
  counted: boolean;
}

/**
 * Starts left running by a call that returned before ARM answered them, by resource and kind. Per
 * process: a call in another process (or after a restart) finds the resource by its GET instead.
 */
const startsInFlight = new Map<string, StartInFlight>();
const startKey = (kind: 'apply' | 'delete', id: string): string => `${kind} ${id.toLowerCase()}`;

/** Starts left running and not joined yet (for tests and diagnostics). */
export function startsLeftRunning(): number {
  return startsInFlight.size;
}

function wrote(o: OperationOutcome): boolean {
  switch (o.state) {
    case 'applied':
      return o.result.action !== 'unchanged';
    case 'deleted':
      return o.result.action === 'deleted';
    case 'pending':
      return o.pending.ours === true;
    default:
      return false;
  }
}

export async function advanceUnits(
  types: ResourceTypeRegistry,
  clients: ReconcileClients,
  units: readonly AdvanceUnit[],
  options: AdvanceOptions,
): Promise<AdvanceOutput> {
  const deadline = Date.now() + Math.max(0, options.holdMs);
  let reads = 0;
  let writes = 0;
  let pollReadsLeft = options.maxPollReads;
  const live: Live[] = units.map((unit) => ({
    unit,
    out: { advanced: 0, results: [] },
    index: 0,
    ...(unit.pending ? { pending: unit.pending } : {}),
    // An operation handed over is read at once unless the orchestrator said when (`dueInMs`).
    dueAt: Date.now() + (unit.dueInMs ?? 0),
    settled: false,
  }));

  // Stopping: asked for when a chain something waits for settles (or at the deadline); the call then
  // returns as soon as no request is in flight — until then every chain goes on (polls, next starts).
  let stopped = false;
  let stopAsked = false;
  let busy = 0;
  let stopNow: () => void = () => undefined;
  const stop = new Promise<void>((resolve) => {
    stopNow = () => {
      stopAsked = true;
      if (busy > 0 || stopped) return;
      stopped = true;
      resolve();
    };
  });
  const busyWith = async <T>(work: () => Promise<T>): Promise<T> => {
    busy++;
    try {
      return await work();
    } finally {
      busy--;
      if (stopAsked) setImmediate(stopNow);
    }
  };
  const deadlineTimer = setTimeout(stopNow, Math.max(0, deadline - Date.now()));
  // Starts ARM has not answered yet, and the moment this call gives up on them (see `startStep`).
  const starting = new Set<StartInFlight>();
  let markReturned: () => void = () => undefined;
  const returned = new Promise<void>((resolve) => {
    markReturned = resolve;
  });
  const wait = (ms: number): Promise<void> =>
    Promise.race([sleep(Math.max(0, ms)), stop]).then(() => undefined);

  const settle = (l: Live, outcome?: OperationOutcome): void => {
    l.settled = true;
    if (outcome) l.out.outcome = outcome;
    // Something waits for this chain, or it needs the orchestrator (a failure, a retry): return.
    if (l.unit.urgent || (outcome && outcome.state !== 'pending')) stopNow();
    if (live.every((x) => x.settled)) stopNow();
  };

  /** The current resource reached `o`; true when the chain goes on with its next resource. */
  const onOutcome = (l: Live, o: OperationOutcome): boolean => {
    const step = l.unit.steps[l.index];
    if (o.state === 'applied' || o.state === 'deleted') {
      if ((o.state === 'applied') === (options.kind === 'apply')) l.out.results.push(o.result);
      if (step) options.onStepDone?.(step);
      l.index++;
      l.out.advanced = l.index;
      delete l.pending;
      if (l.index >= l.unit.steps.length) settle(l);
      return l.index < l.unit.steps.length;
    }
    if (o.state === 'pending') {
      const started = l.pending?.id !== o.pending.id || l.pending.operation === undefined;
      l.pending = o.pending;
      if (started && o.pending.ours === true && l.pending.operation !== undefined) {
        l.dueAt =
          Date.now() + firstReadAfterMs(step?.type ?? o.pending.type, o.pending.kind, options.timeScale);
      } else {
        l.dueAt = Date.now() + options.pollEveryMs;
      }
      return false;
    }
    delete l.pending;
    settle(l, o);
    return false;
  };

  /**
   * Starts the chain's current resource — or joins the start a call before this one left running —
   * and resolves with its outcome; `abandoned` when this call returned before ARM answered.
   */
  const startStep = async (l: Live): Promise<OperationOutcome | 'abandoned'> => {
    const step = l.unit.steps[l.index] as ChainStep;
    const kind = options.kind === 'delete' || step.step === 'delete' ? 'delete' : 'apply';
    const key = startKey(kind, step.id);
    let entry = startsInFlight.get(key);
    if (entry) {
      startsInFlight.delete(key);
    } else {
      reads += 1 + (step.inputs?.length ?? 0);
      entry = { outcome: startStepNow(step, kind), since: Date.now(), counted: false };
    }
    const started = entry;
    starting.add(started);
    try {
      const o = await Promise.race([started.outcome, returned.then(() => 'abandoned' as const)]);
      if (o === 'abandoned') {
        forgetOldStarts();
        startsInFlight.set(key, started);
        return o;
      }
      if (!started.counted && wrote(o)) writes++;
      started.counted = true;
      return o;
    } finally {
      starting.delete(started);
      if (stopAsked) setImmediate(stopNow);
    }
  };
  const startStepNow = async (step: ChainStep, kind: 'apply' | 'delete'): Promise<OperationOutcome> => {
    if (kind === 'delete') return startDelete(types, clients, step);
    return afterApplied(step, await startApply(types, clients, step));
  };

  /** An applied resource of ours gets its after-apply work (see `afterApply`) before the chain goes on. */
  const forgetOldStarts = (): void => {
    for (const [key, e] of startsInFlight) {
      if (Date.now() - e.since > START_KEPT_MS) startsInFlight.delete(key);
    }
  };

  const afterApplied = async (
    step: ChainStep | undefined,
    o: OperationOutcome,
  ): Promise<OperationOutcome> => {
    if (o.state !== 'applied' || !step?.owned || !options.afterApply || step.step === 'delete') return o;
    // Its own failure (a vault's secrets not written) is this resource's: retried or failed like any,
    // never the whole call's (the other chains' outcomes must reach the orchestrator).
    try {
      return {
        ...o,
        result: await options.afterApply(step, o.result, (id) => outputsOfResource(types, clients, id, {})),
      };
    } catch (err) {
      return failureOutcome(err, step.id);
    }
  };

  // Reads of operations in flight are batched: every chain due joins the next round (one list call per
  // type and resource group), rounds at least a poll interval apart.
  const due = new Map<Live, (o: OperationOutcome | undefined) => void>();
  let round: Promise<void> | undefined;
  let lastRound = 0;
  const runRounds = async (): Promise<void> => {
    while (due.size > 0) {
      await sleep(Math.max(0, lastRound + options.pollEveryMs - Date.now()));
      const batch = [...due];
      due.clear();
      const ops = batch.map(([l]) => l.pending as PendingOperation);
      const cost = pollReads(ops, types);
      if (stopped || pollReadsLeft < cost) {
        for (const [, resolve] of batch) resolve(undefined);
        stopNow();
        continue;
      }
      pollReadsLeft -= cost;
      reads += cost;
      lastRound = Date.now();
      const outcomes = await busyWith(() => pollOperations(types, clients, ops));
      batch.forEach(([, resolve], k) => resolve(outcomes[k]));
    }
    round = undefined;
  };
  // A read asked for keeps the call from returning until its round answered (even at hold 0: what
  // was due when the call began is read once).
  const read = (l: Live): Promise<OperationOutcome | undefined> =>
    new Promise((resolve) => {
      busy++;
      due.set(l, (o) => {
        busy--;
        resolve(o);
        if (stopAsked) setImmediate(stopNow);
      });
      round ??= runRounds();
    });

  const lane = async (l: Live): Promise<void> => {
    while (!l.settled) {
      if (!l.pending) {
        // Once the call is to return, only a chain something waits for starts its next resource (a
        // public IP's NAT gateway); a NIC's VM, which nothing waits for, is started by the next call.
        if (stopAsked && l.index > 0 && !l.unit.urgent) return;
        const o = await startStep(l);
        // Left running for the next call to join: the chain is reported as "start it next".
        if (o === 'abandoned') return;
        onOutcome(l, o);
        continue;
      }
      // In flight: wait until it is worth reading, unless that is after the call ends.
      if (stopped || l.dueAt > deadline) return;
      if (l.dueAt > Date.now()) {
        await wait(l.dueAt - Date.now());
        if (stopped) return;
      }
      const o = await read(l);
      if (o === undefined) return;
      const step = l.unit.steps[l.index];
      onOutcome(l, options.kind === 'apply' ? await busyWith(() => afterApplied(step, o)) : o);
    }
  };

  const lanes = Promise.all(live.map(lane));
  await Promise.race([lanes, stop]);
  // Stopped with starts unanswered: a short grace, then they are left running for the next call.
  if (starting.size > 0) await Promise.race([lanes, sleep(START_GRACE_MS)]);
  markReturned();
  await lanes;
  clearTimeout(deadlineTimer);
  await round;

  const end = Date.now();
  for (const l of live) {
    if (!l.settled && l.pending) {
      const pending: PendingOperation = l.pending;
      // The operation handed over is still in flight: the driver has it, say only when to read it again.
      if (pending === l.unit.pending) l.out.stillPending = true;
      else l.out.outcome = { state: 'pending', id: pending.id, pending };
      l.out.dueInMs = Math.max(0, l.dueAt - end);
    }
  }
  return { units: live.map((l) => l.out), reads, writes };
}

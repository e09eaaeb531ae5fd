/**
 * The node pool's scaling state and how each operation changes it: a pure function, so the durable
 * entity that holds the state (one per pool) is a thin shell and every rule is table-tested here.
 *
 * - Demand (`DemandReported`) is level-triggered: the newest `observedAt` wins; an older or equal one
 *   changes nothing. Its `removableNodes` are kept for the next scale-in.
 * - `ScaleRequested` is edge-triggered: applied once per event id (the ids are remembered, bounded).
 * - An explicit count (the HTTP route) is neither deduplicated nor delayed.
 * - The desired size is clamped to [minCount, maxCount].
 * - Scale-in within `cooldownSeconds` of the last scale-out waits until the cooldown ends (an explicit
 *   count does not wait); the desired size is recorded at once, only the removal waits.
 * - At most one scale operation runs per pool. A request that needs work while none runs names its
 *   caller the runner; the runner then asks `next` for steps, which always see the newest target, so
 *   newer demand retargets the running operation instead of starting another.
 * - A deleted node (VM or NIC) asks for a repair: the runner re-applies every node of the pool.
 * - Bursts: a scale-in asked by events waits until the target has been quiet for SCALE_IN_SETTLE_MS,
 *   so a shuffled burst of demands removes nodes once, to the newest target, instead of following
 *   every intermediate one (and adding back). A lone scale-out never waits (capacity is urgent); one
 *   that changes a target changed less than SCALE_IN_SETTLE_MS before (a burst) waits for quiet too.
 */

export interface PoolNode {
  name: string;
  zone?: string;
}

/**
 * An AKS pool's size as the agent pool has it. AKS places and heals the nodes itself, so an AKS pool
 * is scaled through these numbers, never node by node: `count` when the provisioner owns the size;
 * `minCount` (the floor; `maxCount` stays the spec's) when AKS's cluster autoscaler owns it.
 */
export interface AgentPoolSize {
  /** The cluster autoscaler owns `count` (AKS refuses a count sent to such a pool). */
  autoscaled: boolean;
  /** Nodes now (for an autoscaled pool, wherever the autoscaler moved it). */
  count: number;
  /** The autoscaler's window, when autoscaled. */
  minCount?: number;
  maxCount?: number;
}

/** What the cluster's record says about the pool; sent with every request so the entity can start. */
export interface NodePoolConfig {
  clusterName: string;
  pool: string;
  minCount: number;
  maxCount: number;
  /** Zones the pool spreads over; [] for a regional pool. */
  zones: string[];
  /** The pool's nodes when the entity first hears of it (the cluster's provisioned nodes). */
  nodes: PoolNode[];
  /**
   * Which provisioning of the cluster this describes (its request time). A newer one (the spec was
   * applied again) resets the pool to the nodes that provisioning planned.
   */
  generation?: string;
  /** AKS pools: the agent pool as planned (then `nodes` is empty: AKS names and places nodes). */
  agentPool?: AgentPoolSize;
}

export type DecisionSource =
  | { kind: 'event'; type: string; id: string }
  | { kind: 'request'; id: string }
  | { kind: 'cluster'; reason: string };

export interface ScalingDecision {
  /** ISO 8601. */
  at: string;
  source: DecisionSource;
  outcome: 'scaleOut' | 'scaleIn' | 'unchanged' | 'repair' | 'ignored';
  /** Desired size before and after. */
  from: number;
  to: number;
  reason: string;
}

export interface NodePoolState {
  clusterName: string;
  pool: string;
  /** The provisioning of the cluster the nodes come from (see NodePoolConfig.generation). */
  generation?: string;
  minCount: number;
  maxCount: number;
  zones: string[];
  desired: number;
  /** The pool's nodes as the last scale step left them (or as provisioned); [] for AKS. */
  nodes: PoolNode[];
  /**
   * AKS pools: the agent pool as the last step wrote or read it. `desired` is then the count (the
   * provisioner owns the size) or the autoscaler's floor, `minCount` (the autoscaler owns it).
   */
  agentPool?: AgentPoolSize;
  /** Newest demand applied: its `observedAt` as sent and as epoch ms. */
  newestDemandAt?: string;
  newestDemandAtMs?: number;
  /** Nodes the newest demand says are cordoned and drained: removed first on scale-in. */
  removableNodes: string[];
  /** Ids of ScaleRequested events already applied, oldest first, at most MAX_PROCESSED_EVENT_IDS. */
  processedEventIds: string[];
  /** ISO 8601 of the last decision that raised the desired size. */
  lastScaleOutAt?: string;
  /** A scale-in to `desired` may not remove nodes before this (ISO 8601). */
  scaleInNotBefore?: string;
  /** When an event last changed the desired size (epoch ms); unset after an explicit count. */
  lastEventChangeAtMs?: number;
  /** The last change came within SCALE_IN_SETTLE_MS of the one before: events arrive in a burst. */
  inBurst?: boolean;
  /** The scale operation running now (its orchestration instance id). */
  running?: { operationId: string; startedAt: string };
  /** A node resource was deleted outside the app: the next step re-applies every node. */
  repairPending: boolean;
  /** The last decision that set the desired size (or asked for a repair). */
  lastDecision?: ScalingDecision;
  /** The last event that changed nothing (stale, duplicate, already at size), for diagnosis. */
  lastIgnored?: ScalingDecision;
  /** The last scale step that failed, until a later step succeeds. */
  lastError?: { at: string; message: string };
  /** The cluster is being deleted: nothing more is scaled. */
  retired: boolean;
}

export const MAX_PROCESSED_EVENT_IDS = 1000;

/** How long an event-driven scale-in waits for the target to stop changing. */
export const SCALE_IN_SETTLE_MS = 1000;

export interface Clock {
  /** ISO 8601 and epoch ms of the same instant. */
  now: string;
  nowMs: number;
}

export type NodePoolRequest =
  | {
      op: 'demand';
      source: Extract<DecisionSource, { kind: 'event' }>;
      requiredNodes: number;
      observedAt: string;
      observedAtMs: number;
      removableNodes: string[];
    }
  | { op: 'scaleBy'; source: Extract<DecisionSource, { kind: 'event' }>; delta: number }
  | { op: 'setCount'; source: Extract<DecisionSource, { kind: 'request' }>; count: number }
  | { op: 'repair'; source: Extract<DecisionSource, { kind: 'event' }>; resourceUri: string };

export interface RequestContext extends Clock {
  config: NodePoolConfig;
  /** SCALE_IN_COOLDOWN_SECONDS; 0 disables the cooldown. */
  cooldownSeconds: number;
  /** Who asks: becomes the runner when work is needed and no operation runs. */
  operationId: string;
}

export interface RequestResult {
  decision: ScalingDecision;
  /** Whether the request changed anything. */
  applied: boolean;
  /** `start`: the caller must run the scale operation; `running`: one runs and will see the change. */
  runner: 'start' | 'running' | 'none';
}

/**
 * The size a step compares with `desired`: the nodes there are (IaaS), the agent pool's count (AKS,
 * manual), or its autoscaler floor (AKS, autoscaled).
 */
export function currentSize(state: Pick<NodePoolState, 'nodes' | 'agentPool' | 'minCount'>): number {
  const pool = state.agentPool;
  if (!pool) return state.nodes.length;
  return pool.autoscaled ? (pool.minCount ?? state.minCount) : pool.count;
}

export function initialState(config: NodePoolConfig): NodePoolState {
  if (config.agentPool) {
    const agentPool = { ...config.agentPool };
    return {
      clusterName: config.clusterName,
      pool: config.pool,
      ...(config.generation !== undefined ? { generation: config.generation } : {}),
      minCount: config.minCount,
      maxCount: config.maxCount,
      zones: [...config.zones],
      desired: currentSize({ nodes: [], agentPool, minCount: config.minCount }),
      nodes: [],
      agentPool,
      removableNodes: [],
      processedEventIds: [],
      repairPending: false,
      retired: false,
    };
  }
  return {
    clusterName: config.clusterName,
    pool: config.pool,
    ...(config.generation !== undefined ? { generation: config.generation } : {}),
    minCount: config.minCount,
    maxCount: config.maxCount,
    zones: [...config.zones],
    desired: config.nodes.length,
    nodes: config.nodes.map((n) => ({ ...n })),
    removableNodes: [],
    processedEventIds: [],
    repairPending: false,
    retired: false,
  };
}

/**
 * A state from an older provisioning of the cluster (the spec was applied again, possibly with another
 * count or the cluster deleted and created anew) restarts from the new plan's nodes; what must not be
 * forgotten stays: processed event ids, the newest demand time, a running operation.
 */
function rebase(state: NodePoolState, config: NodePoolConfig): NodePoolState {
  if (config.generation === undefined || state.generation === config.generation) return state;
  const fresh = initialState(config);
  return {
    ...fresh,
    processedEventIds: state.processedEventIds,
    ...(state.newestDemandAt !== undefined ? { newestDemandAt: state.newestDemandAt } : {}),
    ...(state.newestDemandAtMs !== undefined ? { newestDemandAtMs: state.newestDemandAtMs } : {}),
    ...(state.running ? { running: state.running } : {}),
  };
}

export function clamp(count: number, state: Pick<NodePoolState, 'minCount' | 'maxCount'>): number {
  return Math.min(state.maxCount, Math.max(state.minCount, count));
}

function clampNote(asked: number, state: NodePoolState): string {
  if (asked > state.maxCount) return ` (${asked} is above maxCount ${state.maxCount}: clamped)`;
  if (asked < state.minCount) return ` (${asked} is below minCount ${state.minCount}: clamped)`;
  return '';
}

/** Whether the pool needs a step: another size, or a repair. */
export function needsWork(state: NodePoolState): boolean {
  return !state.retired && (state.desired !== currentSize(state) || state.repairPending);
}

/**
 * Applies one request. Returns the new state (the input is not changed) and what the caller must do.
 */
export function applyRequest(
  previous: NodePoolState | undefined,
  request: NodePoolRequest,
  ctx: RequestContext,
): { state: NodePoolState; result: RequestResult } {
  const base = previous ? rebase(previous, ctx.config) : initialState(ctx.config);
  const state: NodePoolState = {
    ...base,
    // Bounds and zones follow the cluster's current spec.
    minCount: ctx.config.minCount,
    maxCount: ctx.config.maxCount,
    zones: [...ctx.config.zones],
    nodes: [...base.nodes],
    removableNodes: [...base.removableNodes],
    processedEventIds: [...base.processedEventIds],
  };
  const from = state.desired;
  const decide = (
    outcome: ScalingDecision['outcome'],
    reason: string,
    to = state.desired,
  ): ScalingDecision => ({ at: ctx.now, source: request.source, outcome, from, to, reason });
  const ignore = (reason: string) => {
    const decision = decide('ignored', reason, from);
    state.lastIgnored = decision;
    return { state, result: { decision, applied: false, runner: runnerOf(state) } as RequestResult };
  };

  if (state.retired) return ignore(`cluster "${state.clusterName}" is being deleted`);

  let reason: string;
  let target: number;
  let explicit = false;
  switch (request.op) {
    case 'demand': {
      if (state.newestDemandAtMs !== undefined && request.observedAtMs <= state.newestDemandAtMs) {
        return ignore(
          `stale demand: observedAt ${request.observedAt} is not newer than ${state.newestDemandAt ?? ''}`,
        );
      }
      state.newestDemandAt = request.observedAt;
      state.newestDemandAtMs = request.observedAtMs;
      state.removableNodes = [...request.removableNodes];
      target = clamp(request.requiredNodes, state);
      reason = `demand for ${request.requiredNodes} nodes observed at ${request.observedAt}${clampNote(request.requiredNodes, state)}`;
      break;
    }
    case 'scaleBy': {
      if (state.processedEventIds.includes(request.source.id)) {
        return ignore(`event ${request.source.id} was already applied`);
      }
      state.processedEventIds.push(request.source.id);
      if (state.processedEventIds.length > MAX_PROCESSED_EVENT_IDS) {
        state.processedEventIds.splice(0, state.processedEventIds.length - MAX_PROCESSED_EVENT_IDS);
      }
      const asked = state.desired + request.delta;
      target = clamp(asked, state);
      reason = `scale by ${request.delta > 0 ? '+' : ''}${request.delta} from ${state.desired}${clampNote(asked, state)}`;
      break;
    }
    case 'setCount': {
      // The HTTP route refuses counts outside the bounds; clamping here only guards the entity.
      target = clamp(request.count, state);
      reason = `requested count ${request.count}${clampNote(request.count, state)}`;
      explicit = true;
      break;
    }
    case 'repair': {
      state.repairPending = true;
      const decision = decide('repair', `node resource deleted: ${request.resourceUri}`);
      state.lastDecision = decision;
      return { state, result: { decision, applied: true, runner: claimRunner(state, ctx) } };
    }
  }

  // A scale-out adds nodes: a higher target than both the old target and the nodes there are.
  if (target > from && target > currentSize(state)) state.lastScaleOutAt = ctx.now;
  if (target !== from) {
    if (explicit) {
      delete state.lastEventChangeAtMs;
      delete state.inBurst;
    } else {
      const previous = state.lastEventChangeAtMs;
      state.inBurst = previous !== undefined && ctx.nowMs - previous < SCALE_IN_SETTLE_MS;
      state.lastEventChangeAtMs = ctx.nowMs;
    }
  }
  state.desired = target;
  if (explicit || target >= currentSize(state)) {
    delete state.scaleInNotBefore;
  } else {
    const cooldownEndsMs =
      ctx.cooldownSeconds > 0 && state.lastScaleOutAt !== undefined
        ? Date.parse(state.lastScaleOutAt) + ctx.cooldownSeconds * 1000
        : undefined;
    if (cooldownEndsMs !== undefined && cooldownEndsMs > ctx.nowMs) {
      state.scaleInNotBefore = new Date(cooldownEndsMs).toISOString();
      reason += `; scale-in waits for the cooldown until ${state.scaleInNotBefore}`;
    } else {
      delete state.scaleInNotBefore;
    }
  }
  const outcome: ScalingDecision['outcome'] =
    target > from ? 'scaleOut' : target < from ? 'scaleIn' : 'unchanged';
  const decision = decide(outcome, reason, target);
  if (outcome === 'unchanged') state.lastIgnored = decision;
  else state.lastDecision = decision;
  return {
    state,
    result: { decision, applied: outcome !== 'unchanged', runner: claimRunner(state, ctx) },
  };
}

function runnerOf(state: NodePoolState): RequestResult['runner'] {
  return state.running ? 'running' : 'none';
}

function claimRunner(state: NodePoolState, ctx: RequestContext): RequestResult['runner'] {
  if (state.running) return 'running';
  if (!needsWork(state)) return 'none';
  state.running = { operationId: ctx.operationId, startedAt: ctx.now };
  return 'start';
}

/** What the runner reports after a step: the pool's nodes now, or why the step failed. */
export interface StepReport {
  nodes: PoolNode[];
  /** AKS: the agent pool after the step (its live count and window). */
  agentPool?: AgentPoolSize;
  error?: string;
  /** The step could not run (the cluster was busy): a repair it was to do is still owed. */
  repairAgain?: boolean;
}

export type NextStep =
  /** Bring the pool to `target` nodes; `repair` re-applies every kept node too. */
  | {
      kind: 'step';
      target: number;
      nodes: PoolNode[];
      zones: string[];
      removableNodes: string[];
      repair: boolean;
    }
  /** Scale-in is held by the cooldown: ask again at `until` (or earlier, to see retargets). */
  | { kind: 'wait'; until: string }
  /** Nothing to do (or the caller is not the runner, or the step failed): stop. */
  | { kind: 'done'; reason: string };

/**
 * The runner's loop: report the last step (if any) and get the next. Only the recorded runner gets
 * steps; anyone else is told to stop.
 */
export function nextStep(
  previous: NodePoolState,
  operationId: string,
  clock: Clock,
  report?: StepReport,
): { state: NodePoolState; next: NextStep } {
  const state: NodePoolState = { ...previous };
  if (state.running?.operationId !== operationId) {
    return { state, next: { kind: 'done', reason: `operation ${operationId} is not the pool's runner` } };
  }
  if (report) {
    state.nodes = report.nodes.map((n) => ({ ...n }));
    if (report.agentPool) state.agentPool = { ...report.agentPool };
    if (report.repairAgain === true) state.repairPending = true;
    if (report.error !== undefined) {
      state.lastError = { at: clock.now, message: report.error };
      delete state.running;
      return { state, next: { kind: 'done', reason: `the scale step failed: ${report.error}` } };
    }
    delete state.lastError;
    // Removable names refer to nodes; forget those that are gone.
    const present = new Set(state.nodes.map((n) => n.name));
    state.removableNodes = state.removableNodes.filter((name) => present.has(name));
  }
  if (!needsWork(state)) {
    delete state.running;
    return {
      state,
      next: {
        kind: 'done',
        reason: state.retired ? 'the cluster is being deleted' : `the pool has ${state.desired} nodes`,
      },
    };
  }
  const settleMs = (state.lastEventChangeAtMs ?? 0) + SCALE_IN_SETTLE_MS;
  const size = currentSize(state);
  if (state.desired < size && !state.repairPending) {
    const cooldownMs = state.scaleInNotBefore !== undefined ? Date.parse(state.scaleInNotBefore) : 0;
    const untilMs = Math.max(cooldownMs, settleMs);
    if (untilMs > clock.nowMs) {
      return { state, next: { kind: 'wait', until: new Date(untilMs).toISOString() } };
    }
  }
  if (state.desired > size && state.inBurst === true && settleMs > clock.nowMs) {
    return { state, next: { kind: 'wait', until: new Date(settleMs).toISOString() } };
  }
  // During a cooldown a repair step keeps the current size: it replaces, it does not remove.
  const holdScaleIn =
    state.desired < size &&
    state.scaleInNotBefore !== undefined &&
    Date.parse(state.scaleInNotBefore) > clock.nowMs;
  const target = holdScaleIn ? size : state.desired;
  const repair = state.repairPending;
  state.repairPending = false;
  return {
    state,
    next: {
      kind: 'step',
      target,
      nodes: state.nodes.map((n) => ({ ...n })),
      zones: [...state.zones],
      removableNodes: [...state.removableNodes],
      repair,
    },
  };
}

/** The cluster is being deleted: no more scaling. Returns the nodes to delete and whether a step runs. */
export function retire(previous: NodePoolState): {
  state: NodePoolState;
  nodes: PoolNode[];
  running: boolean;
} {
  return {
    state: { ...previous, retired: true },
    nodes: previous.nodes.map((n) => ({ ...n })),
    running: previous.running !== undefined,
  };
}

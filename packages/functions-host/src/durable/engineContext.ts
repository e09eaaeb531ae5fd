/**
 * What the engine's parts (client operations, orchestration episodes, entity batches, activities) share: the
 * store, the options, the function table and the invocation log, plus the two writes several of them make
 * (creating an instance, telling a parent that its sub-orchestration failed).
 */
import { randomUUID } from 'node:crypto';

import { type DurableEngineOptions, type DurableFunctionKind } from './contract';
import { asErrorLike, EventType, failureFields, newEvent } from './historyEvents';
import { type DurableStore, type OrchestrationMessage, type ParentRef } from './store';
import { type WorkCounters } from './workStats';

export interface EngineContext {
  readonly db: DurableStore;
  readonly options: DurableEngineOptions;
  /** Episodes, history events and time per instance (read-only instrumentation, workStats.ts). */
  readonly work: WorkCounters;
  /** True once stop() began or the store closed: results that arrive then are dropped (and redone later). */
  isStopped(): boolean;
}

export function kindOf(ctx: EngineContext, name: string): DurableFunctionKind | undefined {
  return ctx.options.functions.get(name);
}

/** The registered entity function for an entity name (entity names are case-insensitive). */
export function entityFunctionName(ctx: EngineContext, name: string): string | undefined {
  for (const [fn, kind] of ctx.options.functions) {
    if (kind === 'entity' && fn.toLowerCase() === name.toLowerCase()) return fn;
  }
  return undefined;
}

export function createInstance(
  ctx: EngineContext,
  instanceId: string,
  name: string,
  input: string | null,
  parent: ParentRef | null,
  now: number,
): void {
  ctx.db.putInstance({
    instanceId,
    name,
    executionId: randomUUID(),
    status: 'Pending',
    input,
    output: null,
    customStatus: null,
    createdAt: now,
    updatedAt: now,
    parent,
  });
  const started: OrchestrationMessage = { type: 'ExecutionStarted', name, input, parent };
  ctx.db.enqueue('orchestration', instanceId, started, now);
}

export function notifyParentFailed(
  ctx: EngineContext,
  parent: ParentRef,
  message: string,
  now: number,
): void {
  const event = newEvent(EventType.SubOrchestrationInstanceFailed, {
    TaskScheduledId: parent.taskId,
    ...failureFields({ ErrorType: 'OrchestrationFailure', ErrorMessage: message }),
  });
  ctx.db.enqueue('orchestration', parent.instanceId, { type: 'Event', event }, now, parent.executionId);
}

/** One log line per invocation; an error is logged by type only (messages may quote inputs). */
export function logInvocation(
  ctx: EngineContext,
  functionName: string,
  kind: DurableFunctionKind,
  id: string,
  started: number,
  outcome: string,
  error?: unknown,
): void {
  const fields: Record<string, unknown> = {
    function: functionName,
    kind,
    instanceId: id,
    durationMs: Date.now() - started,
    outcome,
  };
  if (error !== undefined) fields.errorType = asErrorLike(error)?.name ?? typeof error;
  if (outcome === 'Succeeded' || outcome === 'Completed' || outcome === 'Running') {
    ctx.options.logger.info(`Executed '${functionName}' (${outcome})`, fields);
  } else {
    ctx.options.logger.warn(`Executed '${functionName}' (${outcome})`, fields);
  }
}

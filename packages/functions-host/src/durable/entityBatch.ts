/**
 * Runs one batch of queued operations on one entity through the app's entity function, stores the new state,
 * answers the orchestrations that called (as EventRaised events named by request id) and sends the signals
 * the operations raised, all in one transaction.
 */
import { randomUUID } from 'node:crypto';

import { type EngineContext, entityFunctionName, logInvocation } from './engineContext';
import { entityInstanceId, parseEntityInstanceId } from './entityInstanceId';
import { errorMessageOf, EventType, newEvent } from './historyEvents';
import { type EntityMessage, type EntityRow, type QueuedMessage } from './store';

interface EntitySignal {
  target: { name: string; key: string };
  name: string;
  input?: string;
}

/** What the durable-functions entity wrapper returns for a batch. */
interface EntityBatchResult {
  entityExists?: boolean;
  entityState?: string;
  results?: Array<{ isError?: boolean; result?: string } | null>;
  signals?: EntitySignal[];
}

interface Response {
  message: QueuedMessage<EntityMessage>;
  result?: string;
  error?: string;
}

export async function runEntityBatch(ctx: EngineContext, entityId: string): Promise<void> {
  const db = ctx.db;
  const messages = db.visibleMessages<EntityMessage>('entity', entityId, Date.now());
  if (messages.length === 0) return;
  const { name, key } = parseEntityInstanceId(entityId);
  const functionName = entityFunctionName(ctx, name);
  const started = Date.now();
  const startedPrecise = performance.now();
  const row = db.getEntity(entityId);
  const responses: Response[] = [];
  let next: EntityRow | undefined = row;
  let signals: EntitySignal[] = [];

  if (functionName === undefined) {
    for (const message of messages) responses.push({ message, error: `Function '${name}' does not exist` });
    ctx.options.logger.warn(`Entity function '${name}' does not exist; operations rejected`, { entityId });
  } else {
    const batch = messages.map((m) => ({
      id: m.body.requestId,
      name: m.body.operation,
      input: m.body.input,
      signal: m.body.caller === undefined,
    }));
    try {
      const result = (await ctx.options.invoke(functionName, {
        self: { name, key },
        exists: row?.exists ?? false,
        state: row?.exists ? row.state : undefined,
        batch,
      })) as EntityBatchResult;
      next = {
        entityId,
        name,
        key,
        exists: result.entityExists ?? false,
        state: result.entityState,
        updatedAt: Date.now(),
      };
      messages.forEach((message, i) => {
        const r = result.results?.[i];
        if (r?.isError) responses.push({ message, error: r.result ?? 'Entity operation failed' });
        else responses.push({ message, result: r?.result });
      });
      signals = result.signals ?? [];
      logInvocation(ctx, functionName, 'entity', entityId, started, 'Succeeded');
    } catch (error) {
      const text = errorMessageOf(error);
      for (const message of messages) responses.push({ message, error: text });
      logInvocation(ctx, functionName, 'entity', entityId, started, 'Failed', error);
    }
  }
  if (ctx.isStopped()) return;
  const now = Date.now();
  db.transaction(() => {
    if (next !== undefined && next !== row) db.putEntity(next);
    db.deleteMessages(messages.map((m) => m.seq));
    for (const { message, result, error } of responses) {
      const caller = message.body.caller;
      if (caller === undefined) continue;
      const payload =
        error !== undefined ? { result: JSON.stringify(error), exceptionType: 'Error' } : { result: result };
      const event = newEvent(EventType.EventRaised, {
        Name: message.body.requestId,
        Input: JSON.stringify(payload),
      });
      db.enqueue('orchestration', caller.instanceId, { type: 'Event', event }, now, caller.executionId);
    }
    for (const signal of signals) {
      const out: EntityMessage = {
        type: 'EntityOperation',
        requestId: randomUUID(),
        operation: signal.name,
        input: signal.input === undefined || signal.input === '' ? undefined : signal.input,
        caller: undefined,
      };
      db.enqueue('entity', entityInstanceId(signal.target.name, signal.target.key), out, now);
    }
  });
  ctx.work.record(entityId, functionName ?? name, 'entity', {
    historyEventsAppended: 0,
    eventsReplayed: messages.length,
    ms: performance.now() - startedPrecise,
  });
}

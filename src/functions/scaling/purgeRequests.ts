/**
 * Finished `nodepool-*` orchestrations (one per event or scale request, and repairs) are purged from
 * the durable store once they are older than `NODE_POOL_HISTORY_MINUTES` (default 10; 0 purges them as
 * soon as they finish), so the instance list does not grow with every event. What they decided is kept
 * where it is read: the pool's entity (its last decision, last ignored event, last error) and the
 * cluster's status. The sweep runs from the functions that start such orchestrations (the Event Grid
 * function, the Event Grid webhook route, the scale route), at most once a minute per process (or on
 * every call when the setting is 0), after their own work; a failed sweep is logged, never fails them.
 */
import type { InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import * as df from 'durable-functions';

import { NODE_POOL_INSTANCE_PREFIX } from './scalingFunctions';

export const DEFAULT_NODE_POOL_HISTORY_MINUTES = 10;
const SWEEP_EVERY_MS = 60_000;

export class HistorySettingError extends Error {
  override readonly name = 'HistorySettingError';
}

export function nodePoolHistoryMinutes(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env['NODE_POOL_HISTORY_MINUTES']?.trim();
  if (raw === undefined || raw === '') return DEFAULT_NODE_POOL_HISTORY_MINUTES;
  if (!/^\d+$/.test(raw) || Number(raw) > 10_080) {
    throw new HistorySettingError(
      `NODE_POOL_HISTORY_MINUTES must be a whole number of minutes from 0 to 10080 (got "${raw.slice(0, 40)}")`,
    );
  }
  return Number(raw);
}

let lastSweepMs = Number.NEGATIVE_INFINITY;
let running: Promise<number> | undefined;

/** Purges finished request orchestrations older than the setting; returns how many. */
export async function purgeFinishedPoolRequests(client: DurableClient, nowMs = Date.now()): Promise<number> {
  const historyMs = nodePoolHistoryMinutes(process.env) * 60_000;
  const finished = await client.getStatusBy({
    runtimeStatus: [
      df.OrchestrationRuntimeStatus.Completed,
      df.OrchestrationRuntimeStatus.Failed,
      df.OrchestrationRuntimeStatus.Terminated,
    ],
  });
  const old = finished.filter(
    (s) =>
      s.instanceId.startsWith(NODE_POOL_INSTANCE_PREFIX) &&
      new Date(s.lastUpdatedTime).getTime() <= nowMs - historyMs,
  );
  let purged = 0;
  for (const status of old) {
    try {
      purged += (await client.purgeInstanceHistory(status.instanceId)).instancesDeleted;
    } catch {
      // Purged meanwhile by another sweep: nothing left to do.
    }
  }
  return purged;
}

/** The throttled sweep the functions call after their own work. Never throws. */
export async function sweepFinishedPoolRequests(
  client: DurableClient,
  context: InvocationContext,
): Promise<void> {
  let every: number;
  try {
    every = Math.min(SWEEP_EVERY_MS, nodePoolHistoryMinutes(process.env) * 60_000);
  } catch (err) {
    context.warn(err instanceof Error ? err.message : String(err));
    return;
  }
  const now = Date.now();
  if (running || now - lastSweepMs < every) return;
  lastSweepMs = now;
  const sweep = purgeFinishedPoolRequests(client, now);
  running = sweep;
  try {
    const purged = await sweep;
    if (purged > 0) context.log(`purged ${purged} finished node-pool orchestration(s)`);
  } catch (err) {
    context.warn(
      `purging finished node-pool orchestrations failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  } finally {
    running = undefined;
  }
}

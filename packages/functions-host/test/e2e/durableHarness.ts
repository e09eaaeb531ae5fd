/**
 * Shared helpers for the durable e2e tests: the test app's location, a real DurableClient bound to a running
 * host, and polling helpers that go through the client (never the engine's internals).
 */
import * as path from 'node:path';

import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

export const DURABLE_APP_DIR = path.resolve(__dirname, '../fixtures/durable-app');

export type Client = ReturnType<typeof df.getClient>;
export type Status = Awaited<ReturnType<Client['getStatus']>>;

const FINAL = new Set(['Completed', 'Failed', 'Terminated']);

/** A DurableClient exactly as a function with a durableClient input would get it. */
export function durableClientFor(binding: Record<string, unknown>): Client {
  const clientInput = df.input.durableClient();
  const context = new InvocationContext({ functionName: 'test', options: { extraInputs: [clientInput] } });
  context.extraInputs.set(clientInput, binding);
  return df.getClient(context);
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls getStatus until `accept` holds. */
export async function waitForStatus(
  client: Client,
  instanceId: string,
  accept: (status: Status) => boolean,
  timeoutMs = 20000,
): Promise<Status> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await client.getStatus(instanceId);
    if (accept(status)) return status;
    if (Date.now() > deadline) {
      throw new Error(`Instance ${instanceId} is still ${status.runtimeStatus} after ${timeoutMs} ms`);
    }
    await sleep(25);
  }
}

export function waitForFinal(client: Client, instanceId: string, timeoutMs?: number): Promise<Status> {
  return waitForStatus(client, instanceId, (s) => FINAL.has(s.runtimeStatus), timeoutMs);
}

/**
 * The seam between the local Functions host (loader, HTTP, Event Grid: `src/*.ts`) and the durable
 * engine (`src/durable/*`). The host loads the app and knows how to invoke a function through the
 * real @azure/functions programming model; the engine knows Durable semantics and persistence.
 */

import { type InstanceWork } from './workStats';

export type DurableFunctionKind = 'orchestration' | 'activity' | 'entity';

/**
 * Invokes a registered function with the JSON its trigger would receive from the Durable extension and
 * resolves with the value the function returned (already converted back to plain JS), or rejects with the
 * error it threw.
 *  - orchestration: triggerInput = `{ history, input, instanceId, isReplaying, parentInstanceId, upperSchemaVersion,
 *    upperSchemaVersionNew, longRunningTimerIntervalDuration, maximumShortTimerDuration,
 *    defaultHttpAsyncRequestSleepTimeMillseconds }`; resolves with the OrchestratorState.
 *  - activity: triggerInput = the activity input; resolves with its output.
 *  - entity: triggerInput = `{ self, exists, state, batch }`; resolves with `{ entityExists, entityState, results, signals }`.
 * A new InvocationContext is created for every call.
 */
export type DurableInvoker = (functionName: string, triggerInput: unknown) => Promise<unknown>;

export interface EngineLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface DurableEngineOptions {
  /** Registered durable functions by name. */
  functions: ReadonlyMap<string, DurableFunctionKind>;
  invoke: DurableInvoker;
  /** SQLite file for history, instances, entities and queued work; ':memory:' for throw-away runs. */
  databaseFile: string;
  taskHubName: string;
  /** From host.json extensions.durableTask; defaults 10 / 10 like the extension's. */
  maxConcurrentActivityFunctions?: number;
  maxConcurrentOrchestratorFunctions?: number;
  logger: EngineLogger;
  /**
   * The key the management API asks for (the host's `durabletask_extension` system key): the client
   * binding and the check-status URLs carry it, as on Azure. The engine does not check it; the host does.
   */
  managementKey?: string;
}

/** A management request, already parsed by the host's HTTP server. */
export interface ManagementRequest {
  method: string;
  /** Path only, starting with `/runtime/webhooks/durabletask/`. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  /** Raw request body text ('' when none). */
  body: string;
}

export interface ManagementResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialisable body, or undefined for none. */
  body?: unknown;
}

/** What `src/durable/engine.ts` exports as `class DurableEngine implements DurableEngineApi`. */
export interface DurableEngineApi {
  /** Opens the store and resumes every unfinished instance and queued work item. */
  start(): Promise<void>;
  /** Stops dispatching new work, waits (bounded) for running invocations, closes the store. */
  stop(): Promise<void>;
  /**
   * The `durableClient` input binding value for a function invocation: `{ taskHubName, creationUrls,
   * managementUrls, baseUrl, requiredQueryStringParameters, rpcBaseUrl }` with every URL under
   * `${origin}/runtime/webhooks/durabletask/` (rpcBaseUrl too, so one set of routes serves both), each
   * carrying `managementKey` when there is one (see durableClientBinding.ts).
   */
  clientBinding(origin: string): Record<string, unknown>;
  /** Serves `/runtime/webhooks/durabletask/...`; returns undefined when the path is not a management route. */
  handleManagementRequest(req: ManagementRequest): Promise<ManagementResponse | undefined>;
  /**
   * Read-only instrumentation: episodes, history events and time per orchestration instance and entity
   * since start or `resetWorkStats()`, in memory only (see workStats.ts).
   */
  workStats(): InstanceWork[];
  resetWorkStats(): void;
}

import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

import { compareRoutes, type CompiledRoute, compileRoute } from './compileRoute';
import {
  buildInputData,
  errorMessage,
  type ExtraInputInfo,
  type FunctionRegistration,
  jsonTypedData,
  type LoadedApp,
  loadFunctionsApp,
  loggableError,
  realProcessEnv,
} from './core';
import type { RpcHttpData, RpcTypedData } from './coreTypes';
import { createDurableInvoker, durableFunctionsOf } from './createDurableInvoker';
import type { DurableEngineApi, DurableInvoker } from './durable/contract';
import { DurableEngine } from './durable/engine';
import {
  DEFAULT_EVENTGRID_RETRY,
  EventGridDispatcher,
  type EventGridRetryPolicy,
} from './EventGridDispatcher';
import { EventGridRequestError, parseEventGridRequest } from './eventGridWebhook';
import {
  type HostKeys,
  isAuthorized,
  isSystemAuthorized,
  loadHostKeys,
  type SystemKeyName,
} from './hostKeys';
import { createJsonLogger, type HostLogger } from './hostLogger';
import {
  flattenHeaders,
  functionKeyOf,
  type IncomingRequest,
  json,
  type OutgoingResponse,
  PayloadTooLargeError,
  presentedKeys,
  queryRecord,
  readBody,
  toHttpResponse,
} from './httpMessages';
import { type HostConfig, readHostConfig } from './readHostConfig';

/**
 * The local Functions host: loads a Node.js v4 Functions app as the worker does (see core.ts), serves its
 * HTTP triggers under the host.json routePrefix with route parameters, methods and auth levels, accepts
 * Event Grid deliveries at `/runtime/webhooks/eventgrid`, and runs Durable functions on the local durable
 * engine, whose management API it mounts at `/runtime/webhooks/durabletask/`. Both webhooks ask, as on
 * Azure, for their extension's system key (`durabletask_extension`, `eventgrid_extension`) or the master
 * key, so that no web page the developer visits can drive them (the app may hold real Azure credentials).
 */

export interface StartHostOptions {
  appDir: string;
  /** 0 = ephemeral; default 7071 like `func start`. */
  port?: number;
  /** Address to bind; default 127.0.0.1 (nothing is exposed beyond this machine). */
  hostname?: string;
  /** App settings put into process.env before the app loads (restored on close). */
  settings?: Record<string, string>;
  /** Keys, durable store, Event Grid journal and dead letters; default `<appDir>/.local/host`. */
  stateDir?: string;
  /** Default `<stateDir>/keys.json`. */
  keysFile?: string;
  /** Default: JSON lines on stdout. */
  logger?: HostLogger;
  /** Event Grid retry policy; defaults 5 attempts, 1 s doubling up to 60 s. */
  eventGridRetry?: Partial<EventGridRetryPolicy>;
  /** Durable store file; default `<stateDir>/durable.db`. */
  durableDatabaseFile?: string;
}

export interface FunctionEndpoint {
  name: string;
  trigger: string;
  /** For HTTP triggers: methods and the full URL template; for Event Grid: the webhook URL. */
  methods?: string[];
  url?: string;
  authLevel?: string;
}

export interface RunningHost {
  /** Base URL, e.g. `http://127.0.0.1:7071`. */
  url: string;
  port: number;
  config: HostConfig;
  keys: HostKeys;
  /** Where the keys are kept (`<stateDir>/keys.json` unless `keysFile` was given). */
  keysFile: string;
  app: LoadedApp;
  registrations: ReadonlyMap<string, FunctionRegistration>;
  endpoints: FunctionEndpoint[];
  /** Functions whose triggers the local host does not serve. */
  unsupported: { name: string; trigger: string }[];
  stateDir: string;
  deadLetterFile: string;
  durable: DurableEngineApi | undefined;
  /** Resolves when every accepted Event Grid event has been delivered or dead-lettered. */
  eventGridIdle(): Promise<void>;
  close(): Promise<void>;
}

export class HostStartError extends Error {
  override readonly name = 'HostStartError';
}

const SUPPORTED_TRIGGERS = new Set([
  'httptrigger',
  'eventgridtrigger',
  'orchestrationtrigger',
  'activitytrigger',
  'entitytrigger',
]);
const DURABLE_CLIENT_TYPES = new Set(['durableclient', 'orchestrationclient']);
const DURABLE_PREFIX = '/runtime/webhooks/durabletask/';
const EVENTGRID_PATH = '/runtime/webhooks/eventgrid';

interface HttpRoute {
  registration: FunctionRegistration;
  route: CompiledRoute;
}

const WEBHOOK_NAMES: Record<SystemKeyName, string> = {
  durabletask_extension: 'The Durable Functions management API',
  eventgrid_extension: 'The Event Grid webhook',
};

function restoreEnv(env: NodeJS.ProcessEnv, saved: Map<string, string | undefined>): void {
  for (const [key, value] of saved) {
    if (value === undefined) Reflect.deleteProperty(env, key);
    else env[key] = value;
  }
}

export async function startHost(options: StartHostOptions): Promise<RunningHost> {
  const appDir = path.resolve(options.appDir);
  const logger = options.logger ?? createJsonLogger();
  const config = readHostConfig(appDir);
  const stateDir = path.resolve(options.stateDir ?? path.join(appDir, '.local', 'host'));
  fs.mkdirSync(stateDir, { recursive: true });
  const env = realProcessEnv();
  const settings = options.settings ?? {};
  const keysFile = path.resolve(options.keysFile ?? path.join(stateDir, 'keys.json'));
  const keys = loadHostKeys(keysFile, { ...env, ...settings });
  const retry: EventGridRetryPolicy = { ...DEFAULT_EVENTGRID_RETRY, ...options.eventGridRetry };
  const deadLetterFile = path.join(stateDir, 'eventgrid-deadletter.jsonl');

  const savedEnv = new Map<string, string | undefined>();
  const setEnv = (key: string, value: string): void => {
    if (!savedEnv.has(key)) savedEnv.set(key, env[key]);
    env[key] = value;
  };
  for (const [key, value] of Object.entries(settings)) setEnv(key, value);

  let app: LoadedApp | undefined;
  let routes: HttpRoute[] = [];
  let engine: DurableEngineApi | undefined;
  let dispatcher: EventGridDispatcher | undefined;
  let accepting = false;
  let closing = false;
  let baseUrl = '';

  const logInvocation = async <T>(
    registration: FunctionRegistration,
    run: (invocationId: string) => Promise<T>,
  ): Promise<T> => {
    const invocationId = randomUUID();
    const started = performance.now();
    try {
      const result = await run(invocationId);
      logger.info('Executed', {
        function: registration.name,
        trigger: registration.triggerType,
        invocationId,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        status: 'Succeeded',
      });
      return result;
    } catch (err) {
      logger.error('Executed', {
        function: registration.name,
        trigger: registration.triggerType,
        invocationId,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        status: 'Failed',
        error: loggableError(err),
      });
      throw err;
    }
  };

  const resolveExtraInput = (input: ExtraInputInfo): unknown => {
    if (DURABLE_CLIENT_TYPES.has(input.type.toLowerCase()) && engine) return engine.clientBinding(baseUrl);
    return undefined;
  };

  const invokeWith = async (registration: FunctionRegistration, trigger: RpcTypedData) =>
    logInvocation(registration, (invocationId) =>
      app!.invoke(registration.name, {
        invocationId,
        inputData: buildInputData(registration, trigger, resolveExtraInput),
      }),
    );

  const handleHttpFunction = async (
    req: IncomingRequest,
    relativePath: string,
  ): Promise<OutgoingResponse> => {
    let pathMatched = false;
    for (const { registration, route } of routes) {
      const params = route.match(relativePath);
      if (!params) continue;
      pathMatched = true;
      const info = registration.http!;
      if (info.methods.length > 0 && !info.methods.includes(req.method)) continue;
      if (!isAuthorized(keys, info.authLevel, functionKeyOf(req))) return { status: 401 };
      const httpData: RpcHttpData = {
        method: req.method,
        url: req.url.href,
        headers: req.headers,
        query: queryRecord(req.url.searchParams),
        params,
        body: req.body.length > 0 ? { bytes: req.body } : undefined,
      };
      let outcome;
      try {
        outcome = await invokeWith(registration, { http: httpData });
      } catch {
        // Like Azure: the error is logged, the caller gets a bare 500.
        return { status: 500 };
      }
      const httpOutput =
        outcome.returnValue?.http ?? outcome.outputData.find((o) => o.data?.http)?.data?.http ?? undefined;
      if (!httpOutput) return { status: 204 };
      return toHttpResponse(httpOutput);
    }
    // A path that exists but not for this method is a 404 on Azure too (methods are part of the route).
    return pathMatched
      ? { status: 404 }
      : json(404, { error: `No function serves ${req.method} ${req.url.pathname}` });
  };

  /** The 401 for an extension webhook called without its system key or the master key. */
  const unauthorized = (req: IncomingRequest, name: SystemKeyName): OutgoingResponse | undefined => {
    if (isSystemAuthorized(keys, name, presentedKeys(req))) return undefined;
    return json(401, {
      error:
        `${WEBHOOK_NAMES[name]} requires the "${name}" system key or the master key, as ?code=<key> or ` +
        `the x-functions-key header (function keys do not open it). The keys are in ${keysFile}.`,
    });
  };

  const handleEventGrid = (req: IncomingRequest): OutgoingResponse => {
    const denied = unauthorized(req, 'eventgrid_extension');
    if (denied) return denied;
    if (req.method === 'OPTIONS') {
      // CloudEvents webhook validation (abuse protection) handshake.
      const origin = req.headers['webhook-request-origin'];
      return {
        status: 200,
        headers: {
          allow: 'POST, OPTIONS',
          ...(origin ? { 'webhook-allowed-origin': origin, 'webhook-allowed-rate': '*' } : {}),
        },
      };
    }
    if (req.method !== 'POST') return { status: 405, headers: { allow: 'POST, OPTIONS' } };
    const functionName = [...req.url.searchParams].find(([k]) => k.toLowerCase() === 'functionname')?.[1];
    if (!functionName) return json(400, { error: 'Query parameter "functionName" is required.' });
    const registration = app!.registrations.get(functionName);
    if (!registration || registration.triggerType.toLowerCase() !== 'eventgridtrigger') {
      return json(404, { error: `No Event Grid function named "${functionName}".` });
    }
    let parsed;
    try {
      parsed = parseEventGridRequest(req.headers, req.body.toString('utf8'), {
        defaultTopic: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.EventGrid/topics/local-host`,
      });
    } catch (err) {
      if (err instanceof EventGridRequestError) return json(400, { error: err.message });
      throw err;
    }
    if (parsed.kind === 'validation') return json(200, { validationResponse: parsed.validationCode });
    if (parsed.kind === 'deletion') return { status: 200 };
    dispatcher!.accept(functionName, parsed.schema, parsed.events);
    return { status: 200 };
  };

  const handleDurable = async (req: IncomingRequest): Promise<OutgoingResponse> => {
    const denied = unauthorized(req, 'durabletask_extension');
    if (denied) return denied;
    if (!engine) return json(404, { error: 'This app has no durable functions.' });
    const response = await engine.handleManagementRequest({
      method: req.method,
      path: req.url.pathname,
      query: req.url.searchParams,
      headers: req.headers,
      body: req.body.toString('utf8'),
    });
    if (!response)
      return json(404, { error: `No durable management route ${req.method} ${req.url.pathname}` });
    const headers: Record<string, string> = { ...(response.headers ?? {}) };
    if (response.body === undefined) return { status: response.status, headers };
    const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
    if (!hasType) headers['content-type'] = 'application/json; charset=utf-8';
    return { status: response.status, headers, body: JSON.stringify(response.body) };
  };

  const route = async (req: IncomingRequest): Promise<OutgoingResponse> => {
    const pathname = req.url.pathname;
    const lower = pathname.toLowerCase();
    if (!accepting) return json(503, { error: closing ? 'The host is stopping.' : 'The host is starting.' });
    if (lower.startsWith(DURABLE_PREFIX)) return handleDurable(req);
    if (lower === EVENTGRID_PATH || lower === `${EVENTGRID_PATH}/`) return handleEventGrid(req);
    if (lower === '/admin/host/status') return json(200, { state: 'Running' });
    const prefix = config.routePrefix === '' ? '' : `/${config.routePrefix.toLowerCase()}`;
    if (prefix === '' || lower === prefix || lower.startsWith(`${prefix}/`)) {
      return handleHttpFunction(req, pathname.slice(prefix.length));
    }
    if (pathname === '/') {
      // Function names are for the master key only (an admin listing); anyone else sees the state alone.
      const admin = isAuthorized(keys, 'admin', functionKeyOf(req));
      const functions = admin ? { functions: [...app!.registrations.keys()] } : {};
      return json(200, { state: 'Running', ...functions });
    }
    return json(404, { error: `Not found: ${pathname}` });
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      let response: OutgoingResponse;
      try {
        const body = await readBody(req);
        const request: IncomingRequest = {
          method: (req.method ?? 'GET').toUpperCase(),
          url: new URL(req.url ?? '/', baseUrl),
          headers: flattenHeaders(req.headers),
          body,
        };
        response = await route(request);
      } catch (err) {
        if (err instanceof PayloadTooLargeError) response = json(413, { error: err.message });
        else {
          logger.error('Request failed', {
            method: req.method,
            path: req.url?.split('?')[0],
            error: errorMessage(err),
          });
          response = json(500, { error: 'Internal error in the local host.' });
        }
      }
      res.writeHead(response.status, response.headers);
      res.end(req.method === 'HEAD' ? undefined : response.body);
    })();
  });

  const hostname = options.hostname ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7071, hostname, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = hostname === '0.0.0.0' || hostname === '::' ? 'localhost' : hostname;
  baseUrl = `http://${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${port}`;
  // durable-functions rewrites client URLs to localhost:7071 unless WEBSITE_HOSTNAME is set.
  setEnv('WEBSITE_HOSTNAME', `${urlHost}:${port}`);

  const closeServer = async (): Promise<void> => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2000).unref();
    });
  };

  try {
    app = await loadFunctionsApp(appDir, {
      log: (entry) => {
        if (entry.category === 'system' && (entry.level === 'debug' || entry.level === 'trace')) return;
        const fields = {
          category: entry.category,
          logLevel: entry.level,
          function: entry.functionName,
          invocationId: entry.invocationId,
        };
        if (entry.level === 'error' || entry.level === 'critical') logger.error(entry.message, fields);
        else if (entry.level === 'warning') logger.warn(entry.message, fields);
        else logger.info(entry.message, fields);
      },
    });

    const unsupported: { name: string; trigger: string }[] = [];
    const endpoints: FunctionEndpoint[] = [];
    const httpRoutes: HttpRoute[] = [];
    for (const registration of app.registrations.values()) {
      const trigger = registration.triggerType.toLowerCase();
      if (!SUPPORTED_TRIGGERS.has(trigger)) {
        unsupported.push({ name: registration.name, trigger: registration.triggerType });
        continue;
      }
      if (registration.http) {
        httpRoutes.push({ registration, route: compileRoute(registration.http.route) });
        const prefix = config.routePrefix === '' ? '' : `/${config.routePrefix}`;
        endpoints.push({
          name: registration.name,
          trigger: registration.triggerType,
          methods: registration.http.methods,
          url: `${baseUrl}${prefix}/${registration.http.route}`,
          authLevel: registration.http.authLevel,
        });
      } else if (trigger === 'eventgridtrigger') {
        endpoints.push({
          name: registration.name,
          trigger: registration.triggerType,
          methods: ['POST'],
          // With the key, as the Event Grid subscription endpoint on Azure has it.
          url: `${baseUrl}${EVENTGRID_PATH}?functionName=${encodeURIComponent(registration.name)}&code=${encodeURIComponent(keys.systemKeys.eventgrid_extension)}`,
        });
      } else {
        endpoints.push({ name: registration.name, trigger: registration.triggerType });
      }
    }
    routes = httpRoutes.sort((a, b) => compareRoutes(a.route, b.route));
    if (unsupported.length > 0) {
      logger.warn('Functions with triggers the local host does not serve were skipped', {
        functions: unsupported.map((u) => `${u.name} (${u.trigger})`),
      });
    }

    const durableFunctions = durableFunctionsOf(app);
    const needsClient = [...app.registrations.values()].some((r) =>
      r.extraInputs.some((i) => DURABLE_CLIENT_TYPES.has(i.type.toLowerCase())),
    );
    if (durableFunctions.size > 0 || needsClient) {
      // The engine logs every durable invocation (with its instance id), so no second line here.
      const invoke: DurableInvoker = createDurableInvoker(app, { resolveExtraInput });
      engine = new DurableEngine({
        functions: durableFunctions,
        invoke,
        databaseFile: options.durableDatabaseFile ?? path.join(stateDir, 'durable.db'),
        taskHubName: config.hubName,
        maxConcurrentActivityFunctions: config.maxConcurrentActivityFunctions,
        maxConcurrentOrchestratorFunctions: config.maxConcurrentOrchestratorFunctions,
        logger,
        managementKey: keys.systemKeys.durabletask_extension,
      });
      await engine.start();
    }

    const loadedApp = app;
    dispatcher = new EventGridDispatcher({
      journalFile: path.join(stateDir, 'eventgrid-journal.jsonl'),
      deadLetterFile,
      retry,
      logger,
      deliver: async (functionName, event) => {
        const registration = loadedApp.registrations.get(functionName);
        if (!registration) throw new Error(`No Event Grid function named "${functionName}".`);
        await invokeWith(registration, jsonTypedData(event));
      },
    });
    dispatcher.start();
    accepting = true;
    logger.info('Host started', { url: baseUrl, functions: app.registrations.size, stateDir });

    let closed: Promise<void> | undefined;
    const startedApp = app;
    const startedDispatcher = dispatcher;
    return {
      url: baseUrl,
      port,
      config,
      keys,
      keysFile,
      app,
      registrations: app.registrations,
      endpoints,
      unsupported,
      stateDir,
      deadLetterFile,
      durable: engine,
      eventGridIdle: () => startedDispatcher.idle(),
      close() {
        closed ??= (async () => {
          closing = true;
          await startedDispatcher.stop();
          // The engine stops while the server still answers, so activities calling the host finish cleanly.
          if (engine) await engine.stop();
          accepting = false;
          await closeServer();
          try {
            await startedApp.terminate();
          } catch (err) {
            logger.error('An appTerminate hook failed', { error: errorMessage(err) });
          }
          restoreEnv(env, savedEnv);
          logger.info('Host stopped', { url: baseUrl });
        })();
        return closed;
      },
    };
  } catch (err) {
    if (dispatcher) await dispatcher.stop();
    if (engine) await engine.stop().catch(() => undefined);
    await closeServer();
    restoreEnv(env, savedEnv);
    if (err instanceof Error) throw err;
    throw new HostStartError(`The host failed to start: ${errorMessage(err)}`);
  }
}

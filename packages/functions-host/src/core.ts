import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import type {
  CoreInvocationContext,
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  ProgrammingModel,
  RpcBindingInfo,
  RpcInvocationRequest,
  RpcLogCategory,
  RpcLogLevel,
  RpcParameterBinding,
  RpcTypedData,
} from './coreTypes';
import { splitOutOfProcError } from './durable/outOfProcData';
import { expandMainGlob } from './expandMainGlob';

/**
 * A stand-in for the Azure Functions Node worker's built-in `@azure/functions-core` module. Like the
 * worker's `setupCoreModule`, it wraps `Module.prototype.require` so that the app's copy of
 * `@azure/functions` finds the module when it registers functions; the app itself contains nothing for
 * the local host. Invocations then go through the library's own ProgrammingModel, in the order the worker
 * uses: getInvocationModel → getArguments → preInvocation hooks → invokeFunction → postInvocation hooks →
 * getResponse.
 */

export class AppLoadError extends Error {
  override readonly name = 'AppLoadError';
}

export class FunctionNotFoundError extends Error {
  override readonly name = 'FunctionNotFoundError';
  constructor(readonly functionName: string) {
    super(`No function named "${functionName}" is registered by the app.`);
  }
}

export class DuplicateFunctionError extends Error {
  override readonly name = 'DuplicateFunctionError';
}

export type HttpAuthLevel = 'anonymous' | 'function' | 'admin';

export interface HttpTriggerInfo {
  /** Route template without the routePrefix; defaults to the function name like the host does. */
  route: string;
  /** Upper-case methods; empty means every method. */
  methods: string[];
  authLevel: HttpAuthLevel;
}

export interface ExtraInputInfo {
  name: string;
  type: string;
  binding: RpcBindingInfo;
}

export interface FunctionRegistration {
  name: string;
  functionId: string;
  /** The metadata exactly as the library registered it. */
  metadata: FunctionMetadata;
  triggerName: string;
  /** Trigger binding type as registered, e.g. `httpTrigger`, `eventGridTrigger`, `orchestrationTrigger`. */
  triggerType: string;
  trigger: RpcBindingInfo;
  extraInputs: ExtraInputInfo[];
  /** Present for HTTP triggers. */
  http?: HttpTriggerInfo;
  callback: FunctionCallback;
}

export interface CoreLogEntry {
  level: RpcLogLevel;
  category: RpcLogCategory;
  message: string;
  functionName?: string;
  invocationId?: string;
}

export interface LoadFunctionsAppOptions {
  /** Receives every log written through the core API (user logs via context.log, system logs). */
  log?: (entry: CoreLogEntry) => void;
}

export interface InvocationRequest {
  invocationId?: string;
  inputData: RpcParameterBinding[];
  triggerMetadata?: Record<string, RpcTypedData>;
  retryContext?: RpcInvocationRequest['retryContext'];
}

export interface InvocationOutcome {
  invocationId: string;
  /** The function's return value as the library converted it for the host (e.g. `{ http }` or `{ json }`). */
  returnValue: RpcTypedData | null | undefined;
  outputData: RpcParameterBinding[];
}

export interface LoadedApp {
  appDir: string;
  /** Entry files loaded, in load order. */
  files: string[];
  programmingModel: { name: string; version: string } | undefined;
  registrations: ReadonlyMap<string, FunctionRegistration>;
  /** Invokes a function through the library's programming model; rejects with the error the function threw. */
  invoke(functionName: string, request: InvocationRequest): Promise<InvocationOutcome>;
  /** Runs the app's `appTerminate` hooks (call once on shutdown). */
  terminate(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// The require hook. State lives on the `Module` constructor (shared by every realm in the process, e.g. each
// jest test file) so that the hook is installed once and always hands out the core of the latest load.

interface CoreSlot {
  installed: boolean;
  current: FunctionsCore | undefined;
  /** require.cache keys that app loads added; purged before the next load so each load runs fresh code. */
  loadedModules: Set<string>;
  loadCount: number;
  queue: Promise<unknown>;
}

const SLOT_KEY = Symbol.for('azure-cluster-provisioner/local-host/functions-core');
const CORE_MODULE_ID = '@azure/functions-core';

interface NodeModuleClass {
  prototype: { require: (id: string) => unknown };
  createRequire(filename: string): NodeJS.Require;
}

/**
 * Node's own Module class. Under jest, `node:module` is a subclass whose createRequire loads through jest's
 * registry; the worker's trick needs the real loader, so walk up to the prototype that owns `require`.
 */
function nodeModuleClass(): NodeModuleClass {
  let proto = Module.prototype as object;
  while (!Object.prototype.hasOwnProperty.call(proto, 'require')) {
    const parent = Object.getPrototypeOf(proto) as object | null;
    if (!parent) break;
    proto = parent;
  }
  return (proto as { constructor: unknown }).constructor as NodeModuleClass;
}

function coreSlot(): CoreSlot {
  const holder = nodeModuleClass() as unknown as Record<symbol, CoreSlot | undefined>;
  let slot = holder[SLOT_KEY];
  if (!slot) {
    slot = {
      installed: false,
      current: undefined,
      loadedModules: new Set(),
      loadCount: 0,
      queue: Promise.resolve(),
    };
    holder[SLOT_KEY] = slot;
  }
  return slot;
}

/** Installs the `@azure/functions-core` require hook (idempotent). */
export function installCoreModule(): void {
  const slot = coreSlot();
  if (slot.installed) return;
  const proto = nodeModuleClass().prototype;
  proto.require = new Proxy(proto.require, {
    apply(target, thisArg, args: unknown[]) {
      // Without a loaded app the id falls through and fails as it would outside the worker.
      if (args[0] === CORE_MODULE_ID && slot.current) return slot.current.api;
      return Reflect.apply(target, thisArg, args) as unknown;
    },
  });
  slot.installed = true;
}

class Disposable {
  #callOnDispose: (() => unknown) | undefined;
  static from(...likes: { dispose: () => unknown }[]): Disposable {
    return new Disposable(() => {
      for (const like of likes) like.dispose();
    });
  }
  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }
  dispose(): unknown {
    const call = this.#callOnDispose;
    this.#callOnDispose = undefined;
    return call?.();
  }
}

const HOOK_NAMES = new Set(['preInvocation', 'postInvocation', 'appStart', 'appTerminate', 'log']);

class FunctionsCore {
  readonly registrations = new Map<string, FunctionRegistration>();
  programmingModel: ProgrammingModel | undefined;
  readonly appHookData: Record<string, unknown> = {};
  readonly hooks = new Map<string, HookCallback[]>();
  readonly api: Record<string, unknown>;

  constructor(private readonly sink: (entry: CoreLogEntry) => void) {
    this.api = {
      version: '4.0.0-local',
      hostVersion: '4.1000.0-local',
      registerFunction: (metadata: FunctionMetadata, callback: FunctionCallback) =>
        this.registerFunction(metadata, callback),
      registerHook: (hookName: string, callback: HookCallback) => this.registerHook(hookName, callback),
      setProgrammingModel: (model: ProgrammingModel) => {
        this.programmingModel = model;
      },
      getProgrammingModel: () => this.programmingModel,
      log: (level: RpcLogLevel, category: RpcLogCategory, message: string) =>
        this.log({ level, category, message }, undefined),
      Disposable,
    };
  }

  registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
    const name = metadata?.name;
    if (typeof name !== 'string' || name === '') {
      throw new AppLoadError('registerFunction was called without a function name.');
    }
    if (typeof callback !== 'function') {
      throw new AppLoadError(`registerFunction for "${name}" was called without a callback.`);
    }
    if (this.registrations.has(name)) {
      throw new DuplicateFunctionError(`A function named "${name}" is already registered.`);
    }
    const bindings = metadata.bindings ?? {};
    const triggerEntry = Object.entries(bindings).find(
      ([, b]) => typeof b.type === 'string' && /trigger$/i.test(b.type),
    );
    if (!triggerEntry) {
      throw new AppLoadError(`Function "${name}" has no trigger binding.`);
    }
    const [triggerName, trigger] = triggerEntry;
    const triggerType = String(trigger.type);
    const extraInputs: ExtraInputInfo[] = Object.entries(bindings)
      .filter(([n, b]) => n !== triggerName && b.direction === 'in')
      .map(([n, b]) => ({ name: n, type: String(b.type ?? ''), binding: b }));
    const registration: FunctionRegistration = {
      name,
      functionId: metadata.functionId ?? name,
      metadata,
      triggerName,
      triggerType,
      trigger,
      extraInputs,
      callback,
    };
    if (triggerType.toLowerCase() === 'httptrigger') registration.http = httpTriggerInfo(name, trigger);
    this.registrations.set(name, registration);
    return new Disposable(() => {
      if (this.registrations.get(name) === registration) this.registrations.delete(name);
    });
  }

  registerHook(hookName: string, callback: HookCallback): Disposable {
    if (!HOOK_NAMES.has(hookName)) {
      // The worker rejects unknown hook names the same way (the library maps RangeError to a clear message).
      throw new RangeError(`Unrecognized hook "${hookName}".`);
    }
    const list = this.hooks.get(hookName) ?? [];
    list.push(callback);
    this.hooks.set(hookName, list);
    return new Disposable(() => {
      const index = list.indexOf(callback);
      if (index >= 0) list.splice(index, 1);
    });
  }

  async runHooks(hookName: string, context: Record<string, unknown>): Promise<void> {
    for (const hook of [...(this.hooks.get(hookName) ?? [])]) await hook(context);
  }

  log(entry: CoreLogEntry, invocationContext: unknown): void {
    const logHooks = this.hooks.get('log') ?? [];
    let { level, message } = entry;
    if (logHooks.length > 0) {
      const context: Record<string, unknown> = {
        hookData: {},
        appHookData: this.appHookData,
        invocationContext,
        category: entry.category,
        level,
        message,
      };
      for (const hook of [...logHooks]) {
        try {
          hook(context);
        } catch (err) {
          this.sink({
            level: 'error',
            category: 'system',
            message: `A log hook failed: ${errorMessage(err)}`,
          });
        }
      }
      // Like the worker, hooks may rewrite user logs only.
      if (entry.category === 'user') {
        level = context.level as RpcLogLevel;
        message = String(context.message);
      }
    }
    this.sink({ ...entry, level, message });
  }
}

function httpTriggerInfo(name: string, trigger: RpcBindingInfo): HttpTriggerInfo {
  const route =
    typeof trigger.route === 'string' && trigger.route.trim() !== '' ? trigger.route.trim() : name;
  const methods = Array.isArray(trigger.methods) ? trigger.methods.map((m) => String(m).toUpperCase()) : [];
  const level = typeof trigger.authLevel === 'string' ? trigger.authLevel.toLowerCase() : 'function';
  const authLevel: HttpAuthLevel = level === 'anonymous' || level === 'admin' ? level : 'function';
  return { route: route.replace(/^\/+|\/+$/g, ''), methods, authLevel };
}

export function errorMessage(err: unknown): string {
  // Errors thrown by the app come from another realm under jest, so `instanceof Error` is not reliable.
  if (typeof err === 'object' && err !== null && 'message' in err) return String(err.message);
  return String(err);
}

const MAX_LOGGED_ERROR = 1_000;

/**
 * A failed invocation's error as it belongs in a log line. A failing orchestrator's error embeds its
 * whole state (every action with its input) after `$OutOfProcData$:`; only the state's own error is
 * worth logging, and never unbounded: inputs may be large and are not the log's business.
 */
export function loggableError(err: unknown): string {
  const { message } = splitOutOfProcError(errorMessage(err));
  return message.length > MAX_LOGGED_ERROR ? `${message.slice(0, MAX_LOGGED_ERROR)}… (truncated)` : message;
}

// ---------------------------------------------------------------------------------------------------------

// A require that always goes through Node's own loader (under jest, the test's `require` is jest's), so the
// app and its @azure/functions copy are loaded as in the worker and see the require hook.
const nodeRequire = nodeModuleClass().createRequire(__filename);

/** The process's real environment: under jest `process.env` is a per-test-file copy the app never sees. */
export function realProcessEnv(): NodeJS.ProcessEnv {
  return (nodeRequire('node:process') as NodeJS.Process).env;
}

function isEsmFile(file: string): boolean {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  let dir = path.dirname(file);
  for (;;) {
    const pkgFile = path.join(dir, 'package.json');
    if (fs.existsSync(pkgFile)) {
      try {
        return (JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { type?: unknown }).type === 'module';
      } catch {
        return false;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

function readMain(appDir: string): string {
  const pkgFile = path.join(appDir, 'package.json');
  if (!fs.existsSync(pkgFile)) return 'index.js';
  let pkg: { main?: unknown };
  try {
    pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { main?: unknown };
  } catch (err) {
    throw new AppLoadError(`Cannot parse ${pkgFile}: ${errorMessage(err)}`);
  }
  if (pkg.main === undefined) return 'index.js';
  if (typeof pkg.main !== 'string' || pkg.main.trim() === '') {
    throw new AppLoadError(`"main" in ${pkgFile} must be a non-empty string (a path or glob).`);
  }
  return pkg.main.trim();
}

/**
 * Loads a Node.js v4 Functions app from its package.json `main` (a path or glob) with the core stand-in in
 * place and returns what it registered. Loads are serialized; each load purges the modules earlier loads
 * added to the require cache, so the same app can be loaded again in one process (tests) and registers anew.
 */
export async function loadFunctionsApp(
  appDir: string,
  options: LoadFunctionsAppOptions = {},
): Promise<LoadedApp> {
  const root = path.resolve(appDir);
  if (!fs.existsSync(root)) throw new AppLoadError(`App directory ${root} does not exist.`);
  const main = readMain(root);
  const files = expandMainGlob(root, main);
  if (files.length === 0) {
    throw new AppLoadError(`package.json "main" (${main}) matched no files in ${root}; is the app built?`);
  }
  installCoreModule();
  const slot = coreSlot();
  const run = slot.queue.then(() => loadSerialized(slot, root, files, options));
  slot.queue = run.catch(() => undefined);
  return run;
}

async function loadSerialized(
  slot: CoreSlot,
  root: string,
  files: string[],
  options: LoadFunctionsAppOptions,
): Promise<LoadedApp> {
  const cache = nodeRequire.cache;
  for (const key of slot.loadedModules) Reflect.deleteProperty(cache, key);
  slot.loadedModules.clear();
  const before = new Set(Object.keys(cache));
  const sink = options.log ?? (() => undefined);
  const core = new FunctionsCore(sink);
  slot.current = core;
  slot.loadCount++;
  try {
    for (const file of files) {
      if (isEsmFile(file)) {
        // The ESM cache cannot be purged; a query string makes a repeated load evaluate the entry again.
        // TypeScript's nodenext output keeps this a real dynamic import in CommonJS.
        await import(`${pathToFileURL(file).href}?localHostLoad=${slot.loadCount}`);
      } else {
        nodeRequire(file);
      }
    }
  } catch (err) {
    throw new AppLoadError(`Loading the app from ${root} failed: ${errorMessage(err)}`, { cause: err });
  } finally {
    for (const key of Object.keys(cache)) if (!before.has(key)) slot.loadedModules.add(key);
  }
  if (core.registrations.size > 0 && !core.programmingModel) {
    throw new AppLoadError('The app registered functions but never set a programming model.');
  }
  await core.runHooks('appStart', {
    hookData: {},
    appHookData: core.appHookData,
    functionAppDirectory: root,
  });
  return makeLoadedApp(core, root, files);
}

function makeLoadedApp(core: FunctionsCore, root: string, files: string[]): LoadedApp {
  let terminated = false;
  return {
    appDir: root,
    files,
    get programmingModel() {
      const model = core.programmingModel;
      return model ? { name: model.name, version: model.version } : undefined;
    },
    registrations: core.registrations,
    invoke: (functionName, request) => invokeThroughModel(core, root, functionName, request),
    async terminate() {
      if (terminated) return;
      terminated = true;
      await core.runHooks('appTerminate', { hookData: {}, appHookData: core.appHookData });
    },
  };
}

async function invokeThroughModel(
  core: FunctionsCore,
  root: string,
  functionName: string,
  request: InvocationRequest,
): Promise<InvocationOutcome> {
  const registration = core.registrations.get(functionName);
  if (!registration) throw new FunctionNotFoundError(functionName);
  const model = core.programmingModel;
  if (!model) throw new AppLoadError('No programming model was set by the app.');
  const invocationId = request.invocationId ?? randomUUID();
  // The log callback is created before the library builds the InvocationContext that log hooks receive.
  const current: { context?: unknown } = {};
  const coreCtx: CoreInvocationContext = {
    invocationId,
    request: {
      invocationId,
      functionId: registration.functionId,
      inputData: request.inputData,
      triggerMetadata: request.triggerMetadata ?? {},
      retryContext: request.retryContext ?? null,
      traceContext: null,
    },
    metadata: {
      name: registration.name,
      functionId: registration.functionId,
      directory: root,
      bindings: registration.metadata.bindings,
      retryOptions: registration.metadata.retryOptions ?? null,
    },
    state: undefined,
    log: (level, category, message) =>
      core.log({ level, category, message, functionName, invocationId }, current.context),
  };

  const invocationModel = await model.getInvocationModel(coreCtx);
  const { context, inputs } = await invocationModel.getArguments();
  current.context = context;
  const hookData: Record<string, unknown> = {};
  const pre: Record<string, unknown> = {
    hookData,
    appHookData: core.appHookData,
    invocationContext: context,
    inputs,
    functionCallback: registration.callback,
  };
  coreCtx.state = 'preInvocationHooks';
  await core.runHooks('preInvocation', pre);

  coreCtx.state = 'invocation';
  let result: unknown = null;
  let error: unknown = null;
  try {
    result = await invocationModel.invokeFunction(
      context,
      pre.inputs as unknown[],
      pre.functionCallback as FunctionCallback,
    );
  } catch (err) {
    error = err;
  }

  const post: Record<string, unknown> = {
    hookData,
    appHookData: core.appHookData,
    invocationContext: context,
    inputs: pre.inputs,
    result,
    error,
  };
  coreCtx.state = 'postInvocationHooks';
  await core.runHooks('postInvocation', post);
  coreCtx.state = undefined;
  // Rethrow what the function (or a hook) threw, unchanged: callers classify it.
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  if (post.error !== null && post.error !== undefined) throw post.error;

  const response = await invocationModel.getResponse(context, post.result);
  return { invocationId, returnValue: response.returnValue, outputData: response.outputData ?? [] };
}

// ---------------------------------------------------------------------------------------------------------
// Typed data helpers shared by the HTTP, Event Grid and durable paths.

/** Plain JS → the typed data a host sends for a JSON value (exact round trip through the library). */
export function jsonTypedData(value: unknown): RpcTypedData {
  return { json: value === undefined ? 'null' : JSON.stringify(value) };
}

/** Typed data the library produced (a return value or output binding) → plain JS. */
export function typedDataToJs(data: RpcTypedData | null | undefined): unknown {
  if (data === null || data === undefined) return undefined;
  if (data.string !== null && data.string !== undefined) return data.string;
  if (data.json !== null && data.json !== undefined) return JSON.parse(data.json) as unknown;
  if (data.int !== null && data.int !== undefined) return Number(data.int);
  if (data.double !== null && data.double !== undefined) return data.double;
  if (data.bytes) return Buffer.from(data.bytes);
  if (data.stream) return Buffer.from(data.stream);
  if (data.collectionString?.string) return [...data.collectionString.string];
  if (data.collectionDouble?.double) return [...data.collectionDouble.double];
  if (data.collectionSint64?.sint64) return data.collectionSint64.sint64.map(Number);
  if (data.collectionBytes?.bytes) return data.collectionBytes.bytes.map((b) => Buffer.from(b));
  return undefined;
}

/**
 * Builds `inputData` for an invocation: the trigger value plus every declared extra input the resolver
 * supplies (e.g. the durableClient binding). Extra inputs the resolver leaves undefined are omitted, so
 * `context.extraInputs.get()` returns undefined for them as on Azure when a binding yields nothing.
 */
export function buildInputData(
  registration: FunctionRegistration,
  trigger: RpcTypedData,
  resolveExtraInput?: (input: ExtraInputInfo, registration: FunctionRegistration) => unknown,
): RpcParameterBinding[] {
  const inputData: RpcParameterBinding[] = [{ name: registration.triggerName, data: trigger }];
  for (const input of registration.extraInputs) {
    const value = resolveExtraInput?.(input, registration);
    if (value !== undefined) inputData.push({ name: input.name, data: jsonTypedData(value) });
  }
  return inputData;
}

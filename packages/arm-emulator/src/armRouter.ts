import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { ArmError, badRequest, notFound } from './armError';
import type { ArmStore, LroRecord, WriteResult } from './armStore';
import type { ArmThrottle, ThrottleKind } from './armThrottle';
import { type ArmType, ArmTypes, extensionNamespaceOf, namespaceOf, type ResourceAddress } from './armTypes';
import { computeRequestOf } from './computeRequests';
import type { ComputeThrottle } from './computeThrottle';
import type { FaultInjector } from './faultInjector';
import { asObject, type Json } from './json';
import type { SecretsDataPlane } from './keyVault/secretsDataPlane';
import { providerOf, resolveArmType } from './providers';
import { kubernetesVersionList } from './providers/containerService/kubernetesVersions';
import { scmRequest, siteAction } from './providers/web/kudu';
import { checkLocation } from './store/rules';

/** One line of the request log (`GET /_emulator/operations`). */
export interface OperationRecord {
  seq: number;
  method: string;
  path: string;
  status: number;
  /** Arrival time, epoch milliseconds. */
  time: number;
  durationMs: number;
  /** PUT/PATCH/DELETE/POST on an ARM resource (polls, reads and Key Vault data-plane calls are not). */
  write: boolean;
  /** Id of the injected fault that matched this request, if any. */
  faultId?: string;
  /** The error code of an answer of 400 or more (e.g. `OperationNotAllowed` for Compute's 429). */
  errorCode?: string;
}

/** What the router needs from the emulator around it. */
export interface RouterContext {
  store: ArmStore;
  /** Key vaults' secrets, served under /_vaults/<vault>/. */
  secrets: SecretsDataPlane;
  faults: FaultInjector;
  log: OperationRecord[];
  /**
   * Saves the state when it changed; called before every answer is sent, so that nothing an answer
   * tells (a write accepted, an operation ended) is lost if the process dies right after.
   */
  persist?: () => void;
  /** Retry-After (seconds) put on LRO responses; undefined = none, the client's interval rules. */
  pollRetryAfterSeconds(): number | undefined;
  control(
    method: string,
    segments: string[],
    body: Json | undefined,
  ): Promise<{ status: number; body?: Json }>;
  onRequest?: (record: OperationRecord) => void;
  /** ARM's request throttling, when the emulator models it. */
  throttle?: ArmThrottle;
  /** Compute's request limits on VM requests, when the emulator models them. */
  computeThrottle?: ComputeThrottle;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** A Function App's package (the SCM site takes zips far larger than an ARM request). */
const MAX_PACKAGE_BYTES = 512 * 1024 * 1024;
const MAX_LOG_ENTRIES = 100_000;
const WRITE_METHODS = new Set(['PUT', 'PATCH', 'DELETE', 'POST']);

class HttpReply {
  constructor(
    readonly status: number,
    readonly body: Json | undefined,
    readonly headers: Record<string, string> = {},
  ) {}
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw badRequest('RequestTooLarge', 'The request body is too large.');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function parseJson(text: string): Json | undefined {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw badRequest(
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized.',
    );
  }
}

export function createArmRequestHandler(
  ctx: RouterContext,
): (req: IncomingMessage, res: ServerResponse) => void {
  let seq = 0;
  return (req, res) => {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    // ARM tolerates doubled slashes (SDKs build `//subscriptions/…` from ids that start with one).
    const url = new URL((req.url ?? '/').replace(/^\/{2,}/, '/'), 'https://127.0.0.1');
    const segments = url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
    const isControl = segments[0]?.toLowerCase() === '_emulator';
    // A Function App's SCM (Kudu) site, `https://<app>.scm.azurewebsites.net/…` on Azure.
    const isScm = segments[0]?.toLowerCase() === '_scm';
    let faultId: string | undefined;
    let isPoll = false;
    /** POST actions that only read (list settings, list keys) are not writes. */
    let readAction = false;
    let remainingHeader: Record<string, string> = {};

    const finish = (accepted: HttpReply): void => {
      let reply = accepted;
      try {
        ctx.persist?.();
      } catch (err) {
        // Never acknowledge what is not saved: the client retries, as after any 500.
        reply = new HttpReply(500, {
          error: {
            code: 'InternalServerError',
            message: `The emulator could not save its state: ${err instanceof Error ? err.message : String(err)}`,
          },
        });
      }
      const headers: Record<string, string> = {
        'x-ms-request-id': randomUUID(),
        'x-ms-correlation-request-id': headerValue(req, 'x-ms-correlation-request-id') ?? randomUUID(),
        ...remainingHeader,
        ...reply.headers,
      };
      const hasBody = reply.body !== undefined && method !== 'HEAD' && reply.status !== 204;
      if (hasBody) headers['content-type'] = 'application/json; charset=utf-8';
      res.writeHead(reply.status, headers);
      res.end(hasBody ? JSON.stringify(reply.body) : undefined);
      if (!isControl) {
        const record: OperationRecord = {
          seq: ++seq,
          method,
          path: url.pathname,
          status: reply.status,
          time: started,
          durationMs: Date.now() - started,
          // A vault's secrets data plane is logged too, but its writes are not ARM writes.
          write:
            WRITE_METHODS.has(method) && !isPoll && !readAction && segments[0]?.toLowerCase() !== '_vaults',
          ...(faultId !== undefined ? { faultId } : {}),
          ...(reply.status >= 400 ? errorCodeOf(reply.body) : {}),
        };
        ctx.log.push(record);
        // A long demo must not grow without bound: keep the newest entries.
        if (ctx.log.length > MAX_LOG_ENTRIES) ctx.log.splice(0, ctx.log.length - MAX_LOG_ENTRIES * 0.9);
        ctx.onRequest?.(record);
      }
    };

    const run = async (): Promise<HttpReply> => {
      const raw = await readBody(req, isScm ? MAX_PACKAGE_BYTES : MAX_BODY_BYTES);
      const body = isScm ? undefined : parseJson(raw.toString('utf8'));
      if (isControl) {
        const out = await ctx.control(method, segments.slice(1), body);
        return new HttpReply(out.status, out.body);
      }
      if (segments[0]?.toLowerCase() === '_vaults') {
        const out = ctx.secrets.handle(method, segments.slice(1), headerValue(req, 'authorization'), body);
        return new HttpReply(out.status, out.body, out.headers ?? {});
      }
      const auth = headerValue(req, 'authorization');
      if (auth === undefined || !/^bearer\s+\S+/i.test(auth)) {
        throw new ArmError(
          401,
          'AuthenticationFailed',
          "Authentication failed. The 'Authorization' header is missing or is not a Bearer token.",
          {
            'www-authenticate':
              'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"',
          },
        );
      }
      if (isScm) {
        const fault = ctx.faults.take(method, url.pathname);
        faultId = fault?.id;
        if (fault?.rule.status !== undefined)
          return new HttpReply(fault.rule.status, {
            error: {
              code: fault.rule.code ?? 'InjectedFault',
              message: fault.rule.message ?? 'Injected fault.',
            },
          });
        const out = scmRequest(
          ctx.store,
          method,
          segments[1] ?? '',
          segments.slice(2),
          url.searchParams,
          headerValue(req, 'content-type'),
          raw,
        );
        readAction = method === 'GET';
        return new HttpReply(out.status, out.body);
      }
      if (!url.searchParams.has('api-version')) {
        throw badRequest(
          'MissingApiVersionParameter',
          'The api-version query parameter (?api-version=) is required for all requests.',
        );
      }
      const fault = ctx.faults.take(method, url.pathname);
      faultId = fault?.id;
      if (fault?.rule.delayMs !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, fault.rule.delayMs));
      }
      if (fault?.rule.status !== undefined) {
        return new HttpReply(
          fault.rule.status,
          {
            error: {
              code: fault.rule.code ?? 'InjectedFault',
              message:
                fault.rule.message ?? `Fault injected by the ARM emulator for ${method} ${url.pathname}.`,
            },
          },
          fault.rule.headers ?? {},
        );
      }
      const subscription = segments[0]?.toLowerCase() === 'subscriptions' ? (segments[1] ?? '') : '';
      const requested: ThrottleKind =
        method === 'DELETE' ? 'deletes' : WRITE_METHODS.has(method) ? 'writes' : 'reads';
      const kind = ctx.throttle?.bucketOf(requested) ?? requested;
      const decision = ctx.throttle?.take(requested, subscription);
      if (decision && !decision.allowed) {
        throw new ArmError(
          429,
          'SubscriptionRequestsThrottled',
          `Number of '${kind.slice(0, -1)}' requests for subscription '${subscription}' exceeded the limit. Please try again after ${Math.ceil(decision.retryAfterMs / 1000)} seconds.`,
          {
            'retry-after': String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))),
            // At a small time scale whole seconds are far too coarse; the SDKs honour this header first.
            'x-ms-retry-after-ms': String(decision.retryAfterMs),
            [`x-ms-ratelimit-remaining-subscription-${kind}`]: '0',
          },
        );
      }
      if (decision)
        remainingHeader = { [`x-ms-ratelimit-remaining-subscription-${kind}`]: String(decision.remaining) };
      // Behind ARM, Compute counts VM requests against its own policies.
      const computeRequest = ctx.computeThrottle
        ? computeRequestOf(ctx.store, method, segments, body)
        : undefined;
      const computeDecision = computeRequest ? ctx.computeThrottle?.take(computeRequest) : undefined;
      if (computeDecision && !computeDecision.allowed) throw computeDecision.error;
      if (computeDecision) remainingHeader = { ...remainingHeader, ...computeDecision.headers };
      const baseUrl = `https://${req.headers.host ?? '127.0.0.1'}`;
      const apiVersion = url.searchParams.get('api-version') ?? '';
      const expand = url.searchParams.get('$expand') ?? undefined;
      const route = routeArm(
        ctx,
        method,
        segments,
        body,
        fault?.rule.lroFailure,
        baseUrl,
        apiVersion,
        expand,
      );
      isPoll = route.isPoll;
      readAction = route.readAction === true;
      return route.reply;
    };

    run()
      .catch((err: unknown) => {
        if (err instanceof ArmError) return new HttpReply(err.status, err.toBody(), { ...err.headers });
        return new HttpReply(500, {
          error: { code: 'InternalServerError', message: err instanceof Error ? err.message : String(err) },
        });
      })
      .then(finish)
      .catch(() => res.destroy());
  };
}

function errorCodeOf(body: unknown): { errorCode?: string } {
  const error = (body as { error?: { code?: unknown } } | undefined)?.error;
  return typeof error?.code === 'string' ? { errorCode: error.code } : {};
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function requireType(namespace: string, typeSegments: string[]): ArmType {
  const typePath = [namespace, ...typeSegments].join('/');
  const type = resolveArmType(typePath);
  if (!type) {
    throw badRequest(
      'InvalidResourceType',
      `The resource type '${typeSegments.join('/')}' could not be found in the namespace '${namespace}' for this emulator.`,
    );
  }
  return type;
}

/** An extension resource's `providers/<Namespace>` must name the namespace its type lives in. */
function checkExtensionNamespace(type: ArmType, typeSegments: string[], names: string[]): void {
  const expected = extensionNamespaceOf(providerOf(type));
  if (expected === undefined) return;
  typeSegments.forEach((segment, i) => {
    if (segment.toLowerCase() === 'providers' && names[i]?.toLowerCase() !== expected.toLowerCase()) {
      throw badRequest(
        'InvalidResourceType',
        `The resource type '${typeSegments.slice(i + 1).join('/')}' could not be found in the namespace '${names[i] ?? ''}' for this emulator.`,
      );
    }
  });
}

function routeArm(
  ctx: RouterContext,
  method: string,
  segments: string[],
  body: Json | undefined,
  lroFailure: { code: string; message: string } | undefined,
  baseUrl: string,
  apiVersion: string,
  expand?: string,
): { reply: HttpReply; isPoll: boolean; readAction?: boolean } {
  const lower = segments.map((s) => s.toLowerCase());
  const { store } = ctx;
  const reply = (r: HttpReply): { reply: HttpReply; isPoll: boolean } => ({ reply: r, isPoll: false });
  const subscriptionId = segments[1];
  if (lower[0] !== 'subscriptions' || subscriptionId === undefined) {
    throw notFound('NotFound', `No ARM route matches '/${segments.join('/')}'.`);
  }
  const failure = lroFailure ? { failure: lroFailure } : {};
  const lroHeaders = (op: LroRecord | undefined): Record<string, string> => {
    if (!op) return {};
    const base = `${baseUrl}/subscriptions/${op.subscriptionId}/providers/${namespaceOf(op.targetType)}/locations/${op.location}`;
    const headers: Record<string, string> =
      op.pollVia === 'location'
        ? { location: `${base}/operationResults/${op.id}?api-version=${apiVersion}` }
        : { 'azure-asyncoperation': `${base}/operations/${op.id}?api-version=${apiVersion}` };
    const retryAfter = ctx.pollRetryAfterSeconds();
    if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
    return headers;
  };
  const write = (result: WriteResult): HttpReply =>
    new HttpReply(
      result.status,
      result.status === 202 || result.status === 204 ? undefined : result.body,
      lroHeaders(result.operation),
    );

  // /subscriptions/{s}
  if (segments.length === 2 && method === 'GET') {
    return reply(
      new HttpReply(200, {
        id: `/subscriptions/${subscriptionId}`,
        subscriptionId,
        displayName: 'ARM emulator subscription',
        state: 'Enabled',
      }),
    );
  }

  // /subscriptions/{s}/providers/Microsoft.ContainerService/locations/{loc}/kubernetesVersions
  if (
    lower[2] === 'providers' &&
    lower[3] === 'microsoft.containerservice' &&
    lower[4] === 'locations' &&
    lower[6] === 'kubernetesversions' &&
    segments.length === 7
  ) {
    if (method !== 'GET') throw new ArmError(405, 'MethodNotAllowed', `${method} is not allowed here.`);
    checkLocation(segments[5] ?? '', ArmTypes.managedCluster);
    return reply(new HttpReply(200, kubernetesVersionList()));
  }

  // Soft-deleted key vaults: /subscriptions/{s}/providers/Microsoft.KeyVault/deletedVaults (all
  // locations) and …/locations/{loc}/deletedVaults[/{name}[/purge]].
  if (lower[2] === 'providers' && lower[3] === 'microsoft.keyvault') {
    if (segments.length === 5 && lower[4] === 'deletedvaults') {
      if (method !== 'GET') throw new ArmError(405, 'MethodNotAllowed', `${method} is not allowed here.`);
      return reply(new HttpReply(200, { value: store.listDeletedVaults(subscriptionId) }));
    }
    if (lower[4] === 'locations' && lower[6] === 'deletedvaults') {
      const location = segments[5] ?? '';
      const name = segments[7];
      if (segments.length === 7 && method === 'GET') {
        return reply(new HttpReply(200, { value: store.listDeletedVaults(subscriptionId, location) }));
      }
      if (segments.length === 8 && name !== undefined && method === 'GET') {
        return reply(new HttpReply(200, store.getDeletedVault(subscriptionId, location, name)));
      }
      if (segments.length === 9 && name !== undefined && lower[8] === 'purge' && method === 'POST') {
        const op = store.purgeDeletedVault(subscriptionId, location, name);
        return reply(new HttpReply(202, undefined, lroHeaders(op)));
      }
      throw new ArmError(405, 'MethodNotAllowed', `${method} is not allowed here.`);
    }
  }

  // /subscriptions/{s}/providers/{ns}/locations/{loc}/operations|operationResults/{id}
  if (lower[2] === 'providers' && lower[4] === 'locations' && segments.length === 8) {
    if (method !== 'GET')
      throw new ArmError(405, 'MethodNotAllowed', `${method} is not allowed on an operation.`);
    const op = store.getOperation(segments[7] ?? '');
    if (!op) throw notFound('OperationNotFound', `Operation '${segments[7] ?? ''}' was not found.`);
    if (lower[6] === 'operations') {
      const status: Record<string, Json> = {
        id: `/${segments.join('/')}`,
        name: op.id,
        status: op.status,
        startTime: new Date(op.startedAt).toISOString(),
      };
      if (op.endedAt !== undefined) status.endTime = new Date(op.endedAt).toISOString();
      if (op.error) status.error = op.error;
      const headers: Record<string, string> = {};
      const retryAfter = ctx.pollRetryAfterSeconds();
      if (op.status === 'InProgress' && retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
      return { reply: new HttpReply(200, status, headers), isPoll: true };
    }
    if (lower[6] === 'operationresults') {
      if (op.status === 'InProgress') {
        return { reply: new HttpReply(202, undefined, lroHeaders(op)), isPoll: true };
      }
      if (op.status === 'Failed') {
        const error = op.error ?? { code: 'OperationFailed', message: 'The operation failed.' };
        return { reply: new HttpReply(400, { error }), isPoll: true };
      }
      if (op.kind === 'write') {
        const record = store.getRecord(op.targetKey);
        return { reply: new HttpReply(200, record ? store.render(record) : {}), isPoll: true };
      }
      return { reply: new HttpReply(200, undefined), isPoll: true };
    }
  }

  // /subscriptions/{s}/providers/{ns}/{type}  (subscription-wide list)
  if (lower[2] === 'providers' && segments.length === 5 && method === 'GET') {
    const type = requireType(segments[3] ?? '', [segments[4] ?? '']);
    return reply(new HttpReply(200, { value: store.list(subscriptionId, type) }));
  }

  if (lower[2] !== 'resourcegroups') {
    throw notFound('NotFound', `No ARM route matches '/${segments.join('/')}'.`);
  }

  // /subscriptions/{s}/resourcegroups
  if (segments.length === 3) {
    if (method !== 'GET') throw new ArmError(405, 'MethodNotAllowed', `${method} is not allowed here.`);
    return reply(new HttpReply(200, { value: store.listGroups(subscriptionId) }));
  }

  const resourceGroup = segments[3] ?? '';
  // /subscriptions/{s}/resourcegroups/{rg}
  if (segments.length === 4) {
    switch (method) {
      case 'GET':
        return reply(new HttpReply(200, store.getGroup(subscriptionId, resourceGroup)));
      case 'HEAD':
        return reply(new HttpReply(store.hasGroup(subscriptionId, resourceGroup) ? 204 : 404, undefined));
      case 'PUT':
      case 'PATCH': {
        const input = asObject(body);
        if (!input) throw badRequest('InvalidRequestContent', 'The request content must be a JSON object.');
        const result = store.putGroup(subscriptionId, resourceGroup, input, method === 'PATCH');
        return reply(new HttpReply(method === 'PATCH' ? 200 : result.status, result.body));
      }
      case 'DELETE':
        return reply(write(store.deleteGroup(subscriptionId, resourceGroup, lroFailure)));
      default:
        throw new ArmError(405, 'MethodNotAllowed', `${method} is not allowed on a resource group.`);
    }
  }

  // /subscriptions/{s}/resourcegroups/{rg}/resources
  if (segments.length === 5 && lower[4] === 'resources' && method === 'GET') {
    return reply(new HttpReply(200, { value: store.listGeneric(subscriptionId, resourceGroup) }));
  }

  if (lower[4] !== 'providers' || segments.length < 7) {
    throw notFound('NotFound', `No ARM route matches '/${segments.join('/')}'.`);
  }
  const namespace = segments[5] ?? '';
  const rest = segments.slice(6);
  // POST actions on a Function App (list its settings, list its host keys).
  if (
    method === 'POST' &&
    namespace.toLowerCase() === 'microsoft.web' &&
    lower[6] === 'sites' &&
    rest.length > 2
  ) {
    const siteId = `/${segments.slice(0, 8).join('/')}`;
    const out = siteAction(store, siteId, rest.slice(2));
    if (out) return { reply: new HttpReply(out.status, out.body), isPoll: false, readAction: true };
  }
  // POST …/virtualMachineScaleSets/{name}/delete: delete some members of a Flexible scale set
  // (`forceDeletion` is accepted and has no further effect here).
  if (
    method === 'POST' &&
    namespace.toLowerCase() === 'microsoft.compute' &&
    lower[6] === 'virtualmachinescalesets' &&
    rest.length === 3 &&
    lower[8] === 'delete'
  ) {
    const address: ResourceAddress = {
      subscriptionId,
      resourceGroup,
      type: ArmTypes.vmss,
      names: [segments[7] ?? ''],
    };
    return reply(write(store.deleteScaleSetInstances(address, body)));
  }
  const typeSegments = rest.filter((_, i) => i % 2 === 0);
  const names = rest.filter((_, i) => i % 2 === 1);
  const type = requireType(namespace, typeSegments);
  checkExtensionNamespace(type, typeSegments, names);

  if (rest.length % 2 === 1) {
    // A collection: list in the resource group, or children of a parent.
    if (method !== 'GET')
      throw new ArmError(405, 'MethodNotAllowed', `${method} is not allowed on a collection.`);
    const value = store.list(
      subscriptionId,
      type,
      resourceGroup,
      names,
      expand !== undefined ? { expand } : {},
    );
    return reply(new HttpReply(200, { value }));
  }

  const address: ResourceAddress = { subscriptionId, resourceGroup, type, names };
  switch (method) {
    case 'GET':
      return reply(new HttpReply(200, store.get(address, expand !== undefined ? { expand } : {})));
    case 'PUT': {
      if (store.isSync(type)) {
        const result = store.put(address, body, { instant: true, ...failure });
        const status = result.status === 201 && providerOf(type).putAlwaysOk ? 200 : result.status;
        return reply(new HttpReply(status, store.get(address)));
      }
      return reply(write(store.put(address, body, failure)));
    }
    case 'PATCH': {
      // Some PATCHes are synchronous (Network's updateTags): apply at once and answer the resource.
      const instant = store.isSyncPatch(type);
      const result = store.put(address, body, { patch: true, instant, ...failure });
      return reply(instant ? new HttpReply(200, store.get(address)) : write({ ...result, status: 200 }));
    }
    case 'DELETE': {
      if (store.isSync(type)) {
        const result = store.delete(address, { instant: true, ...failure });
        return reply(new HttpReply(result.status === 204 ? 204 : 200, undefined));
      }
      return reply(write(store.delete(address, failure)));
    }
    default:
      throw new ArmError(405, 'MethodNotAllowed', `${method} is not allowed on a resource.`);
  }
}

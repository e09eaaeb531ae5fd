/**
 * The Durable Functions HTTP management API under `/runtime/webhooks/durabletask/`, which is also the
 * DurableClient's `rpcBaseUrl`, so the unmodified client (startNew, getStatus, list, raiseEvent, terminate,
 * suspend/resume, purge, signalEntity, readEntityState) and the URLs of `createCheckStatusResponse` work.
 */
import { type ManagementRequest, type ManagementResponse } from './contract';
import { checkStatusPayload } from './durableClientBinding';
import { DurableEngineError } from './errors';
import { parseJsonText } from './historyEvents';
import { type DurableManagementApi, type ManagementUrls } from './managementApi';
import { type InstanceQuery, type InstanceRow, type RuntimeStatus } from './store';

const PREFIX = '/runtime/webhooks/durabletask/';
const RUNNING_STATUSES: readonly RuntimeStatus[] = ['Pending', 'Running', 'Suspended', 'ContinuedAsNew'];
const ALL_STATUSES = new Set<string>([
  'Pending',
  'Running',
  'Completed',
  'ContinuedAsNew',
  'Failed',
  'Terminated',
  'Suspended',
]);

export class BadManagementRequestError extends DurableEngineError {
  constructor(message: string) {
    super(message, 400);
  }
}

function json(status: number, body?: unknown, headers: Record<string, string> = {}): ManagementResponse {
  return {
    status,
    body,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
  };
}

function header(req: ManagementRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(req.headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

function originOf(req: ManagementRequest): string {
  const host = header(req, 'x-forwarded-host') ?? header(req, 'host') ?? 'localhost:7071';
  const proto = header(req, 'x-forwarded-proto') ?? 'http';
  return `${proto}://${host}`;
}

function isTrue(value: string | null): boolean {
  return value !== null && value.toLowerCase() === 'true';
}

function parseTime(req: ManagementRequest, name: string): number | undefined {
  const value = req.query.get(name);
  if (value === null || value === '') return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new BadManagementRequestError(`Query parameter '${name}' is not a valid date: ${value}`);
  return ms;
}

function parseStatuses(req: ManagementRequest): RuntimeStatus[] | undefined {
  const value = req.query.get('runtimeStatus');
  if (value === null || value === '') return undefined;
  const statuses = value.split(',').map((s) => s.trim());
  for (const s of statuses) {
    if (!ALL_STATUSES.has(s)) throw new BadManagementRequestError(`Unknown runtimeStatus '${s}'`);
  }
  return statuses as RuntimeStatus[];
}

function filterOf(req: ManagementRequest): InstanceQuery {
  return {
    runtimeStatus: parseStatuses(req),
    createdFrom: parseTime(req, 'createdTimeFrom'),
    createdTo: parseTime(req, 'createdTimeTo'),
    instanceIdPrefix: req.query.get('instanceIdPrefix') ?? undefined,
  };
}

/** The status object the extension returns and DurableOrchestrationStatus expects. */
export function statusPayload(
  engine: DurableManagementApi,
  row: InstanceRow,
  options: { showInput: boolean; showHistory: boolean; showHistoryOutput: boolean },
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: row.name,
    instanceId: row.instanceId,
    runtimeStatus: row.status,
    input: options.showInput ? (parseJsonText(row.input) ?? null) : null,
    customStatus: parseJsonText(row.customStatus) ?? null,
    output: parseJsonText(row.output) ?? null,
    createdTime: new Date(row.createdAt).toISOString(),
    lastUpdatedTime: new Date(row.updatedAt).toISOString(),
  };
  if (options.showHistory) {
    const events = engine.getHistory(row.instanceId).map((e) => {
      const event: Record<string, unknown> = { ...e };
      if (!options.showHistoryOutput) delete event.Result;
      return event;
    });
    body.historyEvents = events;
    body.history = events;
  }
  return body;
}

function decode(segment: string | undefined): string {
  return decodeURIComponent(segment ?? '');
}

export function handleManagement(
  engine: DurableManagementApi,
  urls: ManagementUrls,
  req: ManagementRequest,
): ManagementResponse | undefined {
  if (!req.path.startsWith(PREFIX)) return undefined;
  const segments = req.path.slice(PREFIX.length).split('/');
  if (segments.at(-1) === '') segments.pop();
  const method = req.method.toUpperCase();
  try {
    return route(engine, urls, req, method, segments);
  } catch (error) {
    // A JSON string body: the DurableClient uses it as the error message for some answers (e.g. rewind's 412).
    if (error instanceof DurableEngineError) return json(error.status, error.message);
    throw error;
  }
}

function route(
  engine: DurableManagementApi,
  urls: ManagementUrls,
  req: ManagementRequest,
  method: string,
  segments: string[],
): ManagementResponse | undefined {
  const [area, first, second, third] = segments;
  if (area === 'orchestrators' && method === 'POST' && first !== undefined && segments.length <= 3) {
    const instanceId = second !== undefined ? decode(second) : undefined;
    const id = engine.startNew(decode(first), { instanceId, input: req.body });
    const payload = checkStatusPayload(originOf(req), urls.taskHubName, id, urls.managementKey);
    return json(202, payload, { Location: payload.statusQueryGetUri ?? '', 'Retry-After': '10' });
  }

  if (area === 'instances') {
    if (first === undefined) {
      const filter = filterOf(req);
      if (method === 'GET') return listInstances(engine, req, filter);
      if (method === 'DELETE') {
        const deleted = engine.purgeBy(filter);
        return deleted === 0 ? json(404, { instancesDeleted: 0 }) : json(200, { instancesDeleted: deleted });
      }
      return undefined;
    }
    const instanceId = decode(first);
    if (second === undefined) {
      if (method === 'GET') {
        const row = engine.getInstance(instanceId);
        if (row === undefined) return json(404, { message: `No instance with ID '${instanceId}' found.` });
        const body = statusPayload(engine, row, {
          showInput: req.query.get('showInput') !== 'false',
          showHistory: isTrue(req.query.get('showHistory')),
          showHistoryOutput: isTrue(req.query.get('showHistoryOutput')),
        });
        if (row.status === 'Failed' && isTrue(req.query.get('returnInternalServerErrorOnFailure'))) {
          return json(500, body);
        }
        return json(RUNNING_STATUSES.includes(row.status) ? 202 : 200, body);
      }
      if (method === 'DELETE') {
        const deleted = engine.purge(instanceId);
        return deleted === 0 ? json(404, { instancesDeleted: 0 }) : json(200, { instancesDeleted: deleted });
      }
      return undefined;
    }
    if (method !== 'POST') return undefined;
    const reason = req.query.get('reason') ?? '';
    switch (second) {
      case 'raiseEvent':
        if (third === undefined || third === '')
          throw new BadManagementRequestError('An event name is required');
        engine.raiseEvent(instanceId, decode(third), req.body);
        return json(202);
      case 'terminate':
        engine.control(instanceId, 'Terminate', reason);
        return json(202);
      case 'suspend':
        engine.control(instanceId, 'Suspend', reason);
        return json(202);
      case 'resume':
        engine.control(instanceId, 'Resume', reason);
        return json(202);
      case 'rewind':
        engine.rewind(instanceId, reason);
        return json(202);
      default:
        return undefined;
    }
  }

  if (area === 'entities' && first !== undefined && second !== undefined) {
    const name = decode(first);
    const key = decode(second);
    if (method === 'POST') {
      const op = req.query.get('op') ?? '';
      engine.signalEntity(name, key, op, req.body === '' ? undefined : req.body);
      return json(202);
    }
    if (method === 'GET') {
      const row = engine.readEntity(name, key);
      if (row === undefined) return json(404, { message: `Entity @${name}@${key} does not exist.` });
      return json(200, parseJsonText(row.state) ?? null);
    }
  }
  return undefined;
}

function listInstances(
  engine: DurableManagementApi,
  req: ManagementRequest,
  filter: InstanceQuery,
): ManagementResponse {
  const topText = req.query.get('top');
  const top = topText === null ? undefined : Number.parseInt(topText, 10);
  if (top !== undefined && (!Number.isFinite(top) || top <= 0)) {
    throw new BadManagementRequestError(`Query parameter 'top' must be a positive integer: ${topText}`);
  }
  const token = req.headers['x-ms-continuation-token'] ?? header(req, 'x-ms-continuation-token');
  const after = token ? Buffer.from(token, 'base64url').toString('utf8') : undefined;
  const rows = engine.queryInstances({ ...filter, after, limit: top === undefined ? undefined : top + 1 });
  const page = top === undefined ? rows : rows.slice(0, top);
  const headers: Record<string, string> = {};
  const last = page.at(-1);
  if (top !== undefined && rows.length > top && last !== undefined) {
    headers['x-ms-continuation-token'] = Buffer.from(last.instanceId, 'utf8').toString('base64url');
  }
  const options = {
    showInput: isTrue(req.query.get('showInput')),
    showHistory: false,
    showHistoryOutput: false,
  };
  return json(
    200,
    page.map((row) => statusPayload(engine, row, options)),
    headers,
  );
}

/**
 * Transient vs terminal ARM failures. Transient ones (throttling, server errors, a resource busy with
 * another operation, dropped connections) are retried with backoff; terminal ones (validation, quota,
 * SKU or capacity not available, a failed long-running operation) fail the resource at once with the
 * ARM code and message, so the user sees exactly what Azure said.
 */

import type { ResourceFailure } from '../cluster/failure';

/** Base class: every ARM failure names the resource it happened on and the ARM error code. */
export abstract class ArmOperationError extends Error {
  readonly armCode: string;
  readonly resourceId: string;
  readonly statusCode: number | undefined;
  /** ARM's own message, without our prefix. */
  readonly armMessage: string;

  protected constructor(
    armCode: string,
    armMessage: string,
    resourceId: string,
    statusCode: number | undefined,
  ) {
    // The message format is parsed back by `parseArmErrorMessage`: activities only hand their
    // message (not their fields) to the orchestrator, so the code must survive in the text.
    super(`ARM error ${armCode} on ${resourceId}: ${armMessage}`);
    this.armCode = armCode;
    this.armMessage = armMessage;
    this.resourceId = resourceId;
    this.statusCode = statusCode;
  }

  /** The failure as status, events and activity outputs carry it. */
  toFailure(): ResourceFailure {
    return { resource: this.resourceId, code: this.armCode, message: this.armMessage };
  }
}

/** Retry later; `retryAfterMs` is what ARM asked for (Retry-After family of headers), if anything. */
export class TransientError extends ArmOperationError {
  override readonly name = 'TransientError';
  readonly retryAfterMs: number | undefined;

  constructor(
    armCode: string,
    armMessage: string,
    resourceId: string,
    options: { statusCode?: number; retryAfterMs?: number } = {},
  ) {
    super(armCode, armMessage, resourceId, options.statusCode);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Retrying will not help: the request or the subscription must change first. */
export class TerminalError extends ArmOperationError {
  override readonly name = 'TerminalError';

  constructor(
    armCode: string,
    armMessage: string,
    resourceId: string,
    options: { statusCode?: number } = {},
  ) {
    super(armCode, armMessage, resourceId, options.statusCode);
  }
}

/** Codes ARM uses for conditions that clear by themselves. */
const transientCodes = new Set(
  [
    'AnotherOperationInProgress',
    'RetryableError',
    'RetryableErrorDueToAnotherOperation',
    'OperationPreempted',
    'TooManyRequests',
    'ServerBusy',
    'ServiceUnavailable',
    'InternalServerError',
    'InternalError',
    'GatewayTimeout',
    'RequestTimeout',
    'OperationNotAllowedDuringProvisioning',
    'CanceledAndSupersededDueToAnotherOperation',
    'PutSubnetRequestTimeout',
  ].map((c) => c.toLowerCase()),
);

/** Socket-level failures (Node error codes, and the pipeline's wrapper code). */
const connectionCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'REQUEST_SEND_ERROR',
]);

/** Turns anything thrown into an Error (keeps real errors, wraps the rest with a readable message). */
export function ensureError(err: unknown): Error {
  if (err instanceof Error) return err;
  if (typeof err === 'string') return new Error(err);
  let text: string;
  try {
    text = JSON.stringify(err) ?? String(err);
  } catch {
    text = String(err);
  }
  return new Error(`Non-error value thrown: ${text}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function stringField(obj: Record<string, unknown>, key: string): string | undefined {
  const v = obj[key];
  return typeof v === 'string' ? v : undefined;
}

/** Reads a response header from either a core `HttpHeaders` (with `get`) or a plain object. */
function headerOf(err: Record<string, unknown>, name: string): string | undefined {
  const response = err['response'];
  if (!isRecord(response)) return undefined;
  const headers = response['headers'];
  if (!isRecord(headers)) return undefined;
  const get = headers['get'];
  if (typeof get === 'function') {
    const v: unknown = (get as (n: string) => unknown).call(headers, name);
    return typeof v === 'string' ? v : undefined;
  }
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name && typeof v === 'string') return v;
  }
  return undefined;
}

/**
 * Retry delay ARM asked for, in the SDK's order of precedence: `x-ms-retry-after-ms`,
 * `retry-after-ms`, then `Retry-After` (seconds or an HTTP date).
 */
export function retryAfterFromError(err: unknown, nowMs = Date.now()): number | undefined {
  if (!isRecord(err)) return undefined;
  for (const name of ['x-ms-retry-after-ms', 'retry-after-ms']) {
    const v = headerOf(err, name);
    if (v !== undefined && /^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v));
  }
  const ra = headerOf(err, 'retry-after');
  if (ra === undefined) return undefined;
  if (/^\d+$/.test(ra.trim())) return Number(ra) * 1000;
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The `{ error: { code, message } }` body of a RestError, when the pipeline kept it. */
function bodyError(err: Record<string, unknown>): { code?: string; message?: string } {
  for (const holder of [err['details'], isRecord(err['response']) ? err['response'] : undefined]) {
    if (!isRecord(holder)) continue;
    let body: unknown = holder['parsedBody'] ?? holder;
    if (body === holder && typeof holder['bodyAsText'] === 'string') {
      try {
        body = JSON.parse(holder['bodyAsText']);
      } catch {
        body = undefined;
      }
    }
    if (isRecord(body) && isRecord(body['error'])) {
      const e = body['error'];
      return { code: stringField(e, 'code'), message: stringField(e, 'message') };
    }
  }
  return {};
}

const lroFailurePattern = /^The long-running operation has failed\. ([^.\s]+)\. ([\s\S]*)$/;

/** Whether a code is one ARM documents as retryable. */
export function isTransientArmCode(code: string): boolean {
  return transientCodes.has(code.toLowerCase());
}

/**
 * Classifies what an SDK call threw. Already-classified errors pass through unchanged.
 * - 408, 429, 5xx (but 501/505), transient ARM codes and dropped connections → `TransientError`
 * - other 4xx (validation, quota, SKU, allocation), failed LROs with a terminal code, and anything
 *   unrecognised (a bug is not fixed by retrying) → `TerminalError`
 */
export function classifyArmError(err: unknown, resourceId: string): TransientError | TerminalError {
  if (err instanceof TransientError || err instanceof TerminalError) return err;
  const error = ensureError(err);
  const rec = error as unknown as Record<string, unknown>;

  // core-lro rejects a failed LRO with a plain Error carrying "CODE. message" in its text.
  const lro = lroFailurePattern.exec(error.message);
  if (lro) {
    const code = lro[1] ?? 'OperationFailed';
    const message = lro[2] ?? error.message;
    return isTransientArmCode(code)
      ? new TransientError(code, message, resourceId)
      : new TerminalError(code, message, resourceId);
  }
  if (error.message === 'The long-running operation has failed') {
    return new TerminalError('OperationFailed', error.message, resourceId);
  }

  const statusCode = typeof rec['statusCode'] === 'number' ? rec['statusCode'] : undefined;
  const fromBody = bodyError(rec);
  const rawCode = stringField(rec, 'code');
  const code = rawCode ?? fromBody.code ?? (statusCode ? `Http${statusCode}` : error.name);
  const message = error.message || fromBody.message || code;
  const retryAfterMs = retryAfterFromError(err);

  const connectionFailure =
    (rawCode !== undefined && connectionCodes.has(rawCode)) ||
    (isRecord(rec['cause']) &&
      typeof rec['cause']['code'] === 'string' &&
      connectionCodes.has(rec['cause']['code']));
  const transientStatus =
    statusCode === 408 ||
    statusCode === 429 ||
    (statusCode !== undefined && statusCode >= 500 && statusCode !== 501 && statusCode !== 505);

  if (connectionFailure || transientStatus || isTransientArmCode(code)) {
    return new TransientError(code, message, resourceId, {
      ...(statusCode !== undefined ? { statusCode } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  return new TerminalError(code, message, resourceId, {
    ...(statusCode !== undefined ? { statusCode } : {}),
  });
}

const armMessagePattern = /ARM error ([\w.-]+) on (\S+?): ([\s\S]*)/;

/**
 * The ARM code, resource and message recovered from an `ArmOperationError` message (even wrapped).
 * Orchestrators only receive an activity's error message; this recovers the ARM code from it. The
 * Functions host may wrap the message (`Activity function 'x' failed: "…"`), so the match is unanchored.
 */
export function parseArmErrorMessage(text: string): ResourceFailure | undefined {
  const m = armMessagePattern.exec(text);
  if (!m) return undefined;
  // The durable runtime appends the error's details (stack) after a newline.
  const message = ((m[3] ?? '').split('\n')[0] ?? '')
    .replace(/"?\.?\s*See the function execution logs for additional details\.?\s*$/, '')
    .trim();
  return { resource: m[2] ?? '', code: m[1] ?? 'Unknown', message };
}

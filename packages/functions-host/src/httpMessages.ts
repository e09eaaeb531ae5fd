/**
 * The host's HTTP messages: a request as the host reads it, a response as it writes it, and the
 * conversions between them and the worker's RpcHttpData (headers, cookies, typed bodies, keys presented).
 */
import type * as http from 'node:http';

import type { RpcHttpCookie, RpcHttpData, RpcTypedData } from './coreTypes';

const MAX_BODY_BYTES = 100 * 1024 * 1024; // the Functions host's request size limit

export interface IncomingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Buffer;
}

export interface OutgoingResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
}

export function flattenHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new PayloadTooLargeError();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
  constructor() {
    super(`Request body exceeds ${MAX_BODY_BYTES} bytes.`);
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): OutgoingResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

function cookieHeader(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const seconds = cookie.expires?.value?.seconds;
  if (seconds !== null && seconds !== undefined)
    parts.push(`Expires=${new Date(Number(seconds) * 1000).toUTCString()}`);
  if (cookie.maxAge?.value !== null && cookie.maxAge?.value !== undefined)
    parts.push(`Max-Age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  if (cookie.sameSite === 'lax') parts.push('SameSite=Lax');
  else if (cookie.sameSite === 'strict') parts.push('SameSite=Strict');
  else if (cookie.sameSite === 'explicitNone') parts.push('SameSite=None');
  return parts.join('; ');
}

function typedBody(data: RpcTypedData | null | undefined): Buffer | undefined {
  if (!data) return undefined;
  if (data.bytes) return Buffer.from(data.bytes);
  if (data.stream) return Buffer.from(data.stream);
  if (typeof data.string === 'string') return Buffer.from(data.string);
  if (typeof data.json === 'string') return Buffer.from(data.json);
  if (typeof data.int === 'number' || typeof data.double === 'number')
    return Buffer.from(String(data.int ?? data.double));
  return undefined;
}

export function toHttpResponse(data: RpcHttpData): OutgoingResponse {
  const status = data.statusCode ? Number.parseInt(data.statusCode, 10) : 200;
  const headers: Record<string, string | string[]> = { ...(data.headers ?? {}) };
  const cookies = (data.cookies ?? []).map(cookieHeader);
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  return { status: Number.isFinite(status) ? status : 200, headers, body: typedBody(data.body) };
}

/** Query parameters as the host hands them over: one value per name, repeated names comma-joined. */
export function queryRecord(params: URLSearchParams): Record<string, string> {
  const record: Record<string, string> = {};
  for (const key of new Set(params.keys())) record[key] = params.getAll(key).join(',');
  return record;
}

/**
 * The keys a request presents: `?code=`, the `x-functions-key` header, and the password of Basic
 * credentials (how the DurableClient's RPC calls carry the key; see durable/durableClientBinding.ts).
 */
export function presentedKeys(req: IncomingRequest): (string | undefined)[] {
  const presented = [req.url.searchParams.get('code') ?? undefined, req.headers['x-functions-key']];
  const basic = /^basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) presented.push(decoded.slice(colon + 1));
  }
  return presented;
}

/** The key a function route is opened with: the x-functions-key header first, then `?code=` (as Azure). */
export function functionKeyOf(req: IncomingRequest): string | undefined {
  return req.headers['x-functions-key'] ?? req.url.searchParams.get('code') ?? undefined;
}

/**
 * The CLI's side of the HTTP API: where it is and which key to send (flags, then environment, then
 * the local host's defaults), and one request function whose failures read as sentences.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { CliFailure, type CliIo, nonEmpty, UsageError } from './io';

export interface Connection {
  baseUrl: string;
  key: string | undefined;
  /** Where the key came from, for error messages (never the key itself). */
  keySource: string;
}

export interface ConnectionOptions {
  url?: string;
  key?: string;
}

/** The local host's keys file: `$LOCAL_HOST_STATE_DIR/keys.json`, default `.local/host/keys.json`. */
function localKey(io: CliIo, cwd: string): { key: string; source: string } | undefined {
  const stateDir = nonEmpty(io.env.LOCAL_HOST_STATE_DIR) ?? '.local/host';
  const file = path.resolve(cwd, stateDir, 'keys.json');
  try {
    const keys = JSON.parse(fs.readFileSync(file, 'utf8')) as { functionKeys?: Record<string, unknown> };
    const key = keys.functionKeys?.default;
    return typeof key === 'string' && key !== '' ? { key, source: file } : undefined;
  } catch {
    return undefined;
  }
}

export function resolveConnection(options: ConnectionOptions, io: CliIo, cwd = process.cwd()): Connection {
  const port = nonEmpty(io.env.LOCAL_HOST_PORT) ?? '7071';
  const raw = options.url ?? nonEmpty(io.env.PROVISIONER_URL) ?? `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `--url must be an http(s) URL such as https://my-app.azurewebsites.net (got "${raw}")`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url must be http or https (got "${url.protocol}")`);
  }
  // Accept the app's root or its /api prefix.
  const baseUrl = url.href.replace(/\/+$/, '').replace(/\/api$/, '');
  if (options.key !== undefined) return { baseUrl, key: options.key, keySource: '--key' };
  const fromEnv = nonEmpty(io.env.PROVISIONER_KEY);
  if (fromEnv) return { baseUrl, key: fromEnv, keySource: 'PROVISIONER_KEY' };
  const fixedLocal = nonEmpty(io.env.LOCAL_HOST_FUNCTION_KEY);
  if (fixedLocal) return { baseUrl, key: fixedLocal, keySource: 'LOCAL_HOST_FUNCTION_KEY' };
  const local = localKey(io, cwd);
  return local
    ? { baseUrl, key: local.key, keySource: local.source }
    : { baseUrl, key: undefined, keySource: 'none' };
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export class ApiClient {
  constructor(readonly connection: Connection) {}

  /** One request to `/api/<route>`. Network failures and refused keys become CliFailure sentences. */
  async request(
    method: string,
    route: string,
    body?: { text: string; contentType: string },
  ): Promise<ApiAnswer> {
    const url = `${this.connection.baseUrl}/api/${route}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.connection.key !== undefined) headers['x-functions-key'] = this.connection.key;
    if (body) headers['content-type'] = body.contentType;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, ...(body ? { body: body.text } : {}) });
    } catch (error) {
      throw new CliFailure(unreachable(this.connection.baseUrl, error));
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      // not JSON: keep the text
    }
    if (res.status === 401 || res.status === 403) {
      throw new CliFailure(
        this.connection.key === undefined
          ? `the API at ${this.connection.baseUrl} needs a function key: pass --key or set PROVISIONER_KEY ` +
              '(locally, `npm start` writes it to .local/host/keys.json)'
          : `the API at ${this.connection.baseUrl} refused the function key from ${this.connection.keySource} ` +
              `(HTTP ${res.status}): pass the app's key with --key or PROVISIONER_KEY`,
      );
    }
    return { status: res.status, body: parsed };
  }
}

function unreachable(baseUrl: string, error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  const why =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND'
        ? 'unknown host'
        : (cause?.message ?? (error instanceof Error ? error.message : String(error)));
  const local = /\/\/(localhost|127\.0\.0\.1)[:/]/.test(`${baseUrl}/`);
  return (
    `cannot reach the API at ${baseUrl} (${why}). ` +
    (local
      ? 'Start the local system with `npm start`, or point --url / PROVISIONER_URL at your Function App.'
      : 'Check --url / PROVISIONER_URL and that the Function App is running.')
  );
}

/** `{ error: { code, message } }` answers as one line; anything else as its status. */
export function problemText(answer: ApiAnswer): string {
  const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (error && typeof error.message === 'string') {
    return typeof error.code === 'string' ? `${error.message} (${error.code})` : error.message;
  }
  const text = typeof answer.body === 'string' ? answer.body.trim().split('\n')[0] : '';
  return `the API answered HTTP ${answer.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
}

/**
 * The commands that talk to the HTTP API: apply, status, list, delete, scale. Each returns its exit
 * code: 0 done, 1 the operation failed or was refused, 2 bad input (the spec, arguments).
 */
import type { ClusterListBody, ClusterStatusBody } from '../api/schemas';
import { type ApiAnswer, type ApiClient, problemText } from './apiClient';
import { CliFailure, type CliIo, describeFsError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './io';
import {
  failureText,
  isActive,
  listText,
  progressRenderer,
  statusText,
  succeeded,
  successText,
} from './render';

export interface OutputOptions {
  json?: boolean;
  /** Poll interval while following, ms. */
  interval?: number;
  /** Give up following after this long, ms (the operation goes on). */
  timeout?: number;
}

const DEFAULT_INTERVAL_MS = 1000;

function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

async function getCluster(client: ApiClient, name: string): Promise<ClusterStatusBody> {
  const answer = await client.request('GET', `clusters/${encodeURIComponent(name)}`);
  if (answer.status === 200) return answer.body as ClusterStatusBody;
  if (answer.status === 404)
    throw new CliFailure(`${problemText(answer)}; \`list\` shows the clusters there are`);
  throw new CliFailure(`reading cluster "${name}" failed: ${problemText(answer)}`);
}

/**
 * Follows a cluster until its operation ends, drawing progress; returns the final view. With
 * `newerThan`, views of an earlier operation (still visible right after a start) are skipped.
 */
async function follow(
  client: ApiClient,
  name: string,
  io: CliIo,
  options: OutputOptions,
  startedAt: number,
): Promise<ClusterStatusBody> {
  const renderer = options.json ? undefined : progressRenderer(io, startedAt);
  const interval = options.interval ?? DEFAULT_INTERVAL_MS;
  try {
    for (;;) {
      const view = await getCluster(client, name);
      renderer?.update(view);
      if (!isActive(view)) return view;
      if (options.timeout !== undefined && io.now() - startedAt > options.timeout) {
        throw new CliFailure(
          `stopped following cluster "${name}" after ${Math.round(options.timeout / 1000)} s; it is still ${view.phase ?? view.runtimeStatus}. ` +
            `\`status ${name} --watch\` follows it again`,
        );
      }
      await io.sleep(interval);
    }
  } finally {
    renderer?.stop();
  }
}

function finish(view: ClusterStatusBody, io: CliIo, options: OutputOptions, startedAt: number): number {
  const ok = succeeded(view);
  if (options.json) printJson(io, view);
  else if (ok) io.stdout(successText(view, io, io.now() - startedAt));
  else io.stderr(failureText(view, io));
  return ok ? EXIT_OK : EXIT_FAILURE;
}

function specBody(file: string, io: CliIo): { text: string; contentType: string } {
  let text: string;
  try {
    text = io.readFile(file);
  } catch (error) {
    throw new CliFailure(`cannot read spec file "${file}": ${describeFsError(error)}`, EXIT_USAGE);
  }
  const json = /\.json$/i.test(file) || text.trimStart().startsWith('{');
  return { text, contentType: json ? 'application/json' : 'application/yaml' };
}

function specErrors(answer: ApiAnswer, file: string, io: CliIo, json: boolean | undefined): number {
  const errors = (answer.body as { errors?: { path: string; message: string }[] }).errors ?? [];
  if (json) printJson(io, answer.body);
  else {
    io.stderr(
      `the spec ${file} is invalid (${errors.length} problem${errors.length === 1 ? '' : 's'}); nothing was changed:\n`,
    );
    for (const error of errors)
      io.stderr(`  ${error.path === '' ? '(spec)' : error.path}: ${error.message}\n`);
  }
  return EXIT_USAGE;
}

/** `apply <spec>`: POST it, then follow the cluster until provisioning ends. */
export async function applyCommand(
  file: string,
  options: OutputOptions,
  client: ApiClient,
  io: CliIo,
): Promise<number> {
  const body = specBody(file, io);
  const startedAt = io.now();
  const answer = await client.request('POST', 'clusters', body);
  if (answer.status === 400) return specErrors(answer, file, io, options.json);
  if (answer.status !== 202) {
    const why = problemText(answer);
    if (options.json) printJson(io, answer.body);
    else io.stderr(`apply refused: ${why}\n`);
    return EXIT_FAILURE;
  }
  const instanceId = (answer.body as { id?: unknown }).id;
  const name = typeof instanceId === 'string' ? instanceId.replace(/^cluster-/, '') : undefined;
  if (!name) throw new CliFailure('the API accepted the spec but did not say which cluster it started');
  if (!options.json && !io.isTty) io.stdout(`provisioning cluster "${name}" started\n`);
  const view = await follow(client, name, io, options, startedAt);
  return finish(view, io, options, startedAt);
}

/** `status <name> [--watch]`. */
export async function statusCommand(
  name: string,
  options: OutputOptions & { watch?: boolean },
  client: ApiClient,
  io: CliIo,
): Promise<number> {
  if (!options.watch) {
    const view = await getCluster(client, name);
    if (options.json) printJson(io, view);
    else io.stdout(statusText(view, io));
    return EXIT_OK;
  }
  const startedAt = io.now();
  const view = await follow(client, name, io, options, startedAt);
  return finish(view, io, options, startedAt);
}

/** `list`. */
export async function listCommand(options: OutputOptions, client: ApiClient, io: CliIo): Promise<number> {
  const answer = await client.request('GET', 'clusters');
  if (answer.status !== 200) throw new CliFailure(`listing clusters failed: ${problemText(answer)}`);
  const { clusters } = answer.body as ClusterListBody;
  if (options.json) printJson(io, answer.body);
  else io.stdout(listText(clusters));
  return EXIT_OK;
}

/** `delete <name> [--wait]`. */
export async function deleteCommand(
  name: string,
  options: OutputOptions & { wait?: boolean },
  client: ApiClient,
  io: CliIo,
): Promise<number> {
  const startedAt = io.now();
  const answer = await client.request('DELETE', `clusters/${encodeURIComponent(name)}`);
  if (answer.status !== 202) {
    if (options.json) printJson(io, answer.body);
    else io.stderr(`delete refused: ${problemText(answer)}\n`);
    return EXIT_FAILURE;
  }
  if (!options.wait) {
    if (options.json) printJson(io, answer.body);
    else io.stdout(`deletion of cluster "${name}" started; \`status ${name} --watch\` follows it\n`);
    return EXIT_OK;
  }
  const view = await follow(client, name, io, options, startedAt);
  return finish(view, io, options, startedAt);
}

/**
 * `scale <name> <pool> <count>`: `POST /api/clusters/{name}/nodepools/{pool}/scale { count }` (the
 * elastic-capacity route of ARCHITECTURE.md). A server without that route says so.
 */
export async function scaleCommand(
  name: string,
  pool: string,
  countText: string,
  options: OutputOptions & { wait?: boolean },
  client: ApiClient,
  io: CliIo,
): Promise<number> {
  if (!/^\d+$/.test(countText) || Number(countText) > 1000) {
    throw new UsageError(`count must be a whole number of nodes from 0 to 1000 (got "${countText}")`);
  }
  const startedAt = io.now();
  const route = `clusters/${encodeURIComponent(name)}/nodepools/${encodeURIComponent(pool)}/scale`;
  const answer = await client.request('POST', route, {
    text: JSON.stringify({ count: Number(countText) }),
    contentType: 'application/json',
  });
  if (answer.status === 404 && (answer.body as { error?: unknown } | undefined)?.error === undefined) {
    throw new CliFailure(
      `this server has no scale route (POST /api/${route} is not found): it runs a version without elastic capacity`,
    );
  }
  if (answer.status === 400) {
    const errors = (answer.body as { errors?: { path: string; message: string }[] }).errors ?? [];
    if (options.json) printJson(io, answer.body);
    else for (const e of errors) io.stderr(`  ${e.path || '(request)'}: ${e.message}\n`);
    return EXIT_USAGE;
  }
  if (answer.status !== 200 && answer.status !== 202) {
    if (options.json) printJson(io, answer.body);
    else io.stderr(`scale refused: ${problemText(answer)}\n`);
    return EXIT_FAILURE;
  }
  if (!options.wait) {
    if (options.json) printJson(io, answer.body);
    else io.stdout(`scaling pool "${pool}" of cluster "${name}" to ${countText} node(s) accepted\n`);
    return EXIT_OK;
  }
  const view = await follow(client, name, io, options, startedAt);
  return finish(view, io, options, startedAt);
}

import * as fs from 'node:fs';
import * as path from 'node:path';

export class HostConfigError extends Error {
  override readonly name = 'HostConfigError';
}

/** The parts of an app's host.json the local host honours. */
export interface HostConfig {
  /** `extensions.http.routePrefix`, without slashes; '' serves HTTP functions at the root. Default `api`. */
  routePrefix: string;
  /** `extensions.durableTask.hubName`, default `TestHubName` like the extension's local default. */
  hubName: string;
  maxConcurrentActivityFunctions?: number;
  maxConcurrentOrchestratorFunctions?: number;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Case-insensitive property lookup: the Functions host reads host.json keys case-insensitively. */
function prop(obj: Record<string, unknown>, key: string): unknown {
  const found = Object.keys(obj).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : obj[found];
}

function positiveInt(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new HostConfigError(`host.json ${field} must be a positive integer, got ${JSON.stringify(value)}.`);
  }
  return n;
}

export function readHostConfig(appDir: string): HostConfig {
  const file = path.join(appDir, 'host.json');
  let json: Record<string, unknown> = {};
  if (fs.existsSync(file)) {
    try {
      json = record(JSON.parse(fs.readFileSync(file, 'utf8')));
    } catch (err) {
      throw new HostConfigError(`Cannot parse ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const extensions = record(prop(json, 'extensions'));
  const http = record(prop(extensions, 'http'));
  const durable = record(prop(extensions, 'durableTask'));
  const prefix = prop(http, 'routePrefix');
  if (prefix !== undefined && typeof prefix !== 'string') {
    throw new HostConfigError('host.json extensions.http.routePrefix must be a string.');
  }
  const hubName = prop(durable, 'hubName');
  if (hubName !== undefined && (typeof hubName !== 'string' || hubName.trim() === '')) {
    throw new HostConfigError('host.json extensions.durableTask.hubName must be a non-empty string.');
  }
  return {
    routePrefix: (prefix ?? 'api').replace(/^\/+|\/+$/g, ''),
    hubName: hubName ?? 'TestHubName',
    maxConcurrentActivityFunctions: positiveInt(
      prop(durable, 'maxConcurrentActivityFunctions'),
      'extensions.durableTask.maxConcurrentActivityFunctions',
    ),
    maxConcurrentOrchestratorFunctions: positiveInt(
      prop(durable, 'maxConcurrentOrchestratorFunctions'),
      'extensions.durableTask.maxConcurrentOrchestratorFunctions',
    ),
  };
}

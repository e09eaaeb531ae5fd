import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { HttpAuthLevel } from './core';

/**
 * Host keys, kept like the Functions host's file-based secrets in `<stateDir>/keys.json`:
 * `{ "masterKey": "...", "functionKeys": { "default": "..." },
 *    "systemKeys": { "durabletask_extension": "...", "eventgrid_extension": "..." } }`,
 * created with fresh random keys (mode 0600) on first start; a file from before system keys existed gets
 * them added. The settings `LOCAL_HOST_FUNCTION_KEY` (the `default` function key), `LOCAL_HOST_MASTER_KEY`,
 * `LOCAL_HOST_DURABLE_KEY` and `LOCAL_HOST_EVENTGRID_KEY` override a key without being written to the file.
 *
 * As on Azure, the extension webhooks (`/runtime/webhooks/durabletask/...`, `/runtime/webhooks/eventgrid`)
 * open with their extension's system key or the master key, never with a function key.
 */
export type SystemKeyName = 'durabletask_extension' | 'eventgrid_extension';

export const SYSTEM_KEY_NAMES: readonly SystemKeyName[] = ['durabletask_extension', 'eventgrid_extension'];

const SYSTEM_KEY_SETTINGS: Record<SystemKeyName, string> = {
  durabletask_extension: 'LOCAL_HOST_DURABLE_KEY',
  eventgrid_extension: 'LOCAL_HOST_EVENTGRID_KEY',
};

export interface HostKeys {
  masterKey: string;
  functionKeys: Record<string, string>;
  systemKeys: Record<SystemKeyName, string>;
}

export class HostKeysError extends Error {
  override readonly name = 'HostKeysError';
}

function newKey(): string {
  return randomBytes(30).toString('base64url');
}

function stringMap(keysFile: string, field: string, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new HostKeysError(`Keys file ${keysFile}: "${field}" must be an object of key strings.`);
  }
  const map: Record<string, string> = {};
  for (const [name, key] of Object.entries(value as Record<string, unknown>)) {
    if (typeof key !== 'string' || key === '') {
      throw new HostKeysError(`Keys file ${keysFile}: ${field}.${name} must be a non-empty string.`);
    }
    map[name] = key;
  }
  return map;
}

function writeKeysFile(keysFile: string, content: unknown): void {
  fs.mkdirSync(path.dirname(keysFile), { recursive: true });
  fs.writeFileSync(keysFile, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
}

export function loadHostKeys(keysFile: string, settings: Record<string, string | undefined> = {}): HostKeys {
  let keys: HostKeys;
  if (fs.existsSync(keysFile)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(keysFile, 'utf8'));
    } catch (err) {
      throw new HostKeysError(
        `Cannot parse keys file ${keysFile}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const obj = (parsed ?? {}) as { masterKey?: unknown; functionKeys?: unknown; systemKeys?: unknown };
    if (typeof obj.masterKey !== 'string' || obj.masterKey === '') {
      throw new HostKeysError(`Keys file ${keysFile} has no "masterKey" string.`);
    }
    const functionKeys = stringMap(keysFile, 'functionKeys', obj.functionKeys);
    const stored = stringMap(keysFile, 'systemKeys', obj.systemKeys);
    const missing = SYSTEM_KEY_NAMES.filter((name) => stored[name] === undefined);
    const systemKeys = { ...stored } as Record<SystemKeyName, string>;
    for (const name of missing) systemKeys[name] = newKey();
    keys = { masterKey: obj.masterKey, functionKeys, systemKeys };
    // Keys are kept, so a file from an older host gains its system keys once and keeps them from then on.
    if (missing.length > 0)
      writeKeysFile(keysFile, { ...(obj as object), systemKeys: { ...stored, ...systemKeys } });
  } else {
    keys = {
      masterKey: newKey(),
      functionKeys: { default: newKey() },
      systemKeys: { durabletask_extension: newKey(), eventgrid_extension: newKey() },
    };
    writeKeysFile(keysFile, keys);
  }
  const fromSettings = settings.LOCAL_HOST_FUNCTION_KEY;
  if (fromSettings) keys.functionKeys = { ...keys.functionKeys, default: fromSettings };
  const masterFromSettings = settings.LOCAL_HOST_MASTER_KEY;
  if (masterFromSettings) keys.masterKey = masterFromSettings;
  for (const name of SYSTEM_KEY_NAMES) {
    const value = settings[SYSTEM_KEY_SETTINGS[name]];
    if (value) keys.systemKeys = { ...keys.systemKeys, [name]: value };
  }
  return keys;
}

function sameKey(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Whether `presented` (from `?code=` or `x-functions-key`) opens a function with this auth level. */
export function isAuthorized(keys: HostKeys, level: HttpAuthLevel, presented: string | undefined): boolean {
  if (level === 'anonymous') return true;
  if (!presented) return false;
  if (sameKey(presented, keys.masterKey)) return true;
  if (level === 'admin') return false;
  return Object.values(keys.functionKeys).some((key) => sameKey(presented, key));
}

/** Whether one of the `presented` keys opens an extension webhook: its system key or the master key. */
export function isSystemAuthorized(
  keys: HostKeys,
  name: SystemKeyName,
  presented: readonly (string | undefined)[],
): boolean {
  return presented.some(
    (key) => !!key && (sameKey(key, keys.masterKey) || sameKey(key, keys.systemKeys[name])),
  );
}

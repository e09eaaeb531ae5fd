import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { HttpAuthLevel } from './core';

/**
 * Function keys for `authLevel: function | admin`, kept like the Functions host's file-based secrets:
 * `<stateDir>/keys.json` = `{ "masterKey": "...", "functionKeys": { "default": "..." } }`, created with fresh
 * random keys (mode 0600) on first start. The setting `LOCAL_HOST_FUNCTION_KEY` replaces the `default`
 * function key and `LOCAL_HOST_MASTER_KEY` the master key, without being written to the file.
 */
export interface HostKeys {
  masterKey: string;
  functionKeys: Record<string, string>;
}

export class HostKeysError extends Error {
  override readonly name = 'HostKeysError';
}

function newKey(): string {
  return randomBytes(30).toString('base64url');
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
    const obj = (parsed ?? {}) as { masterKey?: unknown; functionKeys?: unknown };
    if (typeof obj.masterKey !== 'string' || obj.masterKey === '') {
      throw new HostKeysError(`Keys file ${keysFile} has no "masterKey" string.`);
    }
    const functionKeys: Record<string, string> = {};
    for (const [name, value] of Object.entries((obj.functionKeys ?? {}) as Record<string, unknown>)) {
      if (typeof value !== 'string' || value === '') {
        throw new HostKeysError(`Keys file ${keysFile}: functionKeys.${name} must be a non-empty string.`);
      }
      functionKeys[name] = value;
    }
    keys = { masterKey: obj.masterKey, functionKeys };
  } else {
    keys = { masterKey: newKey(), functionKeys: { default: newKey() } };
    fs.mkdirSync(path.dirname(keysFile), { recursive: true });
    fs.writeFileSync(keysFile, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  }
  const fromSettings = settings.LOCAL_HOST_FUNCTION_KEY;
  if (fromSettings) keys.functionKeys = { ...keys.functionKeys, default: fromSettings };
  const masterFromSettings = settings.LOCAL_HOST_MASTER_KEY;
  if (masterFromSettings) keys.masterKey = masterFromSettings;
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

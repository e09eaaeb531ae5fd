/**
 * Whether what ARM has already holds what the plan asks for. The plan's body is compared as a
 * subset of the resource ARM returns: fields ARM adds (ids, provisioning state, defaults) are not
 * differences; a field the plan sets to another value is. ARM ids, locations and dictionary keys
 * that are ids compare without case (ARM changes their case), everything else exactly.
 */
import type { Json, JsonObject } from './plan';

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameString(path: string, want: string, have: string): boolean {
  if (want === have) return true;
  if (want.startsWith('/subscriptions/') || want.startsWith('/providers/'))
    return want.toLowerCase() === have.toLowerCase();
  if (path === 'location')
    return want.replace(/\s+/g, '').toLowerCase() === have.replace(/\s+/g, '').toLowerCase();
  return false;
}

function lookup(object: JsonObject, key: string): Json | undefined {
  if (key in object) return object[key];
  if (!key.startsWith('/')) return undefined;
  const lower = key.toLowerCase();
  const found = Object.keys(object).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : object[found];
}

/** The paths (`properties.siteConfig.minTlsVersion`) where `current` lacks what `desired` says; empty when it holds it all. */
export function differences(desired: Json, current: Json | undefined, path = ''): string[] {
  const here = path === '' ? '(body)' : path;
  if (current === undefined) return [here];
  if (isObject(desired)) {
    if (!isObject(current)) return [here];
    return Object.entries(desired).flatMap(([key, value]) =>
      differences(value, lookup(current, key), path === '' ? key : `${path}.${key}`),
    );
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(current) || current.length !== desired.length) return [here];
    return desired.some((item, i) => differences(item, current[i], `${path}[${i}]`).length > 0) ? [here] : [];
  }
  if (typeof desired === 'string' && typeof current === 'string')
    return sameString(path, desired, current) ? [] : [here];
  return desired === current ? [] : [here];
}

/**
 * The plan carries ARM *wire* bodies (nested `properties`), the typed SDK clients take *models* in
 * which every `properties` bag is flattened into its parent (`vnet.addressSpace`, `subnet.addressPrefix`).
 * These helpers convert between the two generically and compare desired state with actual state.
 */
import type { Json, JsonObject } from '../cluster/plan/types';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keys whose values are free-form maps, never ARM objects with `properties` to hoist. */
const opaqueKeys = new Set(['tags']);

/**
 * Wire → model: hoists every `properties` object into its parent, recursively. Fields already present
 * on the parent win (ARM never uses the same name at both levels of one object).
 */
export function wireToModel(value: Json): Json {
  if (Array.isArray(value)) return value.map(wireToModel);
  if (!isPlainObject(value)) return value;
  const out: JsonObject = {};
  const props = value['properties'];
  if (isPlainObject(props)) {
    for (const [k, v] of Object.entries(props)) out[k] = wireToModel(v);
  }
  for (const [k, v] of Object.entries(value)) {
    if (k === 'properties' && isPlainObject(props)) continue;
    out[k] = opaqueKeys.has(k) ? v : wireToModel(v);
  }
  return out;
}

/** Turns an SDK model (or any value) into plain JSON, dropping `undefined` fields and Date objects. */
export function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null)) as Json;
}

/**
 * Fields we never compare: state ARM maintains. A type's secret fields (ARM never returns them on
 * GET) are added by the caller from the type's module: they would otherwise look like a difference
 * on every run and turn a re-apply into a write.
 */
const armMaintainedKeys = ['provisioningState', 'etag', 'resourceGuid'];

const resourceIdLike = /^\/subscriptions\//i;

function sameScalar(key: string, desired: Json, actual: Json | undefined): boolean {
  if (desired === actual) return true;
  if (typeof desired === 'string' && typeof actual === 'string') {
    if (resourceIdLike.test(desired) || resourceIdLike.test(actual)) {
      return desired.toLowerCase() === actual.toLowerCase();
    }
    // ARM names are case-preserving but case-insensitive.
    if (key === 'name') return desired.toLowerCase() === actual.toLowerCase();
    if (key === 'location') {
      const norm = (s: string): string => s.replace(/\s+/g, '').toLowerCase();
      return norm(desired) === norm(actual);
    }
  }
  return false;
}

function elementName(value: Json | undefined): string | undefined {
  if (!isPlainObject(value)) return undefined;
  const name = value['name'];
  return typeof name === 'string' ? name.toLowerCase() : undefined;
}

/**
 * Tags are compared exactly, not as a subset: ARM returns the whole map and a PUT replaces it, so a tag
 * dropped from the spec must count as a difference or it would never be removed. Tag names are
 * case-insensitive in ARM, values are not.
 */
function diffTags(desired: Json, actual: Json | undefined, path: string): string[] {
  if (!isPlainObject(desired)) return sameScalar('tags', desired, actual) ? [] : [path];
  const want = new Map(Object.entries(desired).map(([k, v]) => [k.toLowerCase(), v]));
  const got = new Map(
    Object.entries(isPlainObject(actual) ? actual : {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  if (want.size !== got.size) return [path];
  for (const [k, v] of want) if (!got.has(k) || got.get(k) !== v) return [path];
  return [];
}

/**
 * Where `desired` is not contained in `actual`: every field the plan sets must have the same value in
 * the actual resource; fields only ARM sets (defaults, read-only state) are ignored. Arrays must have
 * the same length; arrays of named objects are matched by name, arrays of scalars as multisets
 * (ARM may reorder `addressPrefixes` or `zones`), other arrays in order. Ids compare case-insensitively.
 * `tags` are the exception: they must be equal, see `diffTags`.
 * Returns the paths that differ (empty when nothing needs to change).
 */
export function diffDesired(
  desired: Json,
  actual: Json | undefined,
  options: { secretFields?: readonly string[] } = {},
): string[] {
  return diffAt(desired, actual, '', new Set([...armMaintainedKeys, ...(options.secretFields ?? [])]));
}

function diffAt(
  desired: Json,
  actual: Json | undefined,
  path: string,
  ignored: ReadonlySet<string>,
): string[] {
  const key = path.slice(path.lastIndexOf('.') + 1);
  if (desired === null) return actual === null || actual === undefined ? [] : [path || '.'];
  if (Array.isArray(desired)) {
    if (!Array.isArray(actual) || actual.length !== desired.length) return [path || '.'];
    if (desired.every((d) => !isPlainObject(d) && !Array.isArray(d))) {
      const remaining = [...actual];
      for (const d of desired) {
        const i = remaining.findIndex((a) => sameScalar(key, d, a));
        if (i < 0) return [path || '.'];
        remaining.splice(i, 1);
      }
      return [];
    }
    const byName = desired.every((d) => elementName(d) !== undefined);
    const diffs: string[] = [];
    desired.forEach((d, i) => {
      const name = elementName(d);
      const a = byName ? actual.find((x) => elementName(x) === name) : actual[i];
      diffs.push(...diffAt(d, a, `${path}[${byName ? (name ?? i) : i}]`, ignored));
    });
    return diffs;
  }
  if (isPlainObject(desired)) {
    if (!isPlainObject(actual)) return [path || '.'];
    const diffs: string[] = [];
    for (const [k, v] of Object.entries(desired)) {
      if (ignored.has(k)) continue;
      const at = path ? `${path}.${k}` : k;
      diffs.push(...(k === 'tags' ? diffTags(v, actual[k], at) : diffAt(v, actual[k], at, ignored)));
    }
    return diffs;
  }
  return sameScalar(key, desired, actual) ? [] : [path || '.'];
}

import { asObject, type JsonObject } from '../json';

/** JSON merge patch (RFC 7396), the way ARM applies PATCH bodies. */
export function mergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete target[key];
    } else {
      const current = asObject(target[key]);
      const next = asObject(value);
      target[key] = current && next ? mergePatch(current, next) : value;
    }
  }
  return target;
}

/** Entity instance ids as the durable-functions SDK writes them: `@<lowercased name>@<key>`. */

export function entityInstanceId(name: string, key: string): string {
  return `@${name.toLowerCase()}@${key}`;
}

export function parseEntityInstanceId(entityId: string): { name: string; key: string } {
  const at = entityId.indexOf('@', 1);
  return { name: entityId.substring(1, at), key: entityId.substring(at + 1) };
}

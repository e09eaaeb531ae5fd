/**
 * Names that must be GUIDs (role assignments) but stable across runs: derived from what the
 * resource means, like ARM templates' `guid(...)`, so a re-run finds the assignment it made instead
 * of creating a second one.
 */
import { createHash } from 'node:crypto';

/** A name-based (version 5 layout) GUID from the given parts; case-insensitive like ARM ids. */
export function stableGuid(...parts: string[]): string {
  const hex = createHash('sha1')
    .update(parts.map((part) => part.toLowerCase()).join('\u0000'))
    .digest('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `5${hex.slice(13, 16)}`,
    `${variant}${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}

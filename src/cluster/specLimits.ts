/**
 * How large and how complex a spec text may be. A real spec is a few kilobytes with a few hundred keys
 * and values (a pool's cloud-init is at most 64 KiB); the limits are far above that and far below what
 * would hold the app's only thread: parsing cost is bounded by them, whatever the body looks like.
 */
export const SPEC_LIMITS = {
  /** Bytes of the spec text (UTF-8). The HTTP route answers 413 above this. */
  bytes: 512 * 1024,
  /** YAML tokens (keys, values, indicators such as `-` and `:`), checked while lexing: bounds parse time. */
  tokens: 20_000,
  /** Keys, scalars, lists and maps together. */
  values: 10_000,
  /** Lists and maps inside each other. */
  depth: 32,
  /** YAML aliases (`*name`); the yaml library's own guard against alias bombs also applies. */
  aliases: 100,
} as const;

/** `512 KiB (524288 bytes)`. */
export function describeByteLimit(bytes: number = SPEC_LIMITS.bytes): string {
  const kib = bytes / 1024;
  return Number.isInteger(kib) ? `${kib} KiB (${bytes} bytes)` : `${bytes} bytes`;
}

export function specTooLargeMessage(bytes: number): string {
  return `the spec is ${bytes} bytes; the limit is ${describeByteLimit()} (a spec is a few kilobytes; YAML anchors let pools share one cloud-init)`;
}

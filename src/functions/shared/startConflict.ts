/**
 * Telling apart why `startNew` failed: the durable store refusing a second instance with the same
 * id (two requests raced past the busy check) is the caller's 409; anything else (store down, bad
 * configuration) is the server's 500.
 */

/** The durable client reports the extension's answer as "…status code: 409…"; the local host says "already exists". */
export function isInstanceConflict(err: unknown): boolean {
  const text = err instanceof Error ? err.message : String(err);
  return /\bstatus code:? 409\b/i.test(text) || /\balready (exists|running)\b/i.test(text);
}

/** What the client is told when starting failed for another reason: no details (they may hold settings). */
export function startFailedMessage(clusterName: string, operation: 'provisioning' | 'deletion'): string {
  return `could not start the ${operation} of cluster "${clusterName}": the durable task store refused it (see the function app's logs); try again later`;
}

/**
 * `getStatus` of durable-functions 3.5.0 (pinned) turns the extension's HTTP 404 into a plain Error
 * and exposes no status code, so the only signal is its message, which names the status exactly
 * ("…replied with HTTP 404 response…"); a unit test checks the pinned library still says so.
 */
export function isInstanceNotFound(err: unknown): boolean {
  return err instanceof Error && /\breplied with HTTP 404 response\b/.test(err.message);
}

/**
 * The run command that registers a fresh bootstrap token on a control-plane node, for nodes added to
 * a running cluster (see docs/bootstrap.md, "Nodes added later"). Pure: names, the script and the TTL.
 *
 * The token reaches the script only as a protected parameter (an environment variable of the script
 * on Linux, never returned by ARM); the script itself is public and the same for every cluster.
 */

/**
 * The prefix of the run command's name on the control-plane VM; each attempt adds a random suffix so
 * a retry never re-sends a write ARM acknowledged, and deletes what earlier attempts left.
 */
export const JOIN_TOKEN_RUN_COMMAND = 'register-join-token';

/** The protected parameter (environment variable) holding the token. */
export const TOKEN_PARAMETER = 'BOOTSTRAP_TOKEN';

/** Default lifetime of a token minted for nodes added later. */
export const DEFAULT_JOIN_TOKEN_TTL_MINUTES = 60;
/**
 * Bounds of `JOIN_TOKEN_TTL_MINUTES`. At least 45 minutes: the vault's own check replaces a join
 * token with less than 30 minutes left, and a node must still find it valid after it booted.
 */
export const MIN_JOIN_TOKEN_TTL_MINUTES = 45;
export const MAX_JOIN_TOKEN_TTL_MINUTES = 24 * 60;

/** How long the script may run on the node (seconds); ARM ends it as `TimedOut` after that. */
export const RUN_COMMAND_TIMEOUT_SECONDS = 300;

/**
 * `kubeadm token create` with the token from the environment: idempotent (a token already there is
 * success), prints nothing of the token (kubeadm prints it on stdout, which goes nowhere), no `set -x`.
 */
export const JOIN_TOKEN_SCRIPT = [
  '#!/bin/sh',
  'set -eu',
  'umask 077',
  'export KUBECONFIG=/etc/kubernetes/admin.conf',
  `case "\${${TOKEN_PARAMETER}:-}" in`,
  '  [a-z0-9][a-z0-9][a-z0-9][a-z0-9][a-z0-9][a-z0-9].*) ;;',
  `  *) echo "${TOKEN_PARAMETER} is missing or malformed" >&2; exit 2 ;;`,
  'esac',
  `id="\${${TOKEN_PARAMETER}%%.*}"`,
  'if kubeadm token list -o jsonpath=\'{.token}{"\\n"}\' 2>/dev/null | cut -d. -f1 | grep -qx "$id"; then',
  '  echo "bootstrap token $id is already registered"',
  '  exit 0',
  'fi',
  `kubeadm token create "$${TOKEN_PARAMETER}" --ttl "\${TOKEN_TTL}" --description "\${TOKEN_DESCRIPTION}" >/dev/null`,
  'echo "bootstrap token $id registered, ttl $TOKEN_TTL"',
  '',
].join('\n');

export const TOKEN_DESCRIPTION = 'minted by azure-cluster-provisioner for nodes added later';

/** The TTL from `JOIN_TOKEN_TTL_MINUTES` (default 60), or an error naming the setting. */
export function joinTokenTtlMinutes(env: Record<string, string | undefined>): number {
  const raw = env['JOIN_TOKEN_TTL_MINUTES']?.trim();
  if (raw === undefined || raw === '') return DEFAULT_JOIN_TOKEN_TTL_MINUTES;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < MIN_JOIN_TOKEN_TTL_MINUTES || n > MAX_JOIN_TOKEN_TTL_MINUTES) {
    throw new Error(
      `JOIN_TOKEN_TTL_MINUTES must be an integer from ${MIN_JOIN_TOKEN_TTL_MINUTES} to ${MAX_JOIN_TOKEN_TTL_MINUTES}, got '${raw}'`,
    );
  }
  return n;
}

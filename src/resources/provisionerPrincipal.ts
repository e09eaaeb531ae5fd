/**
 * The provisioner's own principal (the object id of the identity it calls Azure with). A cluster's
 * Key Vault is in RBAC mode, where the vault's creator gets no data-plane access: the plan gives
 * this principal Key Vault Secrets Officer on the vault so the app may write the cluster's secrets
 * (see docs/bootstrap.md).
 *
 * Where it comes from, first found wins:
 * 1. `PROVISIONER_PRINCIPAL_ID` (a GUID): `npm run deploy` sets it to the Function App's managed
 *    identity's principal id.
 * 2. The `oid` claim of the app's own ARM token (what Entra ID puts in every token it issues), so a
 *    run under `az login` or another identity works without the setting. The emulator's static
 *    credential presents a token without claims; the emulator's own default principal is named by
 *    the app's default static token (`ARM_STATIC_TOKEN`), see clients.ts.
 * Neither → an `ArmSettingsError` naming `PROVISIONER_PRINCIPAL_ID`.
 */
import { ARM_SCOPE, ArmSettingsError } from './clients';
import type { ArmConnection, SdkNamespace } from './types/sdkNamespace';

export const PROVISIONER_PRINCIPAL_SETTING = 'PROVISIONER_PRINCIPAL_ID';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Env = Record<string, string | undefined>;

/** The `oid` claim of a JWT, or undefined when the token is not one or has none. */
export function oidClaim(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as unknown;
    const oid = typeof claims === 'object' && claims !== null ? (claims as { oid?: unknown }).oid : undefined;
    return typeof oid === 'string' && GUID.test(oid) ? oid : undefined;
  } catch {
    return undefined;
  }
}

/** The connection's credential itself (built once per connection, like any client). */
const credentialOf: SdkNamespace<{ getToken: ArmTokenSource }> = {
  name: 'credential',
  create: ({ credential }) => ({ getToken: (scope) => credential.getToken(scope) }),
};
type ArmTokenSource = (scope: string) => Promise<{ token: string } | null>;

/** The principal from the setting alone (undefined when unset); a malformed value throws. */
export function principalIdFromSettings(env: Env): string | undefined {
  const raw = env[PROVISIONER_PRINCIPAL_SETTING]?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (!GUID.test(raw)) {
    throw new ArmSettingsError(
      PROVISIONER_PRINCIPAL_SETTING,
      `must be the object id (a GUID) of the identity the app calls Azure with, got '${raw.slice(0, 60)}'`,
    );
  }
  return raw.toLowerCase();
}

/** See the module comment: the setting, else the `oid` of the app's ARM token, else a clear error. */
export async function provisionerPrincipalId(env: Env, arm: ArmConnection): Promise<string> {
  const fromSetting = principalIdFromSettings(env);
  if (fromSetting !== undefined) return fromSetting;
  let token: { token: string } | null;
  try {
    token = await arm.clientOf(credentialOf).getToken(ARM_SCOPE);
  } catch (err) {
    throw new ArmSettingsError(
      PROVISIONER_PRINCIPAL_SETTING,
      `is not set, and the app's ARM token (to read its oid claim) could not be had: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const oid = token ? oidClaim(token.token) : undefined;
  if (oid === undefined) {
    throw new ArmSettingsError(
      PROVISIONER_PRINCIPAL_SETTING,
      "is not set and the app's ARM token carries no oid claim: set it to the object (principal) id of the identity the app calls Azure with",
    );
  }
  return oid.toLowerCase();
}

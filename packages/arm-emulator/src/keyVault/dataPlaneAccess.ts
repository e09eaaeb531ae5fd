/**
 * Who may do what on a vault's secrets data plane, decided as Key Vault decides it.
 *
 * - The caller: a bearer token that is a JWT with an `oid` claim acts as that principal (the tokens
 *   `issueIdentityToken` makes for a VM's user-assigned identity, as IMDS would); any other token is
 *   the app's static token and acts as the emulator's app principal (`appPrincipalId`).
 * - An RBAC-mode vault (`enableRbacAuthorization: true`) allows a data action when the caller holds a
 *   role assignment at the secret, the vault, its resource group or its subscription whose role grants
 *   it: Key Vault Secrets User (get and list), Key Vault Reader (list), Key Vault Secrets Officer
 *   (every secret action), Key Vault Administrator (every data action). Owner, Contributor and every
 *   other role grant no data-plane access. An assignment counts once the propagation delay has passed
 *   since it was created (default 0). Refusal: 403 `Forbidden` with inner error `ForbiddenByRbac`.
 * - An access-policy vault allows what the `accessPolicies` entry of the caller's object id lists under
 *   `permissions.secrets` (`get`, `list`, `set`, `all`); refusal: 403 `Forbidden`, inner `AccessDenied`.
 */
import { randomUUID } from 'node:crypto';

import { ArmError } from '../armError';
import type { ArmStore, ResourceRecord } from '../armStore';
import { asArray, asObject, asString, type Json } from '../json';
import { ROLE_ASSIGNMENT_TYPE } from '../providers/authorization/roleAssignments';
import { EMULATOR_TENANT_ID } from '../providers/managedIdentity/userAssignedIdentities';

/** The principal the app's static token acts as, unless the emulator is told another. */
export const DEFAULT_APP_PRINCIPAL_ID = '5e1f0c2a-7d3b-4c8e-9a61-0b2d4f6e8a10';

export type SecretAction = 'getSecret' | 'readMetadata' | 'setSecret';

const ACTION_PREFIX = 'Microsoft.KeyVault/vaults/secrets/';
const actionName = (action: SecretAction): string => `${ACTION_PREFIX}${action}/action`;

/** The data actions of the built-in roles that have any on secrets (by role definition GUID). */
const ROLE_SECRET_ACTIONS: Readonly<Record<string, readonly SecretAction[]>> = {
  // Key Vault Secrets User
  '4633458b-17de-408a-b874-0445c86b69e6': ['getSecret', 'readMetadata'],
  // Key Vault Secrets Officer: Microsoft.KeyVault/vaults/secrets/*
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': ['getSecret', 'readMetadata', 'setSecret'],
  // Key Vault Administrator: Microsoft.KeyVault/vaults/*
  '00482a5a-887f-4fb3-b363-3b7fe8e74483': ['getSecret', 'readMetadata', 'setSecret'],
  // Key Vault Reader: …/secrets/readMetadata/action
  '21090545-7ca7-4776-b22c-e363652d74d2': ['readMetadata'],
};

/** Access-policy permission names per action. */
const POLICY_PERMISSION: Readonly<Record<SecretAction, string>> = {
  getSecret: 'get',
  readMetadata: 'list',
  setSecret: 'set',
};

/** The claims of a JWT's payload, or undefined when the token is not one. */
export function tokenClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as unknown;
    return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface Caller {
  principalId: string;
  /** As Key Vault names the caller in a refusal. */
  description: string;
}

export function callerOf(token: string, appPrincipalId: string): Caller {
  const claims = tokenClaims(token);
  const oid = typeof claims?.oid === 'string' ? claims.oid : undefined;
  if (oid === undefined) return { principalId: appPrincipalId, description: `oid=${appPrincipalId}` };
  const appid = typeof claims?.appid === 'string' ? `appid=${claims.appid};` : '';
  return { principalId: oid, description: `${appid}oid=${oid}` };
}

/** An unsigned JWT (as the emulator issues them: nobody verifies signatures offline). */
export function unsignedJwt(claims: Record<string, Json>): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

const isUnder = (scope: string, resource: string): boolean => {
  const s = scope.toLowerCase().replace(/\/+$/, '');
  const r = resource.toLowerCase();
  return r === s || r.startsWith(`${s}/`);
};

export interface AccessSettings {
  appPrincipalId: string;
  /** A role assignment counts this long after it was created (ms, not scaled). */
  rbacPropagationMs: number;
}

/**
 * Throws Key Vault's 403 unless `caller` may do `action` on the vault's secret `secretName` (or on
 * the vault's secrets as a whole, for a list).
 */
export function authorizeSecretAction(
  store: ArmStore,
  vault: ResourceRecord,
  secretName: string | undefined,
  action: SecretAction,
  caller: Caller,
  settings: AccessSettings,
  now = Date.now(),
): void {
  const props = asObject(vault.body.properties) ?? {};
  const resource = secretName === undefined ? vault.id : `${vault.id}/secrets/${secretName}`;
  if (props.enableRbacAuthorization === true) {
    const granted = roleAssignments(store).some((a) => {
      const p = asObject(a.properties) ?? {};
      if (asString(p.principalId)?.toLowerCase() !== caller.principalId.toLowerCase()) return false;
      if (!isUnder(asString(p.scope) ?? '/none', resource)) return false;
      const created = Date.parse(asString(p.createdOn) ?? '');
      if (settings.rbacPropagationMs > 0 && !(created + settings.rbacPropagationMs <= now)) return false;
      const role = (asString(p.roleDefinitionId) ?? '').split('/').pop()?.toLowerCase() ?? '';
      return ROLE_SECRET_ACTIONS[role]?.includes(action) === true;
    });
    if (granted) return;
    throw forbidden(
      `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: ${caller.description}\r\nAction: '${actionName(action)}'\r\nResource: '${resource.toLowerCase()}'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: ${vault.name};location=${asString(vault.body.location) ?? ''}\r\n`,
      'ForbiddenByRbac',
    );
  }
  const wanted = POLICY_PERMISSION[action];
  const allowed = asArray(props.accessPolicies).some((entry) => {
    const policy = asObject(entry) ?? {};
    if (asString(policy.objectId)?.toLowerCase() !== caller.principalId.toLowerCase()) return false;
    const secrets = asArray(asObject(policy.permissions)?.secrets).map((p) =>
      typeof p === 'string' ? p.toLowerCase() : '',
    );
    return secrets.includes(wanted) || secrets.includes('all');
  });
  if (allowed) return;
  throw forbidden(
    `The user, group or application '${caller.description};iss=https://sts.windows.net/${EMULATOR_TENANT_ID}/' does not have secrets ${wanted} permission on key vault '${vault.name};location=${asString(vault.body.location) ?? ''}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
    'AccessDenied',
  );
}

/** Key Vault's 403: `{ error: { code: 'Forbidden', message, innererror: { code } } }`. */
export class KeyVaultForbidden extends ArmError {
  constructor(
    message: string,
    readonly innerCode: string,
  ) {
    super(403, 'Forbidden', message);
  }

  override toBody(): ReturnType<ArmError['toBody']> & { error: { innererror: { code: string } } } {
    const body = super.toBody();
    return { error: { ...body.error, innererror: { code: this.innerCode } } };
  }
}

function forbidden(message: string, innerCode: string): KeyVaultForbidden {
  return new KeyVaultForbidden(message, innerCode);
}

function roleAssignments(store: ArmStore): { properties?: unknown }[] {
  return store.recordsOfArmType(ROLE_ASSIGNMENT_TYPE).map((r) => store.render(r));
}

/** IMDS's answer for a VM's user-assigned identity: an access token acting as its principal. */
export interface IdentityToken {
  access_token: string;
  client_id: string;
  expires_in: string;
  expires_on: string;
  not_before: string;
  resource: string;
  token_type: 'Bearer';
}

/**
 * What IMDS on a VM answers `GET /metadata/identity/oauth2/token?resource=…&msi_res_id=…`: a token for
 * one of the identities attached to that VM. An identity the VM does not have is refused with IMDS's
 * 400 `invalid_request` / "Identity not found".
 */
export function issueIdentityToken(
  store: ArmStore,
  vmId: string,
  identityId: string,
  resource: string,
  now = Date.now(),
): IdentityToken {
  const vm = store.findById(vmId);
  if (!vm || vm.type !== 'Microsoft.Compute/virtualMachines') {
    throw new ArmError(404, 'NotFound', `The virtual machine '${vmId}' does not exist.`);
  }
  const attached = Object.keys(asObject(asObject(vm.body.identity)?.userAssignedIdentities) ?? {});
  const identity = store.findById(identityId);
  if (!identity || !attached.some((id) => id.toLowerCase() === identityId.toLowerCase())) {
    // IMDS's refusal (the control route answers it as `{ error, error_description }`).
    throw new ArmError(400, 'invalid_request', 'Identity not found');
  }
  const principalId = asString(identity.derived.principalId) ?? '';
  const clientId = asString(identity.derived.clientId) ?? '';
  const issued = Math.floor(now / 1000);
  const expires = issued + 24 * 60 * 60;
  const access_token = unsignedJwt({
    aud: resource,
    iss: `https://sts.windows.net/${EMULATOR_TENANT_ID}/`,
    iat: issued,
    nbf: issued,
    exp: expires,
    appid: clientId,
    oid: principalId,
    sub: principalId,
    tid: EMULATOR_TENANT_ID,
    xms_mirid: identity.id,
    uti: randomUUID(),
  });
  return {
    access_token,
    client_id: clientId,
    expires_in: String(expires - issued),
    expires_on: String(expires),
    not_before: String(issued),
    resource,
    token_type: 'Bearer',
  };
}

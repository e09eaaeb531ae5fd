import { randomUUID } from 'node:crypto';

import { asString } from '../../json';
import type { ResourceProvider } from '../provider';

/** The tenant every emulated identity belongs to (the emulator has one). */
export const EMULATOR_TENANT_ID = '00000000-0000-0000-0000-000000000000';

/**
 * User-assigned managed identities: a resource-group resource whose properties are all read-only
 * ids ARM assigns once (principalId, clientId) plus the tenant. Writes answer at once (200/201),
 * as Microsoft.ManagedIdentity does.
 */
export const userAssignedIdentities: ResourceProvider = {
  type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
  latencyMs: { write: 0, delete: 0 },
  readOnly: ['tenantId', 'principalId', 'clientId'],
  sync: true,
  patch: 'sync',
  prepare(_ctx, record) {
    if (!record.derived.principalId) record.derived.principalId = randomUUID();
    if (!record.derived.clientId) record.derived.clientId = randomUUID();
    return undefined;
  },
  render(_ctx, record, _body, props) {
    props.tenantId = EMULATOR_TENANT_ID;
    const principalId = asString(record.derived.principalId);
    if (principalId !== undefined) props.principalId = principalId;
    const clientId = asString(record.derived.clientId);
    if (clientId !== undefined) props.clientId = clientId;
  },
};

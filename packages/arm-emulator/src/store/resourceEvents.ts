import { randomUUID } from 'node:crypto';

import { namespaceOf } from '../armTypes';
import type { EventGridEvent } from '../eventPublisher';

const TENANT_ID = '00000000-0000-0000-0000-000000000000';

/** ARM's ResourceWriteSuccess / ResourceDeleteSuccess event for a finished write or delete. */
export function resourceEvent(
  kind: 'write' | 'delete',
  resourceUri: string,
  type: string,
  subscriptionId: string,
  resourceGroup: string,
  correlationId: string,
): EventGridEvent {
  return {
    id: randomUUID(),
    topic: `/subscriptions/${subscriptionId}`,
    subject: resourceUri,
    eventType:
      kind === 'write'
        ? 'Microsoft.Resources.ResourceWriteSuccess'
        : 'Microsoft.Resources.ResourceDeleteSuccess',
    eventTime: new Date().toISOString(),
    data: {
      correlationId,
      resourceProvider: namespaceOf(type),
      resourceUri,
      operationName: `${type}/${kind}`,
      status: 'Succeeded',
      subscriptionId,
      tenantId: TENANT_ID,
      resourceGroup,
      httpRequest: { clientRequestId: correlationId, method: kind === 'write' ? 'PUT' : 'DELETE' },
    },
    dataVersion: '2',
    metadataVersion: '1',
  };
}

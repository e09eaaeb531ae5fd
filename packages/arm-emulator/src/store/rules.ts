import { randomUUID } from 'node:crypto';

import { type ArmError, badRequest, conflict, notFound } from '../armError';
import type { ResourceAddress } from '../armTypes';
import { asObject, type JsonObject } from '../json';
import type { ResourceProvider } from '../providers/provider';
import { resourceGroups } from '../providers/resources/resourceGroups';
import { GENERIC_NAME_RULE } from '../providers/shared';
import { knownRegions, zonesOf } from '../regions';
import type { LroRecord, ResourceRecord } from './records';

/** The rules ARM applies to every resource whatever its type. */

export function newEtag(): string {
  return `W/"${randomUUID()}"`;
}

/** Removes read-only fields from a request body: ARM's own, the provider's, and its entries'. */
export function stripReadOnly(provider: ResourceProvider | undefined, body: JsonObject): JsonObject {
  delete body.id;
  delete body.etag;
  delete body.eTag;
  delete body.type;
  delete body.name;
  const props = asObject(body.properties);
  if (!props) return body;
  delete props.provisioningState;
  delete props.resourceGuid;
  for (const key of provider?.readOnly ?? []) delete props[key];
  provider?.stripReadOnly?.(props);
  return body;
}

/** The provider's name rule (ARM's generic one unless it says otherwise), checked on create. */
export function checkResourceName(provider: ResourceProvider, name: string): void {
  const rule = provider.nameRule === undefined ? GENERIC_NAME_RULE : provider.nameRule;
  if (rule && !rule.pattern.test(name)) throw badRequest('InvalidResourceName', rule.message(name));
}

export function checkLocation(location: string, type: string): void {
  if (zonesOf(location) === undefined) {
    const code =
      type === resourceGroups.type
        ? 'LocationNotAvailableForResourceGroup'
        : 'LocationNotAvailableForResourceType';
    throw badRequest(
      code,
      `The provided location '${location}' is not available for resource type '${type}'. List of available regions for the resource type is '${knownRegions().join(',')}'.`,
    );
  }
}

export function resourceGroupNotFound(name: string): ArmError {
  return notFound('ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
}

export function resourceNotFound(address: ResourceAddress): ArmError {
  return notFound(
    'ResourceNotFound',
    `The Resource '${address.type}/${address.names.join('/')}' under resource group '${address.resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

/** 409 AnotherOperationInProgress while the resource, its parent or a sibling is mid-operation. */
export function checkNotBusy(
  existing: ResourceRecord | undefined,
  parent: ResourceRecord | undefined,
  type: string,
  id: string,
  childrenOf: (r: ResourceRecord) => ResourceRecord[],
  operation: (id: string) => LroRecord | undefined,
): void {
  const busy = (r: ResourceRecord | undefined): boolean => r?.pendingOp !== undefined;
  const existingKey = existing?.key;
  let blocker: ResourceRecord | undefined;
  if (busy(existing)) blocker = existing;
  else if (busy(parent)) blocker = parent;
  else if (parent) blocker = childrenOf(parent).find((c) => busy(c) && c.key !== existingKey);
  else if (existing) blocker = childrenOf(existing).find(busy);
  if (blocker) {
    const op = blocker.pendingOp ? operation(blocker.pendingOp) : undefined;
    throw conflict(
      'AnotherOperationInProgress',
      `Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: ${op ? `operations/${op.id}` : blocker.id}. Request for '${id}' (${type}) was rejected.`,
    );
  }
}

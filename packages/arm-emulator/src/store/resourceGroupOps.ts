import { randomUUID } from 'node:crypto';

import { badRequest, conflict } from '../armError';
import { resourceGroupKey } from '../armTypes';
import { asString, clone, type JsonObject } from '../json';
import { resourceGroups } from '../providers/resources/resourceGroups';
import { normalizeLocation } from '../regions';
import type { ResourceGroupRecord, WriteResult } from './records';
import { resourceEvent } from './resourceEvents';
import { checkLocation, resourceGroupNotFound, stripReadOnly } from './rules';
import type { Failure, StoreCore } from './storeCore';

// Resource groups: their records, and a group's delete (one operation for the group and every
// resource in it; see StoreCore.complete).

export function seedResourceGroup(
  core: StoreCore,
  subscriptionId: string,
  name: string,
  location: string,
): void {
  const key = resourceGroupKey(subscriptionId, name);
  if (core.groups.has(key)) return;
  checkLocation(location, resourceGroups.type);
  core.groups.set(key, newGroup(core, subscriptionId, name, location, { location }));
  core.options.onChange();
}

function newGroup(
  core: StoreCore,
  subscriptionId: string,
  name: string,
  location: string,
  body: JsonObject,
): ResourceGroupRecord {
  return {
    seq: core.state.nextSeq(),
    id: `/subscriptions/${subscriptionId}/resourceGroups/${name}`,
    key: resourceGroupKey(subscriptionId, name),
    subscriptionId,
    name,
    location: normalizeLocation(location),
    body,
    provisioningState: 'Succeeded',
  };
}

export function getGroup(core: StoreCore, subscriptionId: string, name: string): JsonObject {
  core.settle();
  return resourceGroups.render(core.requireGroup(subscriptionId, name));
}

export function hasGroup(core: StoreCore, subscriptionId: string, name: string): boolean {
  core.settle();
  return core.groups.has(resourceGroupKey(subscriptionId, name));
}

export function listGroups(core: StoreCore, subscriptionId: string): JsonObject[] {
  core.settle();
  return [...core.groups.values()]
    .filter((g) => g.subscriptionId.toLowerCase() === subscriptionId.toLowerCase())
    .map((g) => resourceGroups.render(g));
}

export function putGroup(
  core: StoreCore,
  subscriptionId: string,
  name: string,
  input: JsonObject,
  patch: boolean,
): WriteResult {
  core.settle();
  const key = resourceGroupKey(subscriptionId, name);
  const existing = core.groups.get(key);
  if (existing?.pendingOp) {
    throw conflict(
      'ResourceGroupBeingDeleted',
      `The resource group '${existing.name}' is in deprovisioning state and cannot perform this operation.`,
    );
  }
  if (patch && !existing) throw resourceGroupNotFound(name);
  const body = patch && existing ? { ...existing.body, ...input } : stripReadOnly(undefined, clone(input));
  const location = asString(body.location);
  if (location === undefined) {
    throw badRequest('LocationRequired', `The location property is required for resource group '${name}'.`);
  }
  checkLocation(location, resourceGroups.type);
  if (existing && existing.location !== normalizeLocation(location)) {
    throw conflict(
      'InvalidResourceGroupLocation',
      `Invalid resource group location '${location}'. The Resource group already exists in location '${existing.location}'.`,
    );
  }
  const record = existing ?? newGroup(core, subscriptionId, name, location, body);
  record.body = body;
  core.groups.set(key, record);
  core.options.onEvent(
    resourceEvent('write', record.id, resourceGroups.type, subscriptionId, record.name, randomUUID()),
  );
  core.options.onChange();
  return { status: existing ? 200 : 201, body: resourceGroups.render(record) };
}

export function deleteGroup(
  core: StoreCore,
  subscriptionId: string,
  name: string,
  failure?: Failure,
): WriteResult {
  core.settle();
  const group = core.requireGroup(subscriptionId, name);
  if (group.pendingOp) {
    const op = core.operations.get(group.pendingOp);
    if (op) return { status: 202, body: {}, operation: op };
  }
  const op = core.startOperation(
    'delete',
    group.key,
    group.id,
    resourceGroups.type,
    group,
    group.location,
    failure,
  );
  group.pendingOp = op.id;
  group.provisioningState = 'Deleting';
  for (const r of core.state.records.values()) {
    if (core.inGroup(r, group)) {
      r.pendingOp = op.id;
      r.provisioningState = 'Deleting';
    }
  }
  core.scheduleCompletion(op);
  return { status: 202, body: {}, operation: op };
}

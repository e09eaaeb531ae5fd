/**
 * A virtual machine. Its zone, OS profile (admin user, SSH keys, computer name, custom data), OS disk
 * and image are fixed at creation; its password and custom data are secrets ARM never returns.
 */
import type { VirtualMachine } from '@azure/arm-compute';

import { type Json, type JsonObject, ResourceTypes } from '../../../cluster/plan/types';
import { TAG_PLACEMENT } from '../../../cluster/plan/zonalFallback';
import { TerminalError } from '../../errors';
import type { ResourceRef } from '../../resourceId';
import { nameAt, topLevelType } from '../resourceType';
import { computeSdk, restoreComputePoller } from './sdk';

function asObject(value: Json | undefined): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

function zonesOf(model: JsonObject): string[] {
  const zones = model['zones'];
  return Array.isArray(zones) ? zones.map((z) => (typeof z === 'string' ? z : JSON.stringify(z))).sort() : [];
}

/**
 * A VM's zone is fixed at creation and ARM refuses to change it (`PropertyChangeNotAllowed`): say so
 * clearly, naming the VM and both zones, rather than send a PUT that can only fail.
 */
function assertSameZone(desired: JsonObject, actual: JsonObject, ref: ResourceRef): void {
  const want = zonesOf(desired);
  const have = zonesOf(actual);
  if (want.join(',') === have.join(',')) return;
  const show = (zones: string[]): string => (zones.length > 0 ? `zone ${zones.join(',')}` : 'no zone');
  throw new TerminalError(
    'VmZoneChange',
    `virtual machine "${nameAt(ref, 0)}" is in ${show(have)} but the plan puts it in ${show(want)}; a VM cannot change zones — delete the node (scale it away) so it is recreated in the new zone`,
    ref.id,
  );
}

/**
 * A VM placed in another zone because its planned zone could not allocate its size carries the
 * decision in a tag (cluster/plan/zonalFallback.ts): it stays where it is, tag included, so applying
 * the spec again neither moves it back nor rewrites it.
 */
function keepPlacement(desired: JsonObject, actual: JsonObject): JsonObject {
  const placed = asObject(actual['tags'])?.[TAG_PLACEMENT];
  if (typeof placed !== 'string') return desired;
  const zones = actual['zones'];
  return {
    ...desired,
    ...(zones !== undefined ? { zones } : {}),
    tags: { ...(asObject(desired['tags']) ?? {}), [TAG_PLACEMENT]: placed },
  };
}

/**
 * For a VM that exists: what ARM only accepts at creation keeps its actual value. An existing node
 * keeps its key and disk, new nodes get the new ones. Everything else (size, tags, NICs,
 * diagnostics) is compared and updated as usual.
 */
function normalize(planned: JsonObject, actual: JsonObject, ref: ResourceRef): JsonObject {
  const desired = keepPlacement(planned, actual);
  assertSameZone(desired, actual, ref);
  const out: JsonObject = { ...desired };
  const osProfile = asObject(actual['osProfile']);
  if (osProfile) out['osProfile'] = osProfile;
  else delete out['osProfile'];
  const desiredStorage = asObject(desired['storageProfile']);
  const actualStorage = asObject(actual['storageProfile']);
  if (desiredStorage) {
    const storage: JsonObject = { ...desiredStorage };
    for (const key of ['osDisk', 'imageReference']) {
      const kept = actualStorage?.[key];
      if (kept !== undefined) storage[key] = kept;
      else delete storage[key];
    }
    out['storageProfile'] = storage;
  }
  return out;
}

export const virtualMachines = topLevelType<VirtualMachine>(
  ResourceTypes.virtualMachine,
  (arm) => arm.clientOf(computeSdk).virtualMachines,
  { normalize, secretFields: ['adminPassword', 'customData', 'userData'] },
  restoreComputePoller,
);

/**
 * A Flexible-orchestration virtual machine scale set (a worker pool's nodes in one zone, see
 * cluster/plan/scaleSets.ts). `sku.capacity` is how many member VMs it keeps: a PUT that raises it
 * creates members from `virtualMachineProfile`, so the compare writes only when the capacity or the
 * profile differs. Its zones, orchestration mode and fault domain count are fixed at creation; the
 * profile's custom data is a secret ARM never returns.
 */
import type { VirtualMachineScaleSet } from '@azure/arm-compute';

import type { Json, JsonObject } from '../../../cluster/plan/types';
import { ResourceTypes } from '../../../cluster/plan/types';
import { TerminalError } from '../../errors';
import type { ResourceRef } from '../../resourceId';
import { nameAt, topLevelType } from '../resourceType';
import { computeSdk, restoreComputePoller } from './sdk';

function zonesOf(model: JsonObject): string {
  const zones = model['zones'];
  return Array.isArray(zones)
    ? zones
        .map((z: Json) => (typeof z === 'string' ? z : JSON.stringify(z)))
        .sort()
        .join(',')
    : '';
}

/** A set cannot change zones (ARM: PropertyChangeNotAllowed): say so instead of sending a doomed PUT. */
function normalize(desired: JsonObject, actual: JsonObject, ref: ResourceRef): JsonObject {
  const want = zonesOf(desired);
  const have = zonesOf(actual);
  if (want !== have) {
    throw new TerminalError(
      'ScaleSetZoneChange',
      `scale set "${nameAt(ref, 0)}" is in zone(s) "${have}" but the plan puts it in "${want}"; a scale set cannot change zones`,
      ref.id,
    );
  }
  return desired;
}

export const virtualMachineScaleSets = topLevelType<VirtualMachineScaleSet>(
  ResourceTypes.virtualMachineScaleSet,
  (arm) => arm.clientOf(computeSdk).virtualMachineScaleSets,
  { normalize, secretFields: ['adminPassword', 'customData', 'userData'] },
  restoreComputePoller,
);

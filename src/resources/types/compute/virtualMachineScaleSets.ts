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
import { isNotFound } from '../../reconcile';
import type { ResourceRef } from '../../resourceId';
import {
  type LroOptions,
  type LroStart,
  nameAt,
  type ResourceTypeModule,
  startOperation,
  topLevelType,
} from '../resourceType';
import type { ArmConnection } from '../sdkNamespace';
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

const base = topLevelType<VirtualMachineScaleSet>(
  ResourceTypes.virtualMachineScaleSet,
  (arm) => arm.clientOf(computeSdk).virtualMachineScaleSets,
  { normalize, secretFields: ['adminPassword', 'customData', 'userData'] },
  restoreComputePoller,
);

function capacityOf(model: JsonObject | VirtualMachineScaleSet): number | undefined {
  const sku = (model as { sku?: unknown }).sku;
  const capacity =
    typeof sku === 'object' && sku !== null ? (sku as { capacity?: unknown }).capacity : undefined;
  return typeof capacity === 'number' ? capacity : undefined;
}

/**
 * The members to remove when the set shrinks by `count`: `Failed` ones first, then the newest (a
 * capacity PATCH would let Azure pick; the app picks and deletes those VMs by name).
 */
async function chooseVictims(
  arm: ArmConnection,
  ref: ResourceRef,
  setId: string,
  count: number,
): Promise<string[]> {
  const members: { name: string; failed: boolean; created: number }[] = [];
  for await (const vm of arm.clientOf(computeSdk).virtualMachines.list(ref.resourceGroup)) {
    if (vm.name === undefined || vm.virtualMachineScaleSet?.id?.toLowerCase() !== setId.toLowerCase())
      continue;
    if (vm.provisioningState === 'Deleting') continue;
    members.push({
      name: vm.name,
      failed: vm.provisioningState === 'Failed',
      created: vm.timeCreated?.getTime() ?? 0,
    });
  }
  members.sort(
    (a, b) => Number(b.failed) - Number(a.failed) || b.created - a.created || b.name.localeCompare(a.name),
  );
  return members.slice(0, count).map((m) => m.name);
}

/**
 * Shrinking is per node: when the set exists with more members than planned, the chosen members are
 * deleted (`POST …/delete` with their names; each one's VM goes with its NIC and the capacity drops by
 * one each) instead of PUTting a lower capacity. A later compare finds the capacity as planned.
 */
async function beginCreateOrUpdate(
  arm: ArmConnection,
  ref: ResourceRef,
  body: JsonObject,
  lro: LroOptions,
): Promise<LroStart> {
  const sets = arm.clientOf(computeSdk).virtualMachineScaleSets;
  const want = capacityOf(body);
  let actual: VirtualMachineScaleSet | undefined;
  try {
    actual = await sets.get(ref.resourceGroup, nameAt(ref, 0));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const have = actual ? capacityOf(actual) : undefined;
  if (actual?.id !== undefined && want !== undefined && have !== undefined && have > want) {
    const victims = await chooseVictims(arm, ref, actual.id, have - want);
    if (victims.length > 0) {
      return startOperation(
        sets.deleteInstances(ref.resourceGroup, nameAt(ref, 0), { instanceIds: victims }, lro),
      );
    }
  }
  const async = base.async;
  if (!async) throw new Error('virtualMachineScaleSets has no start/poll split');
  return async.beginCreateOrUpdate(arm, ref, body, lro);
}

export const virtualMachineScaleSets: ResourceTypeModule = {
  ...base,
  ...(base.async ? { async: { ...base.async, beginCreateOrUpdate } } : {}),
};

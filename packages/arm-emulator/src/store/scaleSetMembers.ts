import { badRequest } from '../armError';
import { ArmTypes, keyOf, type ResourceAddress, resourceIdOf } from '../armTypes';
import { asArray, asObject, asString, type JsonObject } from '../json';
import {
  buildMember,
  capacityOf,
  liveMembers,
  type PlannedMember,
  scaleSetKeyOf,
  setCapacity,
} from '../providers/compute/virtualMachineScaleSets';
import { networkInterfaces } from '../providers/network/networkInterfaces';
import type { LroRecord, ResourceGroupRecord, ResourceRecord, WriteResult } from './records';
import { newEtag, resourceNotFound } from './rules';
import type { Failure, StoreCore } from './storeCore';

// The members of Flexible virtual machine scale sets (see virtualMachineScaleSets.ts): the VMs and
// NICs a set's writes create and delete, each with its own operation, and the set's operation
// ending with the slowest of them.

/** What a write of a Flexible scale set does to its members (see virtualMachineScaleSets.ts). */
export interface ScaleSetChange {
  creates: { member: PlannedMember; failure: Failure | undefined }[];
  deletes: ResourceRecord[];
}

/**
 * The member side of a delete in the same operation `op`: a Flexible scale set's members (and
 * their NICs), or a member VM's NICs and its set's capacity.
 */
export function markMemberDeletes(
  core: StoreCore,
  record: ResourceRecord,
  members: ResourceRecord[],
  op: LroRecord,
  instant: boolean,
): void {
  if (members.length > 0) {
    // Deleting a Flexible scale set deletes its members (and their NICs); it ends with the slowest.
    let end = op.startedAt;
    for (const member of members) {
      const draw = instant ? undefined : core.options.latency.draw(ArmTypes.vm, 'delete', member.id);
      if (draw) draw.operationId = op.id;
      end = Math.max(end, op.startedAt + (draw?.durationMs ?? 0));
      for (const r of [member, ...memberNics(core, member)]) {
        r.pendingOp = op.id;
        r.provisioningState = 'Deleting';
      }
    }
    op.completesAt = end;
  }
  const setKey = record.type === ArmTypes.vm ? scaleSetKeyOf(record) : undefined;
  if (setKey !== undefined) {
    // A member deleted on its own: its NICs go with it and its set keeps one node fewer.
    for (const nic of memberNics(core, record)) {
      nic.pendingOp = op.id;
      nic.provisioningState = 'Deleting';
    }
    const set = core.state.records.get(setKey);
    if (set) {
      setCapacity(set, Math.max(0, capacityOf(set) - 1));
      set.etag = newEtag();
    }
  }
}

/** After a scale set's own write is stored: its members' creates and deletes start. */
export function startScaleSetWrite(
  core: StoreCore,
  set: ResourceRecord,
  requestBody: JsonObject,
  setOp: LroRecord,
  change: ScaleSetChange,
  group: ResourceGroupRecord,
  location: string,
  instant: boolean,
): void {
  const setCustomData = asString(
    asObject(asObject(asObject(requestBody.properties)?.virtualMachineProfile)?.osProfile)?.customData,
  );
  if (setCustomData !== undefined) core.customData.set(set.key, setCustomData);
  startScaleSetChange(core, set, setOp, change, group, location, instant);
}

/**
 * `POST …/virtualMachineScaleSets/{name}/delete` with `{ instanceIds }`: deletes those members of a
 * Flexible scale set (VM names, or ids) and lowers its capacity by as many; an operation on the
 * set that ends with the slowest member's delete.
 */
export function deleteScaleSetInstances(
  core: StoreCore,
  address: ResourceAddress,
  input: unknown,
): WriteResult {
  core.settle();
  const group = core.requireGroup(address.subscriptionId, address.resourceGroup);
  const set = core.state.records.get(keyOf(resourceIdOf(address)));
  if (!set || set.type !== ArmTypes.vmss) throw resourceNotFound(address);
  core.checkNotBusy(set, undefined, set.type, set.id);
  const ids = asArray(asObject(input)?.instanceIds);
  if (ids.length === 0 || ids.some((i) => typeof i !== 'string' || i === '')) {
    throw badRequest(
      'InvalidParameter',
      `Required parameter 'instanceIds' is missing or invalid: a list of the names of the scale set's virtual machines to delete.`,
    );
  }
  const byName = new Map(liveMembers(core.state, set).map((m) => [m.name.toLowerCase(), m]));
  const victims = new Map<string, ResourceRecord>();
  for (const raw of ids as string[]) {
    const name = raw.split('/').pop()?.toLowerCase() ?? '';
    const member = byName.get(name);
    if (!member) {
      throw badRequest(
        'InvalidParameter',
        `The instance id '${raw}' is not a virtual machine of scale set '${set.name}' (or it is already being deleted).`,
      );
    }
    victims.set(member.key, member);
  }
  const location = core.state.recordLocation(set);
  const op = core.startOperation('write', set.key, set.id, set.type, group, location, undefined, true);
  set.pendingOp = op.id;
  set.provisioningState = 'Updating';
  set.etag = newEtag();
  setCapacity(set, Math.max(0, capacityOf(set) - victims.size));
  let end = op.startedAt;
  for (const member of victims.values()) {
    end = Math.max(end, startMemberDelete(core, member, group, location, false).completesAt);
  }
  op.completesAt = end;
  core.scheduleCompletion(op);
  return { status: 202, body: {}, operation: op };
}

/** Members to create (zones balanced) or delete (from the fullest zone, newest first). */
export function planScaleSet(
  core: StoreCore,
  set: ResourceRecord,
  existing: ResourceRecord | undefined,
  location: string,
): ScaleSetChange {
  const live = existing ? liveMembers(core.state, existing) : [];
  const target = capacityOf(set);
  const zones = asArray(set.body.zones).map(String);
  const zoneOf = (vm: ResourceRecord): string => asString(asArray(vm.body.zones)[0]) ?? '';
  const perZone = new Map<string, ResourceRecord[]>(zones.map((z) => [z, []]));
  for (const m of live) perZone.get(zoneOf(m))?.push(m);
  const change: ScaleSetChange = { creates: [], deletes: [] };
  if (target > live.length) {
    let ordinal = typeof set.derived.nextMember === 'number' ? set.derived.nextMember : 0;
    const stored: string[] = [];
    try {
      for (let i = live.length; i < target; i++) {
        let zone: string | undefined;
        for (const z of zones) {
          if (zone === undefined || (perZone.get(z)?.length ?? 0) < (perZone.get(zone)?.length ?? 0))
            zone = z;
        }
        const member = buildMember(set, ordinal++, zone, location, () => core.state.nextSeq());
        if (zone !== undefined) perZone.get(zone)?.push(member.vm);
        const allocation = core.options.allocation?.check(member.vm, undefined, location);
        if (allocation?.kind === 'sync') throw allocation.error;
        // NICs are stored now so that each one's private address sees the ones before it.
        for (const nic of member.nics) {
          networkInterfaces.prepare?.(core.state, nic, undefined, undefined, location);
          nic.etag = newEtag();
          core.state.setRecord(nic);
          stored.push(nic.key);
        }
        change.creates.push({
          member,
          failure: allocation?.kind === 'lro' ? allocation.failure : undefined,
        });
      }
    } catch (err) {
      for (const k of stored) core.state.removeRecord(k);
      throw err;
    }
    set.derived.nextMember = ordinal;
  } else if (target < live.length) {
    const buckets = zones.length > 0 ? [...perZone.values()] : [live];
    for (let i = target; i < live.length; i++) {
      const fullest = buckets.reduce((a, b) => (b.length > a.length ? b : a));
      const victim = fullest.pop();
      if (victim) change.deletes.push(victim);
    }
  }
  return change;
}

/** Starts the members' operations; the set's operation ends with the slowest of them. */
function startScaleSetChange(
  core: StoreCore,
  set: ResourceRecord,
  setOp: LroRecord,
  change: ScaleSetChange,
  group: ResourceGroupRecord,
  location: string,
  instant: boolean,
): void {
  const customData = core.customData.get(set.key);
  let end = setOp.startedAt;
  let failure: Failure | undefined;
  for (const { member, failure: memberFailure } of change.creates) {
    // A member's NIC is created first, then its VM: the VM's operation takes both draws.
    let nicMs = 0;
    for (const nic of member.nics) {
      const nicOp = core.startOperation(
        'write',
        nic.key,
        nic.id,
        nic.type,
        group,
        location,
        undefined,
        instant,
      );
      nic.pendingOp = nicOp.id;
      nicMs = Math.max(nicMs, nicOp.completesAt - nicOp.startedAt);
      core.scheduleCompletion(nicOp);
    }
    const vm = member.vm;
    const vmOp = core.startOperation(
      'write',
      vm.key,
      vm.id,
      vm.type,
      group,
      location,
      memberFailure,
      instant,
    );
    vmOp.completesAt += nicMs;
    vm.etag = newEtag();
    vm.pendingOp = vmOp.id;
    core.state.setRecord(vm);
    if (customData !== undefined) core.customData.set(vm.key, customData);
    end = Math.max(end, vmOp.completesAt);
    failure ??= memberFailure;
    core.scheduleCompletion(vmOp);
  }
  for (const victim of change.deletes) {
    end = Math.max(end, startMemberDelete(core, victim, group, location, instant).completesAt);
  }
  setOp.completesAt = Math.max(setOp.completesAt, end);
  if (failure && !setOp.failure) setOp.failure = failure;
}

/** Deletes one member VM and the NICs its set made for it, in one operation of the VM. */
function startMemberDelete(
  core: StoreCore,
  vm: ResourceRecord,
  group: ResourceGroupRecord,
  location: string,
  instant: boolean,
): LroRecord {
  const op = core.startOperation('delete', vm.key, vm.id, vm.type, group, location, undefined, instant);
  for (const r of [vm, ...memberNics(core, vm)]) {
    r.pendingOp = op.id;
    r.provisioningState = 'Deleting';
  }
  core.scheduleCompletion(op);
  return op;
}

/** The NICs a scale set created for member `vm` (deleteOption Delete): they go with it. */
function memberNics(core: StoreCore, vm: ResourceRecord): ResourceRecord[] {
  return asArray(asObject(asObject(vm.body.properties)?.networkProfile)?.networkInterfaces)
    .map(asObject)
    .filter((n) => asString(asObject(n?.properties)?.deleteOption)?.toLowerCase() === 'delete')
    .map((n) => core.state.records.get(keyOf(asString(n?.id) ?? '')))
    .filter(
      (nic): nic is ResourceRecord => nic !== undefined && asString(nic.derived.scaleSetMember) === vm.id,
    );
}

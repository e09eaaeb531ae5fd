import { randomUUID } from 'node:crypto';

import { badRequest } from '../../armError';
import { ArmTypes } from '../../armTypes';
import { asArray, asObject, asString, refId } from '../../json';
import { vcpusOfVmSize } from '../../vmSizes';
import type { Reference, ResourceProvider } from '../provider';
import { checkZones, requireRef, vcpusOrThrow } from '../shared';
import { keepVmCreationSettings } from './vmCreationSettings';

export const virtualMachines: ResourceProvider = {
  type: ArmTypes.vm,
  latencyMs: { write: 60_000, delete: 45_000 },
  readOnly: ['vmId', 'timeCreated', 'instanceView'],
  poll: { write: 'location', delete: 'location' },
  stripReadOnly(props) {
    // ARM never returns secrets (and the state file must not hold them).
    const os = asObject(props.osProfile);
    if (os) {
      delete os.adminPassword;
      delete os.customData;
    }
  },
  references(record) {
    const props = asObject(record.body.properties);
    const refs: Reference[] = asArray(asObject(props?.networkProfile)?.networkInterfaces)
      .map(refId)
      .filter((id): id is string => id !== undefined)
      .map((target) => ({ target, kind: 'networkInterface', via: record.id }));
    // A member of a Flexible scale set points at its set (which finds its members through this).
    const scaleSet = refId(props?.virtualMachineScaleSet);
    if (scaleSet !== undefined)
      refs.push({ target: scaleSet, kind: 'virtualMachineScaleSet', via: record.id });
    return refs;
  },
  vcpus(record) {
    return (
      vcpusOfVmSize(asString(asObject(asObject(record.body.properties)?.hardwareProfile)?.vmSize) ?? '') ?? 0
    );
  },
  prepare(ctx, record, existing, _parent, location) {
    if (existing) keepVmCreationSettings(record.body, existing.body);
    const props = asObject(record.body.properties) ?? {};
    const zones = checkZones(record.body.zones, location, `virtual machine ${record.name}`);
    if (zones.length > 1) {
      throw badRequest(
        'InvalidParameter',
        `Virtual machine ${record.name} can be placed in at most one zone; got '${zones.join(',')}'.`,
      );
    }
    const vcpus = vcpusOrThrow(
      asString(asObject(props.hardwareProfile)?.vmSize),
      `virtual machine ${record.name}`,
    );
    const nics = asArray(asObject(props.networkProfile)?.networkInterfaces);
    if (nics.length === 0) {
      throw badRequest(
        'InvalidParameter',
        `Virtual machine ${record.name} needs at least one network interface in properties.networkProfile.networkInterfaces.`,
      );
    }
    for (const n of nics) {
      const nic = requireRef(ctx, refId(n), ArmTypes.nic, record.id, location);
      const owner = ctx
        .referrers(nic.key)
        .find((u) => u.from.type === ArmTypes.vm && u.from.key !== record.key);
      if (owner)
        throw badRequest('NicInUse', `Network Interface ${nic.id} is used by existing VM ${owner.from.id}.`);
    }
    const scaleSet = refId(props.virtualMachineScaleSet);
    if (scaleSet !== undefined) requireRef(ctx, scaleSet, ArmTypes.vmss, record.id, location);
    ctx.checkQuota(record.subscriptionId, location, vcpus, (r) => r.key === record.key);
    if (!record.derived.vmId) record.derived.vmId = randomUUID();
    if (!record.derived.timeCreated) record.derived.timeCreated = new Date().toISOString();
    return undefined;
  },
  render(_ctx, record, _body, props) {
    const vmId = asString(record.derived.vmId);
    if (vmId !== undefined) props.vmId = vmId;
    const created = asString(record.derived.timeCreated);
    if (created !== undefined) props.timeCreated = created;
  },
};

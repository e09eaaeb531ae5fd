import { createHash, randomUUID } from 'node:crypto';

import { badRequest, propertyChangeNotAllowed } from '../../armError';
import { ArmTypes, keyOf } from '../../armTypes';
import { asArray, asNumber, asObject, asString, clone, type JsonObject, refId } from '../../json';
import type { ResourceRecord } from '../../store/records';
import type { ProviderContext, ResourceProvider } from '../provider';
import { checkZones, entriesOf, requireRef, vcpusOrThrow } from '../shared';

/*
 * Virtual machine scale sets in Flexible orchestration mode. A Flexible set is a group of plain
 * virtual machines: each member is a `Microsoft.Compute/virtualMachines` resource of its own (named
 * `<set>_<8 hex>`, with `properties.virtualMachineScaleSet.id`) with its own network interface
 * (`<vm>-<nic config>`) in the subnet the profile names, created from the set's
 * `virtualMachineProfile`. `sku.capacity` is how many members the set keeps: a PUT or PATCH that
 * raises it creates members, one that lowers it deletes members (zones balanced, newest first),
 * a DELETE of one member VM (or `POST …/delete` with `instanceIds`) removes that node and lowers the
 * capacity by one. The set's operation ends when its slowest member does; a member that cannot be
 * allocated fails the set's operation with its code (the member stays, `Failed`).
 *
 * The store (store/scaleSetMembers.ts) creates and deletes the members, each with its own operation and latency
 * draw; this module validates the set and builds the members' bodies.
 */

/** The most VMs a Flexible scale set holds (Azure: 1,000). */
export const MAX_FLEX_CAPACITY = 1000;

function profileOf(record: ResourceRecord): JsonObject | undefined {
  return asObject(asObject(record.body.properties)?.virtualMachineProfile);
}

export function capacityOf(record: ResourceRecord): number {
  return asNumber(asObject(record.body.sku)?.capacity) ?? 0;
}

export function setCapacity(record: ResourceRecord, capacity: number): void {
  const sku = asObject(record.body.sku) ?? (record.body.sku = {});
  sku.capacity = capacity;
}

/** The set a VM belongs to (lower-case key), when it was created by a Flexible scale set. */
export function scaleSetKeyOf(vm: ResourceRecord): string | undefined {
  const id = refId(asObject(vm.body.properties)?.virtualMachineScaleSet);
  return id !== undefined ? keyOf(id) : undefined;
}

/** The set's member VMs that are not being deleted, oldest first. */
export function liveMembers(ctx: ProviderContext, set: ResourceRecord): ResourceRecord[] {
  const seen = new Map<string, ResourceRecord>();
  for (const ref of ctx.referrers(set.key)) {
    if (
      ref.from.type === ArmTypes.vm &&
      ref.kind === 'virtualMachineScaleSet' &&
      ref.from.provisioningState !== 'Deleting'
    ) {
      seen.set(ref.from.key, ref.from);
    }
  }
  return [...seen.values()].sort((a, b) => a.seq - b.seq);
}

function fixedAtCreation(body: JsonObject, before: JsonObject): void {
  const props = asObject(body.properties) ?? (body.properties = {});
  const oldProps = asObject(before.properties) ?? {};
  const oldZones = asArray(before.zones).map(String).sort().join(',');
  if (body.zones === undefined) {
    if (before.zones !== undefined) body.zones = clone(before.zones);
  } else if (asArray(body.zones).map(String).sort().join(',') !== oldZones) {
    throw propertyChangeNotAllowed('zones');
  }
  for (const key of ['orchestrationMode', 'platformFaultDomainCount']) {
    if (props[key] === undefined) {
      if (oldProps[key] !== undefined) props[key] = clone(oldProps[key]);
    } else if (
      JSON.stringify(props[key]).toLowerCase() !== JSON.stringify(oldProps[key] ?? null).toLowerCase()
    ) {
      throw propertyChangeNotAllowed(key);
    }
  }
  if (props.virtualMachineProfile === undefined && oldProps.virtualMachineProfile !== undefined) {
    props.virtualMachineProfile = clone(oldProps.virtualMachineProfile);
  }
  const sku = asObject(body.sku);
  const oldSku = asObject(before.sku);
  if (!sku) {
    if (oldSku) body.sku = clone(oldSku);
  } else if (oldSku && sku.name === undefined && oldSku.name !== undefined) {
    sku.name = oldSku.name;
  }
}

/** Checks the profile the members are built from; throws naming the field. */
function checkProfile(ctx: ProviderContext, record: ResourceRecord, location: string): void {
  const profile = profileOf(record);
  const what = `virtual machine scale set ${record.name}`;
  if (!profile) {
    throw badRequest(
      'InvalidParameter',
      `Required parameter 'virtualMachineProfile' is missing (null): ${what} has a capacity above 0.`,
    );
  }
  const os = asObject(profile.osProfile);
  if (asString(os?.adminUsername) === undefined) {
    throw badRequest(
      'InvalidParameter',
      `Required parameter 'virtualMachineProfile.osProfile.adminUsername' is missing (null) in ${what}.`,
    );
  }
  const network = asObject(profile.networkProfile);
  if (asString(network?.networkApiVersion) === undefined) {
    throw badRequest(
      'InvalidParameter',
      `Required parameter 'virtualMachineProfile.networkProfile.networkApiVersion' is missing (null): a scale set in Flexible orchestration mode creates its network interfaces through the Network API version it names (e.g. '2020-11-01').`,
    );
  }
  const configs = entriesOf(network, 'networkInterfaceConfigurations');
  if (configs.length === 0) {
    throw badRequest(
      'InvalidParameter',
      `Required parameter 'virtualMachineProfile.networkProfile.networkInterfaceConfigurations' is missing (null) in ${what}.`,
    );
  }
  for (const cfg of configs) {
    const name = asString(cfg.name);
    if (name === undefined) {
      throw badRequest('InvalidParameter', `Every networkInterfaceConfiguration of ${what} needs a name.`);
    }
    const ipConfigs = entriesOf(asObject(cfg.properties), 'ipConfigurations');
    if (ipConfigs.length === 0) {
      throw badRequest(
        'InvalidParameter',
        `networkInterfaceConfiguration '${name}' of ${what} needs at least one entry in ipConfigurations.`,
      );
    }
    for (const ip of ipConfigs) {
      const ipProps = asObject(ip.properties);
      requireRef(ctx, refId(ipProps?.subnet), ArmTypes.subnet, record.id, location);
      if (ipProps?.publicIPAddressConfiguration !== undefined) {
        // Emulator limitation: members with a public IP address of their own are not modelled.
        throw badRequest(
          'InvalidParameter',
          `ipConfiguration '${asString(ip.name) ?? ''}' of ${what}: publicIPAddressConfiguration is not served by this emulator (members get private addresses only).`,
        );
      }
    }
  }
}

export const virtualMachineScaleSets: ResourceProvider = {
  type: ArmTypes.vmss,
  // The set's own operation takes as long as its slowest member (see store/scaleSetMembers.ts); this is what an
  // empty set's write or delete takes.
  latencyMs: { write: 5_000, delete: 5_000 },
  readOnly: ['uniqueId', 'timeCreated'],
  stripReadOnly(props) {
    // ARM never returns secrets (and the state file must not hold them).
    const os = asObject(asObject(props.virtualMachineProfile)?.osProfile);
    if (os) {
      delete os.adminPassword;
      delete os.customData;
    }
  },
  prepare(ctx, record, existing, _parent, location) {
    if (existing) fixedAtCreation(record.body, existing.body);
    const props = asObject(record.body.properties) ?? {};
    const what = `virtual machine scale set ${record.name}`;
    const mode = asString(props.orchestrationMode);
    if (mode?.toLowerCase() !== 'flexible') {
      // Emulator limitation: Uniform orchestration (instances behind the scale set VM API) is not served.
      throw badRequest(
        'InvalidParameter',
        `The value '${mode ?? ''}' of properties.orchestrationMode of ${what} is not served by this emulator: only 'Flexible' scale sets are.`,
      );
    }
    const faultDomains = props.platformFaultDomainCount;
    if (typeof faultDomains !== 'number' || !Number.isInteger(faultDomains) || faultDomains < 1) {
      throw badRequest(
        'InvalidParameter',
        `Required parameter 'platformFaultDomainCount' is missing or invalid (${JSON.stringify(faultDomains ?? null)}) in ${what}: Flexible orchestration needs it (1 spreads members across fault domains on a best-effort basis).`,
      );
    }
    const zones = checkZones(record.body.zones, location, what);
    if (zones.length > 0 && faultDomains !== 1) {
      throw badRequest(
        'InvalidParameter',
        `A zonal scale set in Flexible orchestration mode takes platformFaultDomainCount 1; ${what} asks for ${faultDomains}.`,
      );
    }
    const sku = asObject(record.body.sku);
    const capacity = sku?.capacity ?? 0;
    if (
      typeof capacity !== 'number' ||
      !Number.isInteger(capacity) ||
      capacity < 0 ||
      capacity > MAX_FLEX_CAPACITY
    ) {
      throw badRequest(
        'InvalidParameter',
        `The value ${JSON.stringify(capacity)} of sku.capacity of ${what} must be an integer from 0 to ${MAX_FLEX_CAPACITY}.`,
      );
    }
    if (capacity > 0) {
      const vcpus = vcpusOrThrow(asString(sku?.name), what);
      checkProfile(ctx, record, location);
      const live = existing ? liveMembers(ctx, existing).length : 0;
      if (capacity > live)
        ctx.checkQuota(record.subscriptionId, location, (capacity - live) * vcpus, () => false);
    }
    if (!record.derived.uniqueId) record.derived.uniqueId = randomUUID();
    if (!record.derived.timeCreated) record.derived.timeCreated = new Date().toISOString();
    return undefined;
  },
  render(_ctx, record, _body, props) {
    const uniqueId = asString(record.derived.uniqueId);
    if (uniqueId !== undefined) props.uniqueId = uniqueId;
    const created = asString(record.derived.timeCreated);
    if (created !== undefined) props.timeCreated = created;
  },
};

function memberDigest(setId: string, ordinal: number): string {
  return createHash('sha256')
    .update(`${keyOf(setId)}|${ordinal}`)
    .digest('hex');
}

/**
 * The name the emulator gives the `ordinal`-th member (0, 1, …) of the scale set `setId`:
 * `<set>_<8 hex>`. A bench can give single VMs the same names, so both ways draw the same latencies.
 */
export function flexMemberName(setId: string, ordinal: number): string {
  const setName = setId.replace(/\/+$/, '').split('/').pop() ?? '';
  return `${setName}_${memberDigest(setId, ordinal).slice(0, 8)}`;
}

/** A member to create: its VM record and its network interfaces' records (not yet stored). */
export interface PlannedMember {
  vm: ResourceRecord;
  nics: ResourceRecord[];
}

/**
 * The `ordinal`-th member of `set` (0, 1, …): name `<set>_<8 hex>` and computer name
 * `<computerNamePrefix><6 characters>`, both from a hash of the set id and the ordinal, so a replay
 * with the same seed names (and so draws) every member the same way. On Azure the suffix is random.
 */
export function buildMember(
  set: ResourceRecord,
  ordinal: number,
  zone: string | undefined,
  location: string,
  nextSeq: () => number,
): PlannedMember {
  const digest = memberDigest(set.id, ordinal);
  const vmName = `${set.name}_${digest.slice(0, 8)}`;
  const prefix = `/subscriptions/${set.subscriptionId}/resourceGroups/${set.resourceGroup}/providers`;
  const vmId = `${prefix}/Microsoft.Compute/virtualMachines/${vmName}`;
  const profile = profileOf(set) ?? {};
  const network = asObject(profile.networkProfile);
  const tags: JsonObject = set.body.tags !== undefined ? { tags: clone(set.body.tags) } : {};
  const nics: ResourceRecord[] = entriesOf(network, 'networkInterfaceConfigurations').map((cfg) => {
    const cfgProps = asObject(cfg.properties) ?? {};
    const name = `${vmName}-${asString(cfg.name) ?? 'nic'}`;
    const id = `${prefix}/Microsoft.Network/networkInterfaces/${name}`;
    const nicProps: JsonObject = {
      ipConfigurations: entriesOf(cfgProps, 'ipConfigurations').map((ip) => {
        const ipProps = asObject(ip.properties) ?? {};
        return {
          name: asString(ip.name) ?? 'ipconfig',
          properties: {
            subnet: { id: refId(ipProps.subnet) ?? '' },
            primary: ipProps.primary ?? true,
            privateIPAllocationMethod: 'Dynamic',
          },
        };
      }),
      primary: cfgProps.primary ?? true,
    };
    if (cfgProps.enableAcceleratedNetworking !== undefined) {
      nicProps.enableAcceleratedNetworking = cfgProps.enableAcceleratedNetworking;
    }
    if (cfgProps.networkSecurityGroup !== undefined) {
      nicProps.networkSecurityGroup = clone(cfgProps.networkSecurityGroup);
    }
    return {
      seq: nextSeq(),
      id,
      key: keyOf(id),
      type: ArmTypes.nic,
      subscriptionId: set.subscriptionId,
      resourceGroup: set.resourceGroup,
      name,
      body: { location, ...tags, properties: nicProps },
      provisioningState: 'Creating',
      etag: '',
      derived: { scaleSetMember: vmId },
    };
  });
  const os = clone(asObject(profile.osProfile) ?? {});
  const computerNamePrefix = asString(os.computerNamePrefix) ?? set.name.slice(0, 9);
  delete os.computerNamePrefix;
  delete os.customData;
  delete os.adminPassword;
  os.computerName = `${computerNamePrefix}${BigInt(`0x${digest.slice(8, 20)}`)
    .toString(36)
    .slice(0, 6)
    .toUpperCase()}`;
  const vmProps: JsonObject = {
    hardwareProfile: { vmSize: asString(asObject(set.body.sku)?.name) ?? '' },
    osProfile: os,
    storageProfile: clone(asObject(profile.storageProfile) ?? {}),
    networkProfile: {
      networkInterfaces: nics.map((nic, i) => ({
        id: nic.id,
        properties: {
          primary: i === 0,
          deleteOption:
            asString(
              asObject(entriesOf(network, 'networkInterfaceConfigurations')[i]?.properties)?.deleteOption,
            ) ?? 'Delete',
        },
      })),
    },
    virtualMachineScaleSet: { id: set.id },
  };
  const vm: ResourceRecord = {
    seq: nextSeq(),
    id: vmId,
    key: keyOf(vmId),
    type: ArmTypes.vm,
    subscriptionId: set.subscriptionId,
    resourceGroup: set.resourceGroup,
    name: vmName,
    body: {
      location,
      ...(zone !== undefined ? { zones: [zone] } : {}),
      ...tags,
      properties: vmProps,
    },
    provisioningState: 'Creating',
    etag: '',
    derived: { vmId: randomUUID(), timeCreated: new Date().toISOString() },
  };
  return { vm, nics };
}

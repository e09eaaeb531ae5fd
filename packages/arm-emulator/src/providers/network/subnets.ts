import { badRequest } from '../../armError';
import { ArmTypes } from '../../armTypes';
import { contains, formatIpv4, type Ipv4Range, overlaps } from '../../ipv4';
import { asArray, asObject, asString, type JsonObject, refId } from '../../json';
import type { ResourceRecord } from '../../store/records';
import type { ProviderContext, Reference, ResourceProvider } from '../provider';
import { parseCidrOrThrow, requireRef } from '../shared';
import { allocatedIps, subnetPrefixes } from './ipAllocation';

export const SUBNET_READ_ONLY = [
  'ipConfigurations',
  'ipConfigurationProfiles',
  'privateEndpoints',
  'purpose',
];

/** A subnet's own rules, shared by subnet PUTs and the subnets inside a VNet body. */
export function validateSubnet(
  ctx: ProviderContext,
  name: string,
  subnetId: string,
  props: JsonObject | undefined,
  vnetName: string,
  vnetRanges: Ipv4Range[],
  siblings: { name: string; ranges: Ipv4Range[] }[],
  location: string,
): Ipv4Range[] {
  const prefixes = subnetPrefixes(props);
  if (prefixes.length === 0) {
    throw badRequest(
      'InvalidRequestFormat',
      `Subnet '${name}' needs properties.addressPrefix (or addressPrefixes).`,
    );
  }
  const ranges = prefixes.map((p) => parseCidrOrThrow(p, `subnet ${name}`));
  for (const range of ranges) {
    if (!vnetRanges.some((v) => contains(v, range))) {
      throw badRequest(
        'NetcfgSubnetRangeOutsideVnet',
        `Subnet '${name}' is not valid because its IP address range is outside the IP address range of virtual network '${vnetName}'.`,
      );
    }
    const clash = siblings.find(
      (s) => s.name.toLowerCase() !== name.toLowerCase() && s.ranges.some((r) => overlaps(r, range)),
    );
    if (clash) {
      throw badRequest(
        'NetcfgSubnetRangesOverlap',
        `Subnet '${name}' is not valid because its IP address range overlaps with that of an existing subnet '${clash.name}' in virtual network '${vnetName}'.`,
      );
    }
  }
  const nsg = refId(props?.networkSecurityGroup);
  if (nsg !== undefined) requireRef(ctx, nsg, ArmTypes.nsg, subnetId, location);
  const nat = refId(props?.natGateway);
  if (nat !== undefined) requireRef(ctx, nat, ArmTypes.natGateway, subnetId, location);
  return ranges;
}

/** Addresses already handed out in a subnet stay inside it when its prefix changes. */
export function checkSubnetUpdate(ctx: ProviderContext, subnet: ResourceRecord, ranges: Ipv4Range[]): void {
  for (const ip of allocatedIps(ctx, subnet.key, undefined)) {
    if (!ranges.some((r) => ip >= r.first && ip <= r.last)) {
      throw badRequest(
        'InUseSubnetCannotBeUpdated',
        `Subnet ${subnet.name} is in use and its address prefix cannot be changed to exclude allocated address ${formatIpv4(ip)}.`,
      );
    }
  }
}

export const subnets: ResourceProvider = {
  type: ArmTypes.subnet,
  latencyMs: { write: 3_000, delete: 3_000 },
  readOnly: SUBNET_READ_ONLY,
  patch: 'sync',
  references(record) {
    const props = asObject(record.body.properties);
    const refs: Reference[] = [];
    for (const kind of ['networkSecurityGroup', 'natGateway']) {
      const target = refId(props?.[kind]);
      if (target !== undefined) refs.push({ target, kind, via: record.id });
    }
    return refs;
  },
  inUse: {
    code: 'InUseSubnetCannotBeDeleted',
    message: (record, users) =>
      `Subnet ${record.name} is in use by ${users[0]?.via ?? ''} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet.`,
  },
  prepare(ctx, record, existing, vnet, location) {
    if (!vnet) throw new Error(`subnet ${record.id} has no parent`);
    const vnetProps = asObject(vnet.body.properties);
    const vnetRanges = asArray(asObject(vnetProps?.addressSpace)?.addressPrefixes)
      .map(asString)
      .filter((p): p is string => p !== undefined)
      .map((p) => parseCidrOrThrow(p, `virtual network ${vnet.name}`));
    const siblings = ctx
      .childrenOf(vnet)
      .filter((s) => s.key !== record.key)
      .map((s) => ({
        name: s.name,
        ranges: subnetPrefixes(asObject(s.body.properties)).map((p) =>
          parseCidrOrThrow(p, `subnet ${s.name}`),
        ),
      }));
    const ranges = validateSubnet(
      ctx,
      record.name,
      record.id,
      asObject(record.body.properties),
      vnet.name,
      vnetRanges,
      siblings,
      location,
    );
    if (existing) checkSubnetUpdate(ctx, existing, ranges);
    // The subnet PUT body is the subnet alone; keep its name so the VNet view can echo it.
    record.body = { name: record.name, ...record.body };
    return undefined;
  },
  render(ctx, record, _body, props) {
    const users = ctx
      .referrers(record.key)
      .filter(
        (r) => r.kind === 'subnet' && (r.from.type === ArmTypes.nic || r.from.type === ArmTypes.loadBalancer),
      );
    if (users.length > 0) props.ipConfigurations = users.map((u) => ({ id: u.via }));
  },
};

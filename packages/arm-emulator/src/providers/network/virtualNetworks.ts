import { badRequest } from '../../armError';
import { ArmTypes } from '../../armTypes';
import { contains, type Ipv4Range, overlaps } from '../../ipv4';
import { asArray, asObject, asString, type JsonObject } from '../../json';
import type { ResourceProvider } from '../provider';
import { ensureResourceGuid, entriesOf, parseCidrOrThrow, stripEntry } from '../shared';
import { subnetPrefixes } from './ipAllocation';
import { checkSubnetUpdate, SUBNET_READ_ONLY, validateSubnet } from './subnets';

/** A VNet; its subnets are child resources, written either on their own or inside the VNet body. */
export const virtualNetworks: ResourceProvider = {
  type: ArmTypes.vnet,
  latencyMs: { write: 4_000, delete: 3_000 },
  patch: 'sync',
  stripReadOnly(props) {
    for (const s of entriesOf(props, 'subnets')) stripEntry(s, SUBNET_READ_ONLY);
  },
  prepare(ctx, record, existing, _parent, location) {
    const props = asObject(record.body.properties) ?? {};
    const prefixes = asArray(asObject(props.addressSpace)?.addressPrefixes)
      .map(asString)
      .filter((p): p is string => p !== undefined);
    if (prefixes.length === 0) {
      throw badRequest(
        'InvalidAddressSpace',
        `Virtual network ${record.id} must have at least one address prefix in properties.addressSpace.addressPrefixes.`,
      );
    }
    const ranges = prefixes.map((p) => parseCidrOrThrow(p, `virtual network ${record.name}`));
    ranges.forEach((a, i) =>
      ranges.slice(i + 1).forEach((b) => {
        if (overlaps(a, b)) {
          throw badRequest(
            'VnetAddressSpacesOverlap',
            `Address prefixes ${a.cidr} and ${b.cidr} of virtual network ${record.name} overlap.`,
          );
        }
      }),
    );
    ensureResourceGuid(record);
    const current = existing ? ctx.childrenOf(existing) : [];

    if (!Array.isArray(props.subnets)) {
      // No subnets in the body: the VNet keeps the ones it has, which must still fit.
      for (const s of current) {
        for (const p of subnetPrefixes(asObject(s.body.properties))) {
          const range = parseCidrOrThrow(p, `subnet ${s.name}`);
          if (!ranges.some((r) => contains(r, range))) {
            throw badRequest(
              'NetcfgSubnetRangeOutsideVnet',
              `Subnet '${s.name}' is not valid because its IP address range is outside the IP address range of virtual network '${record.name}'.`,
            );
          }
        }
      }
      return undefined;
    }

    const desired: { name: string; body: JsonObject; ranges: Ipv4Range[] }[] = [];
    for (const entry of asArray(props.subnets)) {
      const subnet = asObject(entry);
      const name = asString(subnet?.name);
      if (!subnet || !name) {
        throw badRequest(
          'InvalidRequestFormat',
          `Every subnet of virtual network ${record.name} needs a name.`,
        );
      }
      if (desired.some((d) => d.name.toLowerCase() === name.toLowerCase())) {
        throw badRequest(
          'InvalidRequestFormat',
          `Subnet name '${name}' appears twice in virtual network ${record.name}.`,
        );
      }
      const subnetRanges = validateSubnet(
        ctx,
        name,
        `${record.id}/subnets/${name}`,
        asObject(subnet.properties),
        record.name,
        ranges,
        desired.map((d) => ({ name: d.name, ranges: d.ranges })),
        location,
      );
      desired.push({ name, body: subnet, ranges: subnetRanges });
    }
    const keep = new Set(desired.map((d) => `${record.key}/subnets/${d.name.toLowerCase()}`));
    const removed = current.filter((s) => !keep.has(s.key));
    for (const s of removed) ctx.checkDeletable(s);
    for (const d of desired) {
      const prior = current.find((s) => s.name.toLowerCase() === d.name.toLowerCase());
      if (prior) checkSubnetUpdate(ctx, prior, d.ranges);
    }
    return (op) => {
      for (const s of removed) ctx.removeRecord(s.key);
      for (const d of desired) ctx.writeChild(record, ArmTypes.subnet, 'subnets', d.name, d.body, op);
    };
  },
  render(ctx, record, _body, props) {
    const subnets = ctx.childrenOf(record);
    if (subnets.length > 0 || 'subnets' in props) props.subnets = subnets.map((s) => ctx.render(s));
  },
};

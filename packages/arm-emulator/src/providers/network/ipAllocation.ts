import { badRequest } from '../../armError';
import { ArmTypes } from '../../armTypes';
import { keyOf } from '../../armTypes';
import { formatIpv4, type Ipv4Range, isReserved, parseIpv4 } from '../../ipv4';
import { asArray, asObject, asString, type JsonObject, refId } from '../../json';
import type { ResourceRecord } from '../../store/records';
import type { ProviderContext } from '../provider';
import { parseCidrOrThrow } from '../shared';

export function subnetPrefixes(props: JsonObject | undefined): string[] {
  const single = asString(props?.addressPrefix);
  const many = asArray(props?.addressPrefixes)
    .map(asString)
    .filter((p): p is string => p !== undefined);
  return single !== undefined ? [single, ...many] : many;
}

/** Addresses in use in a subnet (NIC ipConfigurations, load balancer frontends), except `exceptKey`'s. */
export function allocatedIps(
  ctx: ProviderContext,
  subnetKey: string,
  exceptKey: string | undefined,
): Set<number> {
  const used = new Set<number>();
  const holders = new Map<string, ResourceRecord>();
  for (const ref of ctx.referrers(subnetKey)) {
    if (ref.kind === 'subnet' && ref.from.key !== exceptKey) holders.set(ref.from.key, ref.from);
  }
  for (const r of holders.values()) {
    if (r.type === ArmTypes.nic) {
      for (const value of Object.values(asObject(r.derived.privateIps) ?? {})) {
        const entry = asObject(value);
        if (asString(entry?.subnet) === subnetKey) used.add(parseIpv4(asString(entry?.ip) ?? '') ?? -1);
      }
    } else if (r.type === ArmTypes.loadBalancer) {
      for (const f of asArray(asObject(r.body.properties)?.frontendIPConfigurations)) {
        const fe = asObject(f);
        if (keyOf(refId(asObject(fe?.properties)?.subnet) ?? '') !== subnetKey) continue;
        const ip = asString(asObject(r.derived.frontendIps)?.[(asString(fe?.name) ?? '').toLowerCase()]);
        if (ip !== undefined) used.add(parseIpv4(ip) ?? -1);
      }
    }
  }
  return used;
}

/** Static addresses are checked; dynamic ones keep their address or get the lowest free one. */
export function allocatePrivateIp(
  ctx: ProviderContext,
  subnet: ResourceRecord,
  cfgProps: JsonObject,
  ownerKey: string,
  alsoUsed: Set<number>,
  what: string,
  previous: string | undefined,
): string {
  const ranges = subnetPrefixes(asObject(subnet.body.properties)).map((p) =>
    parseCidrOrThrow(p, `subnet ${subnet.name}`),
  );
  const used = allocatedIps(ctx, subnet.key, ownerKey);
  for (const ip of alsoUsed) used.add(ip);
  const inSubnet = (ip: number): Ipv4Range | undefined => ranges.find((r) => ip >= r.first && ip <= r.last);
  if (asString(cfgProps.privateIPAllocationMethod)?.toLowerCase() === 'static') {
    const text = asString(cfgProps.privateIPAddress);
    const ip = text !== undefined ? parseIpv4(text) : undefined;
    if (ip === undefined) {
      throw badRequest(
        'InvalidRequestFormat',
        `Static allocation for ${what} needs a valid privateIPAddress.`,
      );
    }
    const range = inSubnet(ip);
    if (!range) {
      throw badRequest(
        'PrivateIPAddressNotInSubnet',
        `IP address ${text} for ${what} does not belong to the subnet ${subnet.id}.`,
      );
    }
    if (isReserved(range, ip)) {
      throw badRequest(
        'PrivateIPAddressInReservedRange',
        `IP address ${text} for ${what} is reserved in subnet ${subnet.id}.`,
      );
    }
    if (used.has(ip)) {
      throw badRequest(
        'PrivateIPAddressIsAllocated',
        `IP address ${text} for ${what} is already allocated in subnet ${subnet.id}.`,
      );
    }
    return formatIpv4(ip);
  }
  const prior = previous !== undefined ? parseIpv4(previous) : undefined;
  if (prior !== undefined && inSubnet(prior) && !used.has(prior)) return formatIpv4(prior);
  for (const range of ranges) {
    for (let ip = range.first + 4; ip < range.last; ip++) {
      if (!used.has(ip)) return formatIpv4(ip);
    }
  }
  throw badRequest('SubnetIsFull', `Subnet ${subnet.id} has no free IP address left for ${what}.`);
}

/** Which resource (other than `ownerKey`) already uses a public IP, if any. */
export function publicIpUser(
  ctx: ProviderContext,
  pip: ResourceRecord,
  ownerKey: string | undefined,
): { via: string; from: ResourceRecord } | undefined {
  return ctx.referrers(pip.key).find((r) => r.from.key !== ownerKey);
}

export function checkPublicIpFree(ctx: ProviderContext, pip: ResourceRecord, ownerKey: string): void {
  const user = publicIpUser(ctx, pip, ownerKey);
  if (user !== undefined) {
    throw badRequest(
      'PublicIPAddressInUse',
      `Public IP address ${pip.id} is already in use by ${user.via} and cannot be referenced by another resource.`,
    );
  }
}

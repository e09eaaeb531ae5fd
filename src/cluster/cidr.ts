/** IPv4 CIDR parsing and math for validation and NSG rules, on top of ipaddr.js. */
import * as ipaddr from 'ipaddr.js';

export interface Ipv4Cidr {
  /** Canonical text, e.g. `10.0.0.0/16`. */
  text: string;
  address: ipaddr.IPv4;
  prefix: number;
}

export type CidrResult = { ok: true; cidr: Ipv4Cidr } | { ok: false; message: string };

/**
 * Parses `a.b.c.d/n` strictly: four decimal parts (ipaddr.js alone would also accept `10/8` or
 * octal forms, which Azure rejects) and no host bits set (Azure rejects `10.0.0.5/24`, so say
 * which network was meant).
 */
export function parseIpv4Cidr(text: string): CidrResult {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? '' : text.slice(slash + 1);
  if (slash < 0 || !/^\d{1,2}$/.test(prefixText)) {
    return { ok: false, message: `"${text}" is not an IPv4 CIDR such as 10.0.0.0/16` };
  }
  if (!ipaddr.IPv4.isValidFourPartDecimal(addressText) || Number(prefixText) > 32) {
    return { ok: false, message: `"${text}" is not an IPv4 CIDR such as 10.0.0.0/16` };
  }
  const [address, prefix] = ipaddr.IPv4.parseCIDR(text);
  const network = ipaddr.IPv4.networkAddressFromCIDR(text);
  if (network.toString() !== address.toString()) {
    return {
      ok: false,
      message: `"${text}" has host bits set; the network is ${network.toString()}/${prefix}`,
    };
  }
  return { ok: true, cidr: { text: `${address.toString()}/${prefix}`, address, prefix } };
}

/** Parses a CIDR, or throws: for values validation has already accepted. */
export function mustParseIpv4Cidr(text: string): Ipv4Cidr {
  const result = parseIpv4Cidr(text);
  if (!result.ok) throw new Error(result.message);
  return result.cidr;
}

export function isIpv4Address(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text);
}

/** True when every address of `inner` is in `outer`. */
export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return outer.prefix <= inner.prefix && inner.address.match(outer.address, outer.prefix);
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

export function addressInCidr(address: string, cidr: Ipv4Cidr): boolean {
  return ipaddr.IPv4.parse(address).match(cidr.address, cidr.prefix);
}

/** First and last address of the block, as unsigned 32-bit numbers. */
export function cidrBounds(cidr: Ipv4Cidr): { start: number; end: number } {
  const start = toUint32(cidr.address);
  return { start, end: start + cidrSize(cidr) - 1 };
}

/** Addresses in the block. */
export function cidrSize(cidr: Ipv4Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

/** Azure reserves five addresses in every subnet (network, gateway, two DNS, broadcast). */
export const AZURE_RESERVED_ADDRESSES_PER_SUBNET = 5;

export function usableSubnetAddresses(cidr: Ipv4Cidr): number {
  return Math.max(0, cidrSize(cidr) - AZURE_RESERVED_ADDRESSES_PER_SUBNET);
}

/** The `index`-th block of prefix length `prefix` inside `outer` (index 0 = the first). */
export function nthSubBlock(outer: Ipv4Cidr, prefix: number, index: number): Ipv4Cidr {
  const base = toUint32(outer.address);
  const start = (base + index * 2 ** (32 - prefix)) >>> 0;
  const address = fromUint32(start);
  return { text: `${address.toString()}/${prefix}`, address, prefix };
}

/** The n-th address of a block (0 = network address). */
export function nthAddress(cidr: Ipv4Cidr, n: number): string {
  return fromUint32((toUint32(cidr.address) + n) >>> 0).toString();
}

function toUint32(address: ipaddr.IPv4): number {
  return address.toByteArray().reduce((acc, byte) => acc * 256 + byte, 0);
}

function fromUint32(value: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]);
}

/** Just enough IPv4 arithmetic for subnets: parse, contain, overlap, allocate. */
export interface Ipv4Range {
  readonly cidr: string;
  readonly first: number;
  readonly last: number;
  readonly prefixLength: number;
}

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

export type CidrParse =
  | { ok: true; range: Ipv4Range }
  | { ok: false; reason: 'syntax' }
  | { ok: false; reason: 'unaligned'; suggestion: string };

export function parseCidr(cidr: string): CidrParse {
  const [address, bits, extra] = cidr.split('/');
  if (address === undefined || bits === undefined || extra !== undefined || !/^\d{1,2}$/.test(bits)) {
    return { ok: false, reason: 'syntax' };
  }
  const prefixLength = Number(bits);
  const start = parseIpv4(address);
  if (start === undefined || prefixLength > 32) return { ok: false, reason: 'syntax' };
  const size = 2 ** (32 - prefixLength);
  const first = Math.floor(start / size) * size;
  if (first !== start) {
    return { ok: false, reason: 'unaligned', suggestion: `${formatIpv4(first)}/${prefixLength}` };
  }
  return { ok: true, range: { cidr, first, last: first + size - 1, prefixLength } };
}

export function contains(outer: Ipv4Range, inner: Ipv4Range): boolean {
  return inner.first >= outer.first && inner.last <= outer.last;
}

export function overlaps(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** Azure reserves the first four addresses and the last one of every subnet. */
export function isReserved(range: Ipv4Range, address: number): boolean {
  return address < range.first + 4 || address === range.last;
}

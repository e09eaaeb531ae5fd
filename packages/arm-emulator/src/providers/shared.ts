import { randomUUID } from 'node:crypto';

import { badRequest } from '../armError';
import { keyOf } from '../armTypes';
import { type Ipv4Range, parseCidr } from '../ipv4';
import { asArray, asObject, asString, clone, type Json, type JsonObject } from '../json';
import { zonesOf } from '../regions';
import type { ResourceRecord } from '../store/records';
import { vcpusOfVmSize } from '../vmSizes';
import type { NameRule, ProviderContext } from './provider';

/** The code ARM gives a Basic SKU resource asked to be zonal (Basic SKUs have no zones). */
export const BASIC_SKU_ZONES_CODE = 'ZonesNotSupportedForBasicSku';

/** ARM's generic naming rule: 1–80 characters, letters, digits, '.', '_' and '-'. */
export const GENERIC_NAME_RULE: NameRule = {
  pattern: /^[a-zA-Z0-9]([-._a-zA-Z0-9]{0,78}[a-zA-Z0-9_])?$/,
  message: (name) =>
    `Resource name '${name}' is invalid. The name can be up to 80 characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'.`,
};

export function parseCidrOrThrow(cidr: string, what: string): Ipv4Range {
  const parsed = parseCidr(cidr);
  if (parsed.ok) return parsed.range;
  if (parsed.reason === 'unaligned') {
    throw badRequest(
      'InvalidCIDRNotation',
      `The address prefix ${cidr} in ${what} has an invalid CIDR notation. For the given prefix length, the address prefix should be ${parsed.suggestion}.`,
    );
  }
  throw badRequest(
    'InvalidAddressPrefixFormat',
    `Address prefix '${cidr}' of ${what} is not a valid IPv4 CIDR.`,
  );
}

/** The objects of `props[key]` (entries of a collection inside a body). */
export function entriesOf(props: JsonObject | undefined, key: string): JsonObject[] {
  return asArray(props?.[key])
    .map(asObject)
    .filter((e): e is JsonObject => e !== undefined);
}

/** Removes an entry's read-only fields (id, etag, type, provisioningState and `extraProps`). */
export function stripEntry(entry: JsonObject, extraProps: readonly string[] = []): void {
  delete entry.id;
  delete entry.etag;
  delete entry.type;
  const props = asObject(entry.properties);
  if (props) {
    delete props.provisioningState;
    for (const key of extraProps) delete props[key];
  }
}

/** An entry inside a body as ARM returns it: with its id, type and provisioning state. */
export function renderEntry(value: Json, parentPath: string, type: string): JsonObject {
  const entry = clone(asObject(value) ?? {});
  const name = asString(entry.name) ?? '';
  return {
    ...entry,
    id: `${parentPath}/${name}`,
    type,
    properties: { ...(asObject(entry.properties) ?? {}), provisioningState: 'Succeeded' },
  };
}

export function ensureResourceGuid(record: ResourceRecord): void {
  if (!record.derived.resourceGuid) record.derived.resourceGuid = randomUUID();
}

export function skuOf(record: ResourceRecord): string {
  return (asString(asObject(record.body.sku)?.name) ?? 'Standard').toLowerCase();
}

export function checkZones(zones: Json | undefined, location: string, what: string, sku?: string): string[] {
  const list = asArray(zones).map((z) => (typeof z === 'string' ? z : JSON.stringify(z)));
  if (list.length === 0) return list;
  if (sku !== undefined && sku.toLowerCase() === 'basic') {
    throw badRequest(
      BASIC_SKU_ZONES_CODE,
      `${what} uses the Basic SKU, which does not support availability zones.`,
    );
  }
  const regionZones = zonesOf(location) ?? [];
  for (const zone of list) {
    if (!regionZones.includes(zone)) {
      throw badRequest(
        'AvailabilityZoneNotSupported',
        `The zone(s) '${list.join(',')}' for ${what} are not supported. The supported zones for location '${location}' are '${regionZones.join(',')}'.`,
      );
    }
  }
  return list;
}

export function invalidReference(refIdValue: string | undefined, fromId: string): Error {
  return badRequest(
    'InvalidResourceReference',
    `Resource ${refIdValue ?? '(missing id)'} referenced by resource ${fromId} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
  );
}

/** A reference `{ id }` to an existing resource of `type` in the same region. */
export function requireRef(
  ctx: ProviderContext,
  refIdValue: string | undefined,
  type: string,
  fromId: string,
  location: string,
): ResourceRecord {
  const target = refIdValue !== undefined ? ctx.record(keyOf(refIdValue)) : undefined;
  if (!target || target.type !== type || ctx.recordLocation(target) !== location) {
    throw invalidReference(refIdValue, fromId);
  }
  return target;
}

export function vcpusOrThrow(vmSize: string | undefined, what: string): number {
  const vcpus = vmSize !== undefined ? vcpusOfVmSize(vmSize) : undefined;
  if (vcpus === undefined) {
    throw badRequest(
      'InvalidParameter',
      `The value '${vmSize ?? ''}' of parameter 'vmSize' of ${what} is not a valid VM size.`,
    );
  }
  return vcpus;
}

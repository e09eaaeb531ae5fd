/**
 * Defensive readers for the raw (unparsed) spec: the cross-field rules run on it alongside the schema
 * so one pass reports everything, and they skip any rule whose inputs are malformed (the schema
 * reports those already).
 */
import { type Ipv4Cidr, parseIpv4Cidr } from './cidr';

export type Obj = Record<string, unknown>;

export const asObj = (value: unknown): Obj | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
export const asStr = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
export const asInt = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) ? value : undefined;
export const asBool = (value: unknown): boolean | undefined =>
  typeof value === 'boolean' ? value : undefined;
export const asArr = (value: unknown): unknown[] | undefined => (Array.isArray(value) ? value : undefined);
export const asCidr = (value: unknown): Ipv4Cidr | undefined => {
  const text = asStr(value);
  if (text === undefined) return undefined;
  const parsed = parseIpv4Cidr(text);
  return parsed.ok ? parsed.cidr : undefined;
};

/** The value, or the default when absent; undefined when present but malformed. */
export function orDefault<T>(
  value: unknown,
  fallback: T,
  read: (value: unknown) => T | undefined,
): T | undefined {
  return value === undefined ? fallback : read(value);
}

export interface SpecError {
  /** Where the problem is, e.g. `nodePools[1].count` or `network.workerSubnet.cidr`; "" for the whole spec. */
  path: string;
  message: string;
}

export class Errors {
  readonly list: SpecError[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
}

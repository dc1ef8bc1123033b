/**
 * Converters shared by the span, metric and log normalisers. Each accepts every
 * representation a value has in protobuf-decoded objects (bytes as Uint8Array, 64-bit
 * integers as decimal strings) and in OTLP/JSON (ids as hex or base64 strings, 64-bit
 * integers as strings or numbers, enums as ints or names).
 */
import type { AttrKind, AttrValue, AttributeKinds, Attributes, Scope } from './otlp-types.ts';

/** A 64-bit integer as either encoding carries it. */
export type WireLong = string | number | bigint;
export type WireBytes = Uint8Array | string;

export interface WireAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: WireLong;
  doubleValue?: number | string;
  arrayValue?: { values?: WireAnyValue[] };
  kvlistValue?: { values?: WireKeyValue[] };
  bytesValue?: WireBytes;
}

export interface WireKeyValue {
  key?: string;
  value?: WireAnyValue;
}

export interface WireResource {
  attributes?: WireKeyValue[];
}

export interface WireScope {
  name?: string;
  version?: string;
}

const HEX = /^[0-9a-fA-F]*$/;

/** Id bytes as lowercase hex; a string of `2 * byteLength` hex digits is hex, any other base64. */
export function idToHex(value: WireBytes | undefined, byteLength: number): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (value.length === byteLength * 2 && HEX.test(value)) return value.toLowerCase();
  return Buffer.from(value, 'base64').toString('hex');
}

/** A fixed64 time in nanoseconds; 0n when absent. */
export function toNanos(value: WireLong | undefined): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  return BigInt(value);
}

/** A 64-bit integer or a double (JSON may spell `"NaN"`, `"Infinity"`) as a number; 0 when absent. */
export function toNumber(value: WireLong | undefined): number {
  return value === undefined || value === null ? 0 : Number(value);
}

/** An enum sent as its number or as its proto name (`prefix` + one of `names`); -1 if unknown. */
export function enumIndex(value: number | string | undefined, names: readonly string[], prefix: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  const name = value.startsWith(prefix) ? value.slice(prefix.length) : value;
  return names.indexOf(name);
}

function bytesValue(value: WireBytes): Uint8Array {
  // A copy, so deepEqual against a plain Uint8Array holds (node hands out Buffers).
  return typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'base64')) : new Uint8Array(value);
}

/** An `AnyValue` and the member that carried it. */
export function anyValue(value: WireAnyValue | undefined): [AttrValue, AttrKind] {
  if (value === undefined || value === null) return [null, 'empty'];
  if (value.stringValue !== undefined) return [value.stringValue, 'string'];
  if (value.boolValue !== undefined) return [value.boolValue, 'bool'];
  if (value.intValue !== undefined) return [Number(value.intValue), 'int'];
  if (value.doubleValue !== undefined) return [Number(value.doubleValue), 'double'];
  if (value.arrayValue !== undefined) return [(value.arrayValue.values ?? []).map((item) => anyValue(item)[0]), 'array'];
  if (value.kvlistValue !== undefined) return [keyValues(value.kvlistValue.values).attributes, 'kvlist'];
  if (value.bytesValue !== undefined) return [bytesValue(value.bytesValue), 'bytes'];
  return [null, 'empty'];
}

/** A `KeyValue` list as an object of values plus an object of their kinds. */
export function keyValues(list: WireKeyValue[] | undefined): { attributes: Attributes; kinds: AttributeKinds } {
  const attributes: Attributes = {};
  const kinds: AttributeKinds = {};
  for (const entry of list ?? []) {
    const [value, kind] = anyValue(entry.value);
    const key = entry.key ?? '';
    attributes[key] = value;
    kinds[key] = kind;
  }
  return { attributes, kinds };
}

export function resourceAttributes(resource: WireResource | undefined): Attributes {
  return keyValues(resource?.attributes).attributes;
}

export function scopeOf(scope: WireScope | undefined): Scope {
  return { name: scope?.name ?? '', version: scope?.version ?? '' };
}

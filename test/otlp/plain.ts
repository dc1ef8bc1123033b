/**
 * Messages as plain data for deep comparison: own enumerable fields only (what was set), 64-bit
 * integers as decimal strings, bytes as hex, whichever protobufjs build or Long class made them.
 */
import Long from 'long';

export type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

export function plain(value: unknown): Plain {
  if (value === null || value === undefined) return null;
  if (Long.isLong(value)) return (value as Long).toString();
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    const out: Record<string, Plain> = {};
    for (const key of Object.keys(value).sort()) out[key] = plain((value as Record<string, unknown>)[key]);
    return out;
  }
  return value as string | number | boolean;
}

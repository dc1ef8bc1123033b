/**
 * Typed readers of JSON fields for the decoder: each returns the value or throws
 * {@link InvalidField} naming the field, which `decode` turns into a rejected item.
 */
import { STATUSES } from './constants.ts';
import type { Status } from './events.ts';

export type Json = Record<string, unknown>;

/** One invalid field; thrown by these readers and caught by `decode` only. */
export class InvalidField {
  constructor(readonly detail: string) {}
}

const STATUS_SET: ReadonlySet<string> = new Set(STATUSES);

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function object(value: unknown, at: string): Json {
  if (isObject(value)) return value;
  throw new InvalidField(`${at} must be an object`);
}

export function requestId(r: Json): string {
  const v = r.requestId;
  if (typeof v === 'string' && v !== '') return v;
  throw new InvalidField('record.requestId must be a non-empty string');
}

export function status(r: Json): Status {
  const v = r.status;
  if (typeof v === 'string' && STATUS_SET.has(v)) return v as Status;
  throw new InvalidField(`record.status must be one of ${STATUSES.join(', ')}`);
}

export function optStatus(r: Json): Status | undefined {
  return r.status === undefined ? undefined : status(r);
}

export function str(o: Json, key: string, at = 'record'): string {
  const v = o[key];
  if (typeof v === 'string') return v;
  throw new InvalidField(`${at}.${key} must be a string`);
}

export function optStr(o: Json, key: string, at = 'record'): string | undefined {
  const v = o[key];
  if (v === undefined || typeof v === 'string') return v;
  throw new InvalidField(`${at}.${key} must be a string`);
}

export function num(o: Json, key: string, at = 'record'): number {
  const v = o[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw new InvalidField(`${at}.${key} must be a finite number`);
}

export function optNum(o: Json, key: string, at = 'record'): number | undefined {
  return o[key] === undefined ? undefined : num(o, key, at);
}

export function stringArray(o: Json, key: string): string[] {
  const v = o[key];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new InvalidField(`record.${key} must be an array of strings`);
}

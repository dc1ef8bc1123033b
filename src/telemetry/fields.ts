/**
 * Typed readers of JSON fields for the decoder. A required field's reader returns the value or
 * throws {@link InvalidField} naming the field, which `decode` turns into a rejected item. An
 * optional field's reader (`opt*`) returns the value, or notes the field in {@link Drops} and
 * returns undefined: the event is kept without it.
 */
import { STATUSES } from './constants.ts';
import type { Status, TelemetryEventType } from './events.ts';

export type Json = Record<string, unknown>;

/** One invalid field; thrown by these readers and caught by `decode` only. */
export class InvalidField {
  constructor(readonly detail: string) {}
}

/** One optional field left out of a decoded event because it was malformed. */
export interface DroppedField {
  /** Position of the event in the POSTed array. */
  readonly index: number;
  /** Type of the event, which was kept without the field. */
  readonly type: TelemetryEventType;
  /** The field left out, e.g. `record.tracing`, `record.spans[1]`, `record.metrics.producedBytes`. */
  readonly path: string;
  /** What was wrong, naming the bad field, e.g. `record.tracing.value must be a string`. */
  readonly detail: string;
}

/** Where the readers note dropped fields: one per `decode` call, `index` and `type` set per event. */
export interface Drops {
  index: number;
  type: TelemetryEventType;
  readonly list: DroppedField[];
}

/** Notes that the field at `path` was left out; returns undefined, the field's value. */
export function drop(drops: Drops, path: string, detail: string): undefined {
  drops.list.push({ index: drops.index, type: drops.type, path, detail });
  return undefined;
}

/**
 * {@link drop} for a nested field that failed a quick check: `check` reads it again with the
 * throwing readers to learn the detail. Off the hot path, so the valid case needs no try.
 */
export function dropInvalid(drops: Drops, path: string, check: (value: unknown, at: string) => void, value: unknown): undefined {
  try {
    check(value, path);
  } catch (error) {
    // Anything else is a throwing getter of a value given parsed: the whole item is rejected.
    if (!(error instanceof InvalidField)) throw error;
    return drop(drops, path, error.detail);
  }
  // Only a getter that answers differently the second time gets here.
  return drop(drops, path, `${path} could not be read`);
}

const STATUS_SET: ReadonlySet<string> = new Set(STATUSES);

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
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

const STATUS_DETAIL = `record.status must be one of ${STATUSES.join(', ')}`;

export function status(r: Json): Status {
  const v = r.status;
  if (typeof v === 'string' && STATUS_SET.has(v)) return v as Status;
  throw new InvalidField(STATUS_DETAIL);
}

export function optStatus(r: Json, drops: Drops): Status | undefined {
  const v = r.status;
  if (v === undefined || (typeof v === 'string' && STATUS_SET.has(v))) return v as Status | undefined;
  return drop(drops, 'record.status', STATUS_DETAIL);
}

export function str(o: Json, key: string, at = 'record'): string {
  const v = o[key];
  if (typeof v === 'string') return v;
  throw new InvalidField(`${at}.${key} must be a string`);
}

export function optStr(o: Json, key: string, drops: Drops, at = 'record'): string | undefined {
  const v = o[key];
  if (v === undefined || typeof v === 'string') return v;
  const path = `${at}.${key}`;
  return drop(drops, path, `${path} must be a string`);
}

export function num(o: Json, key: string, at = 'record'): number {
  const v = o[key];
  if (isFiniteNumber(v)) return v;
  throw new InvalidField(`${at}.${key} must be a finite number`);
}

export function optNum(o: Json, key: string, drops: Drops, at = 'record'): number | undefined {
  const v = o[key];
  if (v === undefined || isFiniteNumber(v)) return v;
  const path = `${at}.${key}`;
  return drop(drops, path, `${path} must be a finite number`);
}

export function stringArray(o: Json, key: string): string[] {
  const v = o[key];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new InvalidField(`record.${key} must be an array of strings`);
}

/**
 * protobufjs messages to OTLP/JSON, by the schema: lowerCamelCase keys, trace and span ids as
 * lowercase hex, enums as integers, 64-bit integers as decimal strings, other bytes as base64,
 * non-finite doubles as "NaN" / "Infinity" / "-Infinity"; fields at their default are left out.
 * Unknown fields kept from protobuf have no JSON form and are dropped. Internal to src/otlp:
 * callers use `toJson` of codec.ts.
 */
import type protobuf from 'protobufjs/light.js';
import { type FieldPlan, planOf } from './json-plan.ts';
import { PROTOBUF_RECURSION_LIMIT } from './proto.ts';

function bytesOf(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function isDefault(field: FieldPlan, value: unknown): boolean {
  switch (field.kind) {
    case 'message':
      return false;
    case 'int64':
    case 'uint64':
      return typeof value === 'object' ? (value as { low: number; high: number }).low === 0 && (value as { high: number }).high === 0 : Number(value) === 0;
    case 'bytes':
    case 'id':
      return (value as ArrayLike<number>).length === 0;
    case 'double':
      return Object.is(value, 0);
    default:
      return value === '' || value === false || value === 0;
  }
}

function writeValue(field: FieldPlan, value: unknown, depth: number): unknown {
  switch (field.kind) {
    case 'message':
      return writeMessage(field.messageType!, value as Record<string, unknown>, depth + 1);
    case 'int64':
    case 'uint64':
      // A Long's toString gives its decimal digits, signed or not as the field is.
      return String(value);
    case 'id':
      return bytesOf(value as Uint8Array).toString('hex');
    case 'bytes':
      return bytesOf(value as Uint8Array).toString('base64');
    case 'double':
      return Number.isFinite(value) ? value : String(value);
    default:
      return value;
  }
}

function writeMessage(type: protobuf.Type, message: Record<string, unknown>, depth: number): Record<string, unknown> {
  if (depth > PROTOBUF_RECURSION_LIMIT) throw new RangeError(`otlp: ${type.name} nested deeper than ${PROTOBUF_RECURSION_LIMIT} messages`);
  const out: Record<string, unknown> = {};
  for (const field of planOf(type).fields) {
    // A field with presence counts only when set on the message itself (the prototype holds
    // every field's default), as protobufjs's encoder decides.
    if (field.presence && !Object.hasOwn(message, field.name)) continue;
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    if (field.repeated) {
      const items = value as readonly unknown[];
      if (items.length === 0) continue;
      const json = new Array<unknown>(items.length);
      for (let i = 0; i < items.length; i++) json[i] = writeValue(field, items[i], depth);
      out[field.name] = json;
    } else if (field.presence || !isDefault(field, value)) {
      out[field.name] = writeValue(field, value, depth);
    }
  }
  return out;
}

/** The OTLP/JSON text of `message`, of type `type`. */
export function writeJson(type: protobuf.Type, message: object): string {
  return JSON.stringify(writeMessage(type, message as Record<string, unknown>, 0));
}

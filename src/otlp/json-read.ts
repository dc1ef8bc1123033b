/**
 * OTLP/JSON to protobufjs messages, by the schema: lowerCamelCase keys; trace and span ids as
 * hex; enums as integers or names; 64-bit integers as decimal strings or numbers; other bytes as
 * base64; unknown keys ignored and `null` as absent, as the OTLP specification and proto3's JSON
 * mapping say. Fields at their default are left absent, so a request read from JSON equals the
 * same request decoded from protobuf. Internal to src/otlp: callers use `fromJson` of codec.ts.
 */
import Long from 'long';
import type protobuf from 'protobufjs/light.js';
import { OtlpFormatError } from './format-error.ts';
import { type FieldPlan, planOf } from './json-plan.ts';
import { PROTOBUF_RECURSION_LIMIT } from './proto.ts';

/** A shape error on its way up: `path` collects the keys and indexes, innermost first. */
class ShapeError extends Error {
  readonly path: string[] = [];
}

const fail = (message: string): never => {
  throw new ShapeError(message);
};

const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const DECIMAL = /^-?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function readInt64(value: unknown, unsigned: boolean): Long {
  let big: bigint;
  if (typeof value === 'number' && Number.isInteger(value)) big = BigInt(value);
  else if (typeof value === 'string' && DECIMAL.test(value)) big = BigInt(value);
  else return fail('expected an integer or its decimal string');
  if (unsigned ? big < 0n || big > UINT64_MAX : big < INT64_MIN || big > INT64_MAX) fail(`${String(value)} is out of range of a ${unsigned ? 'u' : ''}int64`);
  return Long.fromString(big.toString(), unsigned);
}

function readInt32(value: unknown, unsigned: boolean): number {
  const number = typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number)) return fail('expected an integer');
  if (unsigned ? number < 0 || number > 0xffffffff : number < -0x80000000 || number > 0x7fffffff) fail(`${number} is out of range of a ${unsigned ? 'u' : ''}int32`);
  return number;
}

function readDouble(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isNaN(number) ? fail('expected a number') : number;
}

function readBytes(value: unknown): Buffer {
  if (typeof value !== 'string' || !BASE64.test(value)) return fail('expected base64');
  return Buffer.from(value, 'base64');
}

function readId(value: unknown, bytes: number): Buffer {
  if (typeof value !== 'string' || !HEX.test(value)) return fail(`expected ${bytes * 2} hex digits`);
  if (value.length !== 0 && value.length !== bytes * 2) fail(`expected ${bytes * 2} hex digits, got ${value.length}`);
  return Buffer.from(value, 'hex');
}

function readEnum(value: unknown, values: Readonly<Record<string, number>>): number {
  if (typeof value === 'string') return Object.hasOwn(values, value) ? values[value]! : fail(`unknown enum value ${JSON.stringify(value.slice(0, 64))}`);
  return readInt32(value, false);
}

/** The message value of `value` for `field`, or undefined when it is the default of a field without presence. */
function readValue(field: FieldPlan, value: unknown, depth: number): unknown {
  let out: unknown;
  switch (field.kind) {
    case 'message':
      return readMessage(field.messageType!, value, depth + 1);
    case 'string':
      if (typeof value !== 'string') fail('expected a string');
      out = value;
      break;
    case 'bool':
      if (typeof value !== 'boolean') fail('expected true or false');
      out = value;
      break;
    case 'enum':
      out = readEnum(value, field.enumValues!);
      break;
    case 'int32':
    case 'uint32':
      out = readInt32(value, field.kind === 'uint32');
      break;
    case 'int64':
    case 'uint64': {
      const long = readInt64(value, field.kind === 'uint64');
      return field.presence || !long.isZero() ? long : undefined;
    }
    case 'double':
      out = readDouble(value);
      return field.presence || !Object.is(out, 0) ? out : undefined;
    case 'bytes':
    case 'id': {
      const bytes = field.kind === 'id' ? readId(value, field.idBytes) : readBytes(value);
      // An empty id is an absent one (OTLP/JSON), even in a oneof.
      return bytes.length > 0 || (field.presence && field.kind === 'bytes') ? bytes : undefined;
    }
  }
  return field.presence || (out !== '' && out !== false && out !== 0) ? out : undefined;
}

function readRepeated(field: FieldPlan, value: unknown, depth: number): unknown[] {
  if (!Array.isArray(value)) return fail('expected an array');
  const out = new Array<unknown>(value.length);
  for (let i = 0; i < value.length; i++) {
    try {
      if (value[i] === null) fail('null in an array');
      const item = readValue(field, value[i], depth);
      // A repeated scalar keeps its zeros: they are elements, not defaults.
      out[i] = item === undefined ? readZero(field) : item;
    } catch (error) {
      throw within(error, `[${i}]`);
    }
  }
  return out;
}

function readZero(field: FieldPlan): unknown {
  if (field.kind === 'int64' || field.kind === 'uint64') return Long.fromInt(0, field.kind === 'uint64');
  if (field.kind === 'bytes' || field.kind === 'id') return Buffer.alloc(0);
  return field.kind === 'string' ? '' : field.kind === 'bool' ? false : 0;
}

function within(error: unknown, segment: string): unknown {
  if (error instanceof ShapeError) error.path.push(segment);
  return error;
}

function readMessage(type: protobuf.Type, value: unknown, depth: number): Record<string, unknown> {
  if (depth > PROTOBUF_RECURSION_LIMIT) fail(`nested deeper than ${PROTOBUF_RECURSION_LIMIT} messages`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('expected an object');
  const json = value as Record<string, unknown>;
  const plan = planOf(type);
  const message = plan.create();
  for (const field of plan.fields) {
    const item = json[field.name];
    if (item === undefined || item === null) continue;
    try {
      const read = field.repeated ? readRepeated(field, item, depth) : readValue(field, item, depth);
      if (read !== undefined) message[field.name] = read;
    } catch (error) {
      throw within(error, field.name);
    }
  }
  for (const members of plan.oneofs) {
    if (members.filter((name) => Object.hasOwn(message, name)).length > 1) fail(`more than one of ${members.join(', ')}`);
  }
  return message;
}

/** The message of `type` that the OTLP/JSON `text` holds; throws OtlpFormatError naming the bad field's path. */
export function readJson(type: protobuf.Type, text: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OtlpFormatError(`malformed JSON in ${type.name}: ${(error as Error).message}`);
  }
  try {
    return readMessage(type, json, 0);
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    const path = error.path.reverse().join('.').replace(/\.\[/g, '[');
    throw new OtlpFormatError(`invalid OTLP/JSON ${type.name}${path === '' ? '' : ` at ${path}`}: ${error.message}`);
  }
}

/**
 * The parts of OTLP protobuf that every signal's request shares, written from the SDK's types
 * as the SDK's own serializer (`@opentelemetry/otlp-transformer`) reads them: attributes and
 * their values, the resource, the instrumentation scope, and the grouping of items by resource
 * and scope. What repeats from item to item (the resource, the scope, attribute keys) is
 * encoded once and kept.
 */
import type { Attributes } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { LEN, ProtobufWriter, VARINT } from '../otlp/protobuf-writer.ts';

/**
 * Attributes kept encoded, by key: the key, and the whole `KeyValue` of a string value met
 * twice in a row (the log source, the request id of consecutive lines); a value that changes
 * from item to item (a span's request id) is written directly, as encoding it aside would cost
 * more than it saves. A log line's JSON fields can be any, so the cache is bounded.
 */
const MAX_CACHED_KEYS = 1024;
/** Longer keys and string values are encoded each time: the cache stays under 1024 × (256 + 64 characters) and their encodings. */
const MAX_CACHED_KEY_LENGTH = 256;
const MAX_CACHED_VALUE_LENGTH = 64;
const INT64_LIMIT = 2 ** 63;

interface EncodedKey {
  /** `KeyValue.key` (field 1). */
  readonly key: Uint8Array;
  lastValue: string | null;
  /** The `KeyValue` of `lastValue`, its length first, once met twice; null before. */
  lastKeyValue: Uint8Array | null;
}

const NO_BYTES = new Uint8Array(0);
const keys = new Map<string, EncodedKey>();
const scratch = new ProtobufWriter(256);
/** One buffer for every request: it grows to the largest request and stays, instead of one per export. */
const requestWriter = new ProtobufWriter(64 * 1024);

function encodedKey(key: string): EncodedKey {
  let encoded = keys.get(key);
  if (encoded === undefined) {
    scratch.reset();
    scratch.tag(1, LEN);
    scratch.string(key);
    encoded = { key: scratch.finish(), lastValue: null, lastKeyValue: null };
    if (key.length > MAX_CACHED_KEY_LENGTH) return encoded;
    if (keys.size >= MAX_CACHED_KEYS) keys.clear();
    keys.set(key, encoded);
  }
  return encoded;
}

/** A `KeyValue`'s length and fields. */
function writeKeyValueMessage(writer: ProtobufWriter, key: Uint8Array, value: unknown): void {
  const keyValue = writer.begin();
  writer.raw(key);
  writer.tag(2, LEN);
  const anyValue = writer.begin();
  writeAnyValueFields(writer, value);
  writer.end(anyValue);
  writer.end(keyValue);
}

/** One `KeyValue` as field `field`. */
function writeKeyValue(writer: ProtobufWriter, field: number, key: string, value: unknown): void {
  const encoded = encodedKey(key);
  writer.tag(field, LEN);
  if (typeof value !== 'string' || value.length > MAX_CACHED_VALUE_LENGTH) {
    writeKeyValueMessage(writer, encoded.key, value);
  } else if (encoded.lastValue !== value) {
    encoded.lastValue = value;
    encoded.lastKeyValue = null;
    writeKeyValueMessage(writer, encoded.key, value);
  } else {
    if (encoded.lastKeyValue === null) {
      scratch.reset();
      writeKeyValueMessage(scratch, encoded.key, value);
      encoded.lastKeyValue = scratch.finish();
    }
    writer.raw(encoded.lastKeyValue);
  }
}

/** Every own attribute as a repeated `KeyValue` field `field` (an undefined value as an empty `AnyValue`). */
export function writeAttributes(writer: ProtobufWriter, field: number, attributes: Attributes | Readonly<Record<string, unknown>>): void {
  for (const key in attributes) {
    if (Object.hasOwn(attributes, key)) writeKeyValue(writer, field, key, attributes[key]);
  }
}

/**
 * The fields of an `AnyValue`: strings, booleans, integers (int64) and other numbers (double),
 * bytes, arrays and plain objects (key-value lists); anything else leaves it empty.
 */
export function writeAnyValueFields(writer: ProtobufWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      writer.tag(1, LEN);
      writer.string(value);
      return;
    case 'boolean':
      writer.tag(2, VARINT);
      writer.varint(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= -INT64_LIMIT && value < INT64_LIMIT) {
        writer.tag(3, VARINT);
        writer.varint(value);
      } else {
        writer.tag(4, 1);
        writer.double(value);
      }
      return;
    case 'object':
      if (value === null) return;
      if (value instanceof Uint8Array) {
        writer.tag(7, LEN);
        writer.bytes(value);
      } else if (Array.isArray(value)) {
        writer.tag(5, LEN);
        const list = writer.begin(2);
        for (const item of value as unknown[]) {
          writer.tag(1, LEN);
          const element = writer.begin();
          writeAnyValueFields(writer, item);
          writer.end(element);
        }
        writer.end(list, 2);
      } else {
        writer.tag(6, LEN);
        const list = writer.begin(2);
        writeAttributes(writer, 1, value as Readonly<Record<string, unknown>>);
        writer.end(list, 2);
      }
      return;
    default:
  }
}

/** What a `Resource<Signal>` or `Scope<Signal>` message holds before its items and after them. */
interface Around {
  readonly head: Uint8Array;
  readonly tail: Uint8Array;
}

const resources = new WeakMap<Resource, Around>();
const scopes = new WeakMap<InstrumentationScope, Around>();

/** `resource` (field 1) and `schema_url` (field 3) of a `Resource<Signal>` message, encoded once per resource. */
function aroundResource(resource: Resource): Around {
  let around = resources.get(resource);
  if (around === undefined) {
    const writer = new ProtobufWriter(1024);
    writer.tag(1, LEN);
    const message = writer.begin(2);
    writeAttributes(writer, 1, resource.attributes);
    writer.end(message, 2);
    around = { head: writer.finish(), tail: schemaUrlField(writer, resource.schemaUrl) };
    resources.set(resource, around);
  }
  return around;
}

/** `scope` (field 1) and `schema_url` (field 3) of a `Scope<Signal>` message, encoded once per scope. */
function aroundScope(scope: InstrumentationScope & { attributes?: Attributes; droppedAttributesCount?: number }): Around {
  let around = scopes.get(scope);
  if (around === undefined) {
    const writer = new ProtobufWriter(256);
    writer.tag(1, LEN);
    const message = writer.begin();
    writer.tag(1, LEN);
    writer.string(scope.name);
    if (scope.version) {
      writer.tag(2, LEN);
      writer.string(scope.version);
    }
    if (scope.attributes) writeAttributes(writer, 3, scope.attributes);
    if (scope.droppedAttributesCount) {
      writer.tag(4, VARINT);
      writer.varint(scope.droppedAttributesCount);
    }
    writer.end(message);
    around = { head: writer.finish(), tail: schemaUrlField(writer, scope.schemaUrl) };
    scopes.set(scope, around);
  }
  return around;
}

function schemaUrlField(writer: ProtobufWriter, schemaUrl: string | undefined): Uint8Array {
  if (!schemaUrl) return NO_BYTES;
  writer.tag(3, LEN);
  writer.string(schemaUrl);
  return writer.finish();
}

/** What every exported item carries: its resource and scope, compared by identity. */
export interface Scoped {
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
}

/**
 * An `Export<Signal>ServiceRequest`: the items grouped by resource and then scope in the order
 * they first appear, each group as `resource_<signal>` (field 1) holding `scope_<signal>`
 * (field 2) messages, whose items (field 2) `writeItem` writes, tag included.
 */
export function encodeRequest<T extends Scoped>(items: readonly T[], writeItem: (writer: ProtobufWriter, item: T) => void): Uint8Array {
  const writer = requestWriter;
  // An encode that threw (a cyclic value, memory running out) must not leave its bytes in this one.
  writer.reset();
  for (const [resource, byScope] of groupByResourceAndScope(items)) {
    const resourceFields = aroundResource(resource);
    writer.tag(1, LEN);
    const resourceMessage = writer.begin(3);
    writer.raw(resourceFields.head);
    for (const [scope, scoped] of byScope) {
      const scopeFields = aroundScope(scope);
      writer.tag(2, LEN);
      const scopeMessage = writer.begin(3);
      writer.raw(scopeFields.head);
      for (const item of scoped) writeItem(writer, item);
      writer.raw(scopeFields.tail);
      writer.end(scopeMessage, 3);
    }
    writer.raw(resourceFields.tail);
    writer.end(resourceMessage, 3);
  }
  return writer.finish();
}

function groupByResourceAndScope<T extends Scoped>(items: readonly T[]): Map<Resource, Map<InstrumentationScope, T[]>> {
  const groups = new Map<Resource, Map<InstrumentationScope, T[]>>();
  const first = items[0];
  // Our own items share one resource and one scope: one group, no per-item lookups.
  if (first !== undefined && items.every((item) => item.resource === first.resource && item.instrumentationScope === first.instrumentationScope)) {
    groups.set(first.resource, new Map([[first.instrumentationScope, items as T[]]]));
    return groups;
  }
  for (const item of items) {
    let byScope = groups.get(item.resource);
    if (byScope === undefined) groups.set(item.resource, (byScope = new Map()));
    let scoped = byScope.get(item.instrumentationScope);
    if (scoped === undefined) byScope.set(item.instrumentationScope, (scoped = []));
    scoped.push(item);
  }
  return groups;
}


/**
 * protobufjs/light set up for OTLP: 64-bit integers as exact Longs, the recursion limit, and the
 * message types of the generated schema. Internal to src/otlp.
 */
import Long from 'long';
import protobuf from 'protobufjs/light.js';
import { OTLP_SCHEMA } from './schema.ts';
import type { OtlpSignal } from './types.ts';

/**
 * How deep a request may nest messages (AnyValue in AnyValue...) before decoding refuses it:
 * 100, protoc's default, as the test receiver uses (test/support/otlp-protos.ts).
 */
export const PROTOBUF_RECURSION_LIMIT = 100;

// Without Long, protobufjs turns 64-bit integers into doubles, which lose nanoseconds above
// 2^53 (any timestamp after 1970-04-15). It finds `long` itself when `require` works; naming it
// here makes that independent of the bundle and of a global `Long`. configure() rebuilds the
// readers' 64-bit methods for it.
protobuf.util.Long = Long;
protobuf.configure();
// Set, not left to protobufjs's defaults: the reader checks its own copy, the encoder and the
// object converters util's.
protobuf.Reader.recursionLimit = PROTOBUF_RECURSION_LIMIT;
protobuf.util.recursionLimit = PROTOBUF_RECURSION_LIMIT;

const root = protobuf.Root.fromJSON(OTLP_SCHEMA);

const PACKAGES: Record<OtlpSignal, { pkg: string; name: string }> = {
  traces: { pkg: 'opentelemetry.proto.collector.trace.v1', name: 'Trace' },
  metrics: { pkg: 'opentelemetry.proto.collector.metrics.v1', name: 'Metrics' },
  logs: { pkg: 'opentelemetry.proto.collector.logs.v1', name: 'Logs' },
};

/** The message types of one signal. */
export interface SignalTypes {
  readonly request: protobuf.Type;
  readonly response: protobuf.Type;
  readonly partialSuccess: protobuf.Type;
  /** The partial_success field counting this signal's items, in lowerCamelCase. */
  readonly rejectedField: 'rejectedSpans' | 'rejectedDataPoints' | 'rejectedLogRecords';
}

const REJECTED_FIELDS = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords' } as const;

function signalTypes(signal: OtlpSignal): SignalTypes {
  const { pkg, name } = PACKAGES[signal];
  return {
    request: root.lookupType(`${pkg}.Export${name}ServiceRequest`),
    response: root.lookupType(`${pkg}.Export${name}ServiceResponse`),
    partialSuccess: root.lookupType(`${pkg}.Export${name}PartialSuccess`),
    rejectedField: REJECTED_FIELDS[signal],
  };
}

/** Each signal's request, response and partial-success types. */
export const TYPES: Readonly<Record<OtlpSignal, SignalTypes>> = {
  traces: signalTypes('traces'),
  metrics: signalTypes('metrics'),
  logs: signalTypes('logs'),
};

/** google.rpc.Status, the body of an OTLP/HTTP error response. */
export const STATUS_TYPE = root.lookupType('google.rpc.Status');

/**
 * A reader over `bytes` that keeps unknown fields (fields newer than the schema), so that
 * encoding the decoded message writes them back. A Buffer view, never a copy: bytes fields
 * of the decoded message are slices of `bytes`.
 */
export function readerOf(bytes: Uint8Array): protobuf.Reader {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = protobuf.Reader.create(buffer);
  reader.discardUnknown = false;
  return reader;
}

/** The encoded bytes of `message` of type `type`. */
export function encodeMessage(type: protobuf.Type, message: object): Uint8Array {
  return type.encode(message).finish();
}

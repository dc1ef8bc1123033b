/**
 * Loads the official opentelemetry-proto `.proto` files, which are not committed:
 * `scripts/otlp-protos.sh` puts them in `<repo>/.cache/otlp-proto`, or `OTLP_PROTO_DIR`
 * names another copy; with them, Google's `google/rpc/status.proto` for OTLP/HTTP error bodies.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { Signal } from './otlp-types.ts';

export const OTLP_PROTO_DIR = 'OTLP_PROTO_DIR';
export const DEFAULT_PROTO_DIR = fileURLToPath(new URL('../../.cache/otlp-proto', import.meta.url));

const SERVICE_FILES: Record<Signal, string> = {
  traces: 'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  metrics: 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  logs: 'opentelemetry/proto/collector/logs/v1/logs_service.proto',
};

/** The body of an OTLP/HTTP error answer; imports google/protobuf/any.proto, which protobufjs bundles. */
const STATUS_FILE = 'google/rpc/status.proto';

const RESPONSE_TYPES: Record<Signal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
};

const REQUEST_TYPES: Record<Signal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
};

/**
 * How deep a protobuf decoder nests messages before it refuses the request: 100 by default in
 * protoc's C++ and Java runtimes and in protobufjs. The receiver decodes no deeper, so a test
 * sees what such a receiver does with a deeply nested record.
 */
export const PROTOBUF_RECURSION_LIMIT = 100;
// Set, not left to protobufjs's defaults: a later default must not make the tests more lenient.
// Decoding checks the Reader's limit, the conversion to a plain object util's.
protobuf.Reader.recursionLimit = PROTOBUF_RECURSION_LIMIT;
protobuf.util.recursionLimit = PROTOBUF_RECURSION_LIMIT;

// Ids stay bytes (Uint8Array) and 64-bit integers become decimal strings: the same value
// shapes OTLP/JSON uses, so one normaliser serves both encodings.
const TO_OBJECT: protobuf.IConversionOptions = { longs: String, arrays: true };

export interface OtlpProtos {
  readonly dir: string;
  /** The loaded root, to encode handcrafted requests. */
  readonly root: protobuf.Root;
  /** Decodes an `Export<Signal>ServiceRequest` into a plain object; throws on malformed bytes or nesting over {@link PROTOBUF_RECURSION_LIMIT}. */
  decode(signal: Signal, body: Uint8Array): unknown;
  /** Encodes a plain `Export<Signal>ServiceRequest` object (as `Type.fromObject` takes it). */
  encode(signal: Signal, request: Record<string, unknown>): Uint8Array;
  /** Decodes an `Export<Signal>ServiceResponse` (what a 200 carries); throws on malformed bytes. */
  decodeResponse(signal: Signal, body: Uint8Array): unknown;
  /** Decodes a `google.rpc.Status` (what an error answer carries); throws when `google/rpc/status.proto` is missing or the bytes are malformed. */
  decodeStatus(body: Uint8Array): { code?: number; message?: string; details?: unknown[] };
}

/** The proto folder: `explicit`, else `OTLP_PROTO_DIR`, else `<repo>/.cache/otlp-proto`. */
export function resolveOtlpProtoDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return explicit ?? (env[OTLP_PROTO_DIR] || DEFAULT_PROTO_DIR);
}

const loaded = new Map<string, OtlpProtos>();

/**
 * Loads (once per folder) the three collector service protos from `dir` (default
 * {@link resolveOtlpProtoDir}). Throws an Error naming both ways to provide them when absent.
 */
export function loadOtlpProtos(dir: string = resolveOtlpProtoDir()): OtlpProtos {
  const cached = loaded.get(dir);
  if (cached !== undefined) return cached;
  const probe = join(dir, SERVICE_FILES.traces);
  if (!existsSync(probe)) {
    throw new Error(
      `OTLP .proto files not found: no ${probe}. Run scripts/otlp-protos.sh (puts them in ` +
        `${DEFAULT_PROTO_DIR}) or set ${OTLP_PROTO_DIR} to a folder containing ${SERVICE_FILES.traces}.`,
    );
  }
  const root = new protobuf.Root();
  // Imports are written from the proto root ("opentelemetry/proto/common/v1/common.proto").
  root.resolvePath = (_origin, target) => join(dir, target);
  root.loadSync(Object.values(SERVICE_FILES));
  const types = {
    traces: root.lookupType(REQUEST_TYPES.traces),
    metrics: root.lookupType(REQUEST_TYPES.metrics),
    logs: root.lookupType(REQUEST_TYPES.logs),
  };
  const responses = {
    traces: root.lookupType(RESPONSE_TYPES.traces),
    metrics: root.lookupType(RESPONSE_TYPES.metrics),
    logs: root.lookupType(RESPONSE_TYPES.logs),
  };
  let status: protobuf.Type | null = null;
  const statusType = (): protobuf.Type => {
    if (status !== null) return status;
    if (!existsSync(join(dir, STATUS_FILE))) {
      throw new Error(`no ${join(dir, STATUS_FILE)}: run scripts/otlp-protos.sh, or put Google's ${STATUS_FILE} into ${dir}`);
    }
    root.loadSync(STATUS_FILE);
    status = root.lookupType('google.rpc.Status');
    return status;
  };
  const protos: OtlpProtos = {
    dir,
    root,
    decode: (signal, body) => types[signal].toObject(types[signal].decode(body), TO_OBJECT),
    encode: (signal, request) => types[signal].encode(types[signal].fromObject(request)).finish(),
    decodeResponse: (signal, body) => responses[signal].toObject(responses[signal].decode(body), TO_OBJECT),
    decodeStatus: (body) => statusType().toObject(statusType().decode(body), TO_OBJECT),
  };
  loaded.set(dir, protos);
  return protos;
}

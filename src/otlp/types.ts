/**
 * The decoded shapes of OTLP export requests, as far as the receiver, relay and trace join touch
 * them. Field names are the lowerCamelCase ones of OTLP/JSON; what {@link decode} and
 * {@link fromJson} return are protobufjs message objects of these shapes, which
 * {@link encode} and {@link toJson} take back. Fields not written here are kept, opaque, and
 * re-encoded as they came.
 */
import type Long from 'long';

/** The three OTLP signals, as in the `/v1/<signal>` paths of OTLP/HTTP. */
export type OtlpSignal = 'traces' | 'metrics' | 'logs';

/**
 * A 64-bit integer (nanosecond timestamps, counts), exact: a `long` Long; `toString()` gives
 * its decimal digits.
 */
export type Int64 = Long;

/** An attribute value: at most one of the fields is set (a protobuf oneof). */
export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Int64;
  doubleValue?: number;
  arrayValue?: { values: AnyValue[] } | null;
  kvlistValue?: { values: KeyValue[] } | null;
  bytesValue?: Uint8Array;
}

/** An attribute. */
export interface KeyValue {
  key: string;
  value?: AnyValue | null;
}

/** The resource of a batch of spans, metrics or logs. */
export interface Resource {
  attributes: KeyValue[];
  droppedAttributesCount?: number;
}

/** The instrumentation scope that produced a batch. */
export interface InstrumentationScope {
  name?: string;
  version?: string;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
}

/**
 * A span. Ids are raw bytes (16 for a trace, 8 for a span); an empty `parentSpanId` means a
 * root span. `kind` is the SpanKind number (0 unspecified, 1 internal, 2 server, 3 client,
 * 4 producer, 5 consumer); `flags` holds the W3C trace flags in its low 8 bits.
 */
export interface Span {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId?: Uint8Array;
  traceState?: string;
  flags?: number;
  name: string;
  kind?: number;
  startTimeUnixNano?: Int64;
  endTimeUnixNano?: Int64;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
  /** Span.Event messages, kept as they came. */
  events?: unknown[];
  droppedEventsCount?: number;
  /** Span.Link messages, kept as they came. */
  links?: unknown[];
  droppedLinksCount?: number;
  /** The Status message, kept as it came. */
  status?: unknown;
}

/** The spans of one instrumentation scope. */
export interface ScopeSpans {
  scope?: InstrumentationScope | null;
  spans: Span[];
  schemaUrl?: string;
}

/** The spans of one resource. */
export interface ResourceSpans {
  resource?: Resource | null;
  scopeSpans: ScopeSpans[];
  schemaUrl?: string;
}

/** `ExportTraceServiceRequest`, the body of `POST /v1/traces`. */
export interface ExportTraceRequest {
  resourceSpans: ResourceSpans[];
}

/** `ExportMetricsServiceRequest`, the body of `POST /v1/metrics`; `ResourceMetrics` kept opaque. */
export interface ExportMetricsRequest {
  resourceMetrics: unknown[];
}

/** `ExportLogsServiceRequest`, the body of `POST /v1/logs`; `ResourceLogs` kept opaque. */
export interface ExportLogsRequest {
  resourceLogs: unknown[];
}

/** The request type of each signal. */
export interface OtlpRequests {
  traces: ExportTraceRequest;
  metrics: ExportMetricsRequest;
  logs: ExportLogsRequest;
}

/** The request of signal `S`. */
export type OtlpRequest<S extends OtlpSignal = OtlpSignal> = OtlpRequests[S];

/** How a response or error body is encoded: as the request was (`Content-Type`). */
export type OtlpFormat = 'protobuf' | 'json';

/** What a response reports: how many items were rejected, and an optional message for the client. */
export interface OtlpResult {
  /** Spans, data points or log records rejected; 0 when all were accepted. */
  rejected: number;
  /** Why, or a warning when nothing was rejected. */
  errorMessage?: string;
}

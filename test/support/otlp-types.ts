/**
 * The plain shapes the test OTLP receiver turns both wire encodings (protobuf and OTLP/JSON)
 * into, so a test never cares which one the sender used.
 *
 * Conventions: trace and span ids are lowercase hex ('' when absent); times are nanoseconds
 * since the epoch as `bigint`; 64-bit integers (attribute ints, counts, bucket counts) are
 * converted with `Number`, exact up to 2^53, far above anything our tests send.
 */

/** The three OTLP/HTTP signals, named as in their paths (`/v1/traces`). */
export type Signal = 'traces' | 'metrics' | 'logs';

/** How a request body was encoded on the wire. */
export type Encoding = 'protobuf' | 'json';

/**
 * An OTLP `AnyValue`: int64 and double both become `number` (see {@link AttrKind} to tell them
 * apart), `kvlistValue` a plain object, `bytesValue` a `Uint8Array`, an empty `AnyValue` `null`.
 */
export type AttrValue = string | number | boolean | null | Uint8Array | AttrValue[] | { [key: string]: AttrValue };

/** Which `AnyValue` member carried a value on the wire. */
export type AttrKind = 'string' | 'int' | 'double' | 'bool' | 'array' | 'kvlist' | 'bytes' | 'empty';

export type Attributes = Record<string, AttrValue>;
export type AttributeKinds = Record<string, AttrKind>;

/** The instrumentation scope, '' for absent fields. */
export interface Scope {
  readonly name: string;
  readonly version: string;
}

export type SpanKindName = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
export type StatusCodeName = 'UNSET' | 'OK' | 'ERROR';

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: SpanKindName;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly attributes: Attributes;
  readonly attributeKinds: AttributeKinds;
  readonly status: { readonly code: StatusCodeName; readonly message: string };
  readonly links: ReadonlyArray<{ readonly traceId: string; readonly spanId: string; readonly attributes: Attributes }>;
  readonly events: ReadonlyArray<{ readonly name: string; readonly timeUnixNano: bigint; readonly attributes: Attributes }>;
  /** W3C trace flags plus the OTLP "has is_remote" bits; undefined when not on the wire (0). */
  readonly flags: number | undefined;
  readonly traceState: string;
  readonly resource: Attributes;
  readonly scope: Scope;
}

export type MetricType = 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';

/** One data point; the fields present depend on {@link ReceivedMetric.type}. */
export interface MetricPoint {
  readonly attributes: Attributes;
  readonly attributeKinds: AttributeKinds;
  readonly startTimeUnixNano: bigint;
  readonly timeUnixNano: bigint;
  /** gauge and sum: `asInt` or `asDouble`. */
  readonly value?: number;
  /** gauge and sum: which of `asInt` / `asDouble` carried {@link value}. */
  readonly valueKind?: 'int' | 'double';
  readonly count?: number;
  readonly sum?: number;
  /** histogram: one count per bucket, `explicitBounds.length + 1` of them. */
  readonly bucketCounts?: number[];
  readonly explicitBounds?: number[];
  readonly min?: number;
  readonly max?: number;
  /** exponentialHistogram only. */
  readonly scale?: number;
  readonly zeroCount?: number;
  readonly positive?: { readonly offset: number; readonly bucketCounts: number[] };
  readonly negative?: { readonly offset: number; readonly bucketCounts: number[] };
  /** summary only. */
  readonly quantiles?: Array<{ readonly quantile: number; readonly value: number }>;
}

/** One data point of one metric (a metric with three points yields three of these). */
export interface ReceivedMetric {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly type: MetricType;
  /** sum, histogram and exponentialHistogram only. */
  readonly temporality?: 'delta' | 'cumulative';
  /** sum only. */
  readonly monotonic?: boolean;
  readonly point: MetricPoint;
  readonly resource: Attributes;
  readonly scope: Scope;
}

export interface ReceivedLog {
  readonly timeUnixNano: bigint;
  readonly observedTimeUnixNano: bigint;
  /** 0 (unspecified) to 24 (FATAL4). */
  readonly severityNumber: number;
  readonly severityText: string;
  /** undefined when the record has no body. */
  readonly body: AttrValue | undefined;
  readonly attributes: Attributes;
  readonly attributeKinds: AttributeKinds;
  readonly eventName: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly flags: number | undefined;
  readonly droppedAttributesCount: number;
  readonly resource: Attributes;
  readonly scope: Scope;
}

/** One POST to a signal path, decoded, as the receiver answered it. */
export interface ReceivedRequest {
  readonly signal: Signal;
  readonly encoding: Encoding;
  readonly gzip: boolean;
  /** Body size on the wire (compressed when gzip). */
  readonly bytes: number;
  /** Lowercase names; repeated headers joined with ', '. */
  readonly headers: Record<string, string>;
  /** The status answered (or planned, when the sender left first). */
  readonly status: number;
  /** The sender received a 2xx. Only accepted requests feed `spans()`, `metrics()`, `logs()`. */
  readonly accepted: boolean;
  /** The sender closed the connection before a held answer (`delayMs`) was sent. */
  readonly abandoned: boolean;
  /** Why the body could not be decoded (answered 400), else null. */
  readonly error: string | null;
  /** Arrival time, `Date.now()`. */
  readonly atMs: number;
  readonly spans: readonly ReceivedSpan[];
  readonly metrics: readonly ReceivedMetric[];
  readonly logs: readonly ReceivedLog[];
}

/** A request the receiver could not treat as OTLP: wrong path, method, media type or size. */
export interface StrayRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly reason: string;
  readonly atMs: number;
}

/**
 * What to answer instead of 200. `times` requests get it (default: until changed), then the
 * receiver answers 200 again. `delayMs` holds the answer (a slow backend).
 */
export interface ResponsePlan {
  readonly status: number;
  /** Sent as `Retry-After` (seconds). */
  readonly retryAfterSeconds?: number;
  readonly delayMs?: number;
  readonly times?: number;
}

export interface ReceiverOptions {
  /** Folder holding `opentelemetry/proto/...`; default `OTLP_PROTO_DIR`, else `<repo>/.cache/otlp-proto`. */
  readonly protoDir?: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /** Bodies over this many bytes, compressed or not, are answered 413. Default 32 MiB. */
  readonly maxBodyBytes?: number;
  /** PEM key and certificate: serve HTTPS (`url` then starts with `https://`). Default: plain HTTP. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export interface OtlpReceiver {
  /** `http://127.0.0.1:PORT` (`https://` with `tls`), for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly url: string;
  /** Every POST to a signal path, in arrival order, each listed once answered. */
  readonly requests: readonly ReceivedRequest[];
  /** 404, 405, 413 and 415 requests, in arrival order. */
  readonly strays: readonly StrayRequest[];
  /** Spans of accepted requests, in arrival order. */
  spans(): ReceivedSpan[];
  /** Metric data points of accepted requests, one entry per point. */
  metrics(): ReceivedMetric[];
  /** Log records of accepted requests. */
  logs(): ReceivedLog[];
  /** Requests not answered 2xx, optionally of one signal. */
  refusedCount(signal?: Signal): number;
  /** Resolves once `predicate` holds (checked now and after each request); rejects after `timeoutMs` (default 5000). */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /**
   * Plans the answers of one signal, or with 'all' of every signal (clearing the per-signal
   * plans, which otherwise win over the 'all' plan); `null` goes back to 200.
   */
  setResponse(signal: Signal | 'all', response: ResponsePlan | null): void;
  close(): Promise<void>;
}

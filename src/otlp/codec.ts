/**
 * The OTLP/HTTP codec: export requests from and to protobuf and OTLP/JSON, item counts, and
 * the response and error bodies. The OTLP receiver loads it with a dynamic `import()` on its
 * first request, so nothing here runs at cold start.
 * @experimental
 */
import Long from 'long';
import { OtlpFormatError } from './format-error.ts';
import { readJson } from './json-read.ts';
import { writeJson } from './json-write.ts';
import { encodeMessage, readerOf, STATUS_TYPE, TYPES } from './proto.ts';
import type { OtlpFormat, OtlpRequest, OtlpResult, OtlpSignal } from './types.ts';

export { OtlpFormatError } from './format-error.ts';
export { PROTOBUF_RECURSION_LIMIT } from './proto.ts';
export type {
  AnyValue,
  ExportLogsRequest,
  ExportMetricsRequest,
  ExportTraceRequest,
  InstrumentationScope,
  Int64,
  KeyValue,
  OtlpFormat,
  OtlpRequest,
  OtlpRequests,
  OtlpResult,
  OtlpSignal,
  Resource,
  ResourceSpans,
  ScopeSpans,
  Span,
} from './types.ts';

/**
 * Decodes a protobuf `Export<Signal>ServiceRequest`. Fields newer than the schema are kept and
 * written back by {@link encode}. Bytes fields (ids, `bytesValue`) are views of `bytes`, not
 * copies. An absent id reads as an empty array (length 0).
 * @throws OtlpFormatError on malformed protobuf, invalid UTF-8 in a string, or messages nested
 * deeper than {@link PROTOBUF_RECURSION_LIMIT}.
 * @example
 * const request = decode('traces', body);
 * for (const { scopeSpans } of request.resourceSpans) for (const { spans } of scopeSpans) console.log(spans.length);
 */
export function decode<S extends OtlpSignal>(signal: S, bytes: Uint8Array): OtlpRequest<S> {
  const type = TYPES[signal].request;
  try {
    return type.decode(readerOf(bytes)) as unknown as OtlpRequest<S>;
  } catch (error) {
    throw new OtlpFormatError(`malformed protobuf ${type.name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Encodes a request (from {@link decode} or {@link fromJson}, or of their shape) as protobuf.
 * A request decoded from protobuf and not changed encodes to the bytes it was decoded from, when
 * they were canonical (fields in number order, defaults left out, as OTLP exporters write them).
 * @example
 * const body = encode('traces', decode('traces', received));
 */
export function encode<S extends OtlpSignal>(signal: S, request: OtlpRequest<S>): Uint8Array {
  return encodeMessage(TYPES[signal].request, request);
}

/**
 * Reads an OTLP/JSON request: lowerCamelCase keys; `traceId`, `spanId` and `parentSpanId` (of
 * spans, links, log records and exemplars) as hex, an empty string meaning absent; enums as
 * integers or their names; 64-bit integers as decimal strings or numbers; `bytesValue` as base64;
 * unknown keys ignored. The result has the shape {@link decode} gives.
 * @throws OtlpFormatError on malformed JSON, a wrong shape or an invalid value, naming its path
 * (e.g. `resourceSpans[0].scopeSpans[0].spans[2].traceId`).
 * @example
 * const request = fromJson('logs', '{"resourceLogs":[]}');
 */
export function fromJson<S extends OtlpSignal>(signal: S, text: string): OtlpRequest<S> {
  return readJson(TYPES[signal].request, text) as unknown as OtlpRequest<S>;
}

/**
 * Writes a request as OTLP/JSON: hex ids, enums as integers, 64-bit integers as decimal strings,
 * defaults left out. Unknown fields kept from protobuf are dropped: JSON has no form for them.
 * @example
 * const text = toJson('traces', decode('traces', body));
 */
export function toJson<S extends OtlpSignal>(signal: S, request: OtlpRequest<S>): string {
  return writeJson(TYPES[signal].request, request);
}

/**
 * Concatenates serialized requests of one signal into one. Protobuf parses concatenated
 * messages as one message: a repeated field's elements appended in order, so the result decodes
 * as one request holding every part's `resource<Signal>` in order. No part is decoded.
 * @example
 * const batch = concatRequests([first, second]); // decode(signal, batch) holds both
 */
export function concatRequests(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

interface DataPoints {
  dataPoints?: readonly unknown[];
}

interface MetricShape {
  gauge?: DataPoints | null;
  sum?: DataPoints | null;
  histogram?: DataPoints | null;
  exponentialHistogram?: DataPoints | null;
  summary?: DataPoints | null;
}

const pointsOf = (data: DataPoints | null | undefined): number => data?.dataPoints?.length ?? 0;

function countMetricPoints(request: OtlpRequest<'metrics'>): number {
  let count = 0;
  for (const resource of request.resourceMetrics as readonly { scopeMetrics?: readonly { metrics?: readonly MetricShape[] }[] }[]) {
    for (const scope of resource.scopeMetrics ?? []) {
      for (const metric of scope.metrics ?? []) {
        // One of the five is set (a oneof); the others read as null.
        count += pointsOf(metric.gauge) + pointsOf(metric.sum) + pointsOf(metric.histogram) + pointsOf(metric.exponentialHistogram) + pointsOf(metric.summary);
      }
    }
  }
  return count;
}

/**
 * The items a request carries, as OTLP counts them in `partial_success`: spans, metric data
 * points (of gauges, sums, histograms, exponential histograms and summaries) or log records.
 * @example
 * countItems('traces', request); // 50
 */
export function countItems<S extends OtlpSignal>(signal: S, request: OtlpRequest<S>): number {
  let count = 0;
  if (signal === 'traces') {
    for (const resource of (request as OtlpRequest<'traces'>).resourceSpans) for (const scope of resource.scopeSpans) count += scope.spans.length;
  } else if (signal === 'logs') {
    for (const resource of (request as OtlpRequest<'logs'>).resourceLogs as readonly { scopeLogs?: readonly { logRecords?: readonly unknown[] }[] }[]) {
      for (const scope of resource.scopeLogs ?? []) count += scope.logRecords?.length ?? 0;
    }
  } else {
    count = countMetricPoints(request as OtlpRequest<'metrics'>);
  }
  return count;
}

/**
 * The body of a successful export response (HTTP 200), as protobuf or UTF-8 JSON bytes:
 * `Export<Signal>ServiceResponse` with `partial_success` (`rejected_spans`,
 * `rejected_data_points` or `rejected_log_records`, and `error_message`) only when something was
 * rejected or there is a message; otherwise the empty message (zero bytes, or `{}`).
 * @throws RangeError when `rejected` is not a non-negative integer.
 * @example
 * res.end(encodeResponse('traces', { rejected: 0 }, 'protobuf')); // zero bytes
 */
export function encodeResponse(signal: OtlpSignal, result: OtlpResult, format: OtlpFormat): Uint8Array {
  const { rejected, errorMessage = '' } = result;
  if (!Number.isSafeInteger(rejected) || rejected < 0) throw new RangeError(`otlp: rejected must be a non-negative integer, got ${rejected}`);
  const types = TYPES[signal];
  const partial = rejected > 0 || errorMessage !== '';
  if (format === 'json') {
    if (!partial) return Buffer.from('{}');
    const partialSuccess: Record<string, string> = {};
    if (rejected > 0) partialSuccess[types.rejectedField] = String(rejected);
    if (errorMessage !== '') partialSuccess.errorMessage = errorMessage;
    return Buffer.from(JSON.stringify({ partialSuccess }));
  }
  if (!partial) return new Uint8Array(0);
  const partialSuccess = types.partialSuccess.create({ [types.rejectedField]: Long.fromNumber(rejected), errorMessage });
  return encodeMessage(types.response, types.response.create({ partialSuccess }));
}

/**
 * The body of an OTLP/HTTP error response (4xx, 5xx): a `google.rpc.Status` with `code` (a
 * gRPC code, e.g. 3 INVALID_ARGUMENT) and `message`, as protobuf or UTF-8 JSON bytes.
 * @example
 * res.writeHead(400).end(encodeStatus(3, error.message, 'json'));
 */
export function encodeStatus(code: number, message: string, format: OtlpFormat): Uint8Array {
  if (format === 'json') return Buffer.from(JSON.stringify(message === '' ? { code } : { code, message }));
  return encodeMessage(STATUS_TYPE, STATUS_TYPE.create({ code, message }));
}

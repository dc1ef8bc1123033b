/**
 * Flattens a decoded `Export<Signal>ServiceRequest` (protobuf-decoded or OTLP/JSON, camelCase
 * field names) into one plain record per span, metric data point or log record.
 * Malformed input throws (a TypeError at worst); the receiver answers it 400.
 */
import type { ReceivedLog, ReceivedSpan, SpanKindName, StatusCodeName } from './otlp-types.ts';
import {
  anyValue,
  enumIndex,
  idToHex,
  keyValues,
  resourceAttributes,
  scopeOf,
  toNanos,
  toNumber,
} from './otlp-values.ts';
import type { WireAnyValue, WireBytes, WireKeyValue, WireLong, WireResource, WireScope } from './otlp-values.ts';

interface WireSpan {
  traceId?: WireBytes;
  spanId?: WireBytes;
  parentSpanId?: WireBytes;
  traceState?: string;
  flags?: number;
  name?: string;
  kind?: number | string;
  startTimeUnixNano?: WireLong;
  endTimeUnixNano?: WireLong;
  attributes?: WireKeyValue[];
  events?: Array<{ name?: string; timeUnixNano?: WireLong; attributes?: WireKeyValue[] }>;
  links?: Array<{ traceId?: WireBytes; spanId?: WireBytes; attributes?: WireKeyValue[] }>;
  status?: { code?: number | string; message?: string };
}

interface WireTraceRequest {
  resourceSpans?: Array<{ resource?: WireResource; scopeSpans?: Array<{ scope?: WireScope; spans?: WireSpan[] }> }>;
}

interface WireLogRecord {
  timeUnixNano?: WireLong;
  observedTimeUnixNano?: WireLong;
  severityNumber?: number | string;
  severityText?: string;
  body?: WireAnyValue;
  attributes?: WireKeyValue[];
  droppedAttributesCount?: number;
  eventName?: string;
  flags?: number;
  traceId?: WireBytes;
  spanId?: WireBytes;
}

interface WireLogsRequest {
  resourceLogs?: Array<{ resource?: WireResource; scopeLogs?: Array<{ scope?: WireScope; logRecords?: WireLogRecord[] }> }>;
}

const SPAN_KINDS: readonly SpanKindName[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS_CODES: readonly StatusCodeName[] = ['UNSET', 'OK', 'ERROR'];
const SEVERITY_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

function spanRecord(span: WireSpan, resource: ReceivedSpan['resource'], scope: ReceivedSpan['scope']): ReceivedSpan {
  const { attributes, kinds } = keyValues(span.attributes);
  return {
    traceId: idToHex(span.traceId, 16),
    spanId: idToHex(span.spanId, 8),
    parentSpanId: idToHex(span.parentSpanId, 8),
    name: span.name ?? '',
    kind: SPAN_KINDS[enumIndex(span.kind, SPAN_KINDS, 'SPAN_KIND_')] ?? 'UNSPECIFIED',
    startTimeUnixNano: toNanos(span.startTimeUnixNano),
    endTimeUnixNano: toNanos(span.endTimeUnixNano),
    attributes,
    attributeKinds: kinds,
    status: {
      code: STATUS_CODES[enumIndex(span.status?.code, STATUS_CODES, 'STATUS_CODE_')] ?? 'UNSET',
      message: span.status?.message ?? '',
    },
    links: (span.links ?? []).map((link) => ({
      traceId: idToHex(link.traceId, 16),
      spanId: idToHex(link.spanId, 8),
      attributes: keyValues(link.attributes).attributes,
    })),
    events: (span.events ?? []).map((event) => ({
      name: event.name ?? '',
      timeUnixNano: toNanos(event.timeUnixNano),
      attributes: keyValues(event.attributes).attributes,
    })),
    flags: span.flags || undefined,
    traceState: span.traceState ?? '',
    resource,
    scope,
  };
}

export function flattenSpans(request: unknown): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const resourceSpans of (request as WireTraceRequest).resourceSpans ?? []) {
    const resource = resourceAttributes(resourceSpans.resource);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      const scope = scopeOf(scopeSpans.scope);
      for (const span of scopeSpans.spans ?? []) out.push(spanRecord(span, resource, scope));
    }
  }
  return out;
}

/** 1–24 from a number or a name such as `SEVERITY_NUMBER_INFO2`; 0 when unknown. */
function severityNumber(value: number | string | undefined): number {
  if (typeof value !== 'string') return value ?? 0;
  const name = value.startsWith('SEVERITY_NUMBER_') ? value.slice('SEVERITY_NUMBER_'.length) : value;
  const digit = name.at(-1) ?? '';
  const step = digit >= '2' && digit <= '4' ? Number(digit) - 1 : 0;
  const level = SEVERITY_LEVELS.indexOf(step > 0 ? name.slice(0, -1) : name);
  return level < 0 ? 0 : level * 4 + 1 + step;
}

function logRecord(log: WireLogRecord, resource: ReceivedLog['resource'], scope: ReceivedLog['scope']): ReceivedLog {
  const { attributes, kinds } = keyValues(log.attributes);
  return {
    timeUnixNano: toNanos(log.timeUnixNano),
    observedTimeUnixNano: toNanos(log.observedTimeUnixNano),
    severityNumber: severityNumber(log.severityNumber),
    severityText: log.severityText ?? '',
    body: log.body === undefined || log.body === null ? undefined : anyValue(log.body)[0],
    attributes,
    attributeKinds: kinds,
    eventName: log.eventName ?? '',
    traceId: idToHex(log.traceId, 16),
    spanId: idToHex(log.spanId, 8),
    flags: log.flags || undefined,
    droppedAttributesCount: toNumber(log.droppedAttributesCount),
    resource,
    scope,
  };
}

export function flattenLogs(request: unknown): ReceivedLog[] {
  const out: ReceivedLog[] = [];
  for (const resourceLogs of (request as WireLogsRequest).resourceLogs ?? []) {
    const resource = resourceAttributes(resourceLogs.resource);
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      const scope = scopeOf(scopeLogs.scope);
      for (const log of scopeLogs.logRecords ?? []) out.push(logRecord(log, resource, scope));
    }
  }
  return out;
}

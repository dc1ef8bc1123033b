/**
 * One export request per signal that sets every field of the OTLP schema at least once (every
 * oneof member too), as plain objects for the official protos' `fromObject`: ids as Buffers,
 * 64-bit integers as decimal strings, enums as numbers. `unsetFields` (differential.test.ts)
 * checks that it stays complete when the schema grows.
 */
import type { Signal } from '../support/otlp-types.ts';

const hex = (text: string): Buffer => Buffer.from(text, 'hex');
const TRACE_ID = hex('5b8efff798038103d269b633813fc60c');
const SPAN_ID = hex('eee19b7ec3c1b174');
const PARENT_ID = hex('eee19b7ec3c1b173');
const T0 = '1700000000123456789';
const T1 = '1700000000987654321';

const attributes = [
  { key: 'str', value: { stringValue: 'text é ✓' } },
  { key: 'bool', value: { boolValue: true } },
  { key: 'int', value: { intValue: '-9007199254740993' } },
  { key: 'double', value: { doubleValue: 0.1 } },
  { key: 'array', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }, {}] } } },
  { key: 'kvlist', value: { kvlistValue: { values: [{ key: 'inner', value: { boolValue: false } }] } } },
  { key: 'bytes', value: { bytesValue: Buffer.from([0, 1, 2, 255]) } },
  { key: 'indexed', keyStrindex: 3, value: { stringValueStrindex: 7 } },
];

const resource = {
  attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }],
  droppedAttributesCount: 1,
  entityRefs: [{ schemaUrl: 'https://example.com/entity', type: 'service', idKeys: ['service.name'], descriptionKeys: ['service.version'] }],
};

const scope = { name: 'codec-test', version: '1.2.3', attributes: [{ key: 'scope.attr', value: { stringValue: 's' } }], droppedAttributesCount: 2 };

const span = {
  traceId: TRACE_ID,
  spanId: SPAN_ID,
  traceState: 'vendor=value',
  parentSpanId: PARENT_ID,
  flags: 0x301,
  name: 'GET /orders',
  kind: 2,
  startTimeUnixNano: T0,
  endTimeUnixNano: T1,
  attributes,
  droppedAttributesCount: 3,
  events: [{ timeUnixNano: T0, name: 'exception', attributes: [{ key: 'exception.type', value: { stringValue: 'Error' } }], droppedAttributesCount: 4 }],
  droppedEventsCount: 5,
  links: [{ traceId: hex('0af7651916cd43dd8448eb211c80319c'), spanId: hex('b7ad6b7169203331'), traceState: 'k=v', attributes: [{ key: 'link', value: { intValue: '1' } }], droppedAttributesCount: 6, flags: 0x101 }],
  droppedLinksCount: 7,
  status: { message: 'failed', code: 2 },
};

const exemplar = { filteredAttributes: [{ key: 'f', value: { stringValue: 'x' } }], timeUnixNano: T0, asDouble: 1.5, spanId: SPAN_ID, traceId: TRACE_ID };
const numberPoint = { attributes: [{ key: 'p', value: { stringValue: 'q' } }], startTimeUnixNano: T0, timeUnixNano: T1, asDouble: -2.25, exemplars: [exemplar, { ...exemplar, asDouble: undefined, asInt: '-3' }], flags: 1 };

const metrics = [
  { name: 'gauge', description: 'a gauge', unit: 'ms', gauge: { dataPoints: [numberPoint, { ...numberPoint, asDouble: undefined, asInt: '9223372036854775807' }] }, metadata: [{ key: 'm', value: { stringValue: 'd' } }] },
  { name: 'sum', sum: { dataPoints: [numberPoint], aggregationTemporality: 2, isMonotonic: true } },
  {
    name: 'histogram',
    histogram: {
      dataPoints: [{ attributes, startTimeUnixNano: T0, timeUnixNano: T1, count: '18446744073709551615', sum: 0, bucketCounts: ['1', '0', '18446744073709551615'], explicitBounds: [0, 2.5], exemplars: [exemplar], flags: 1, min: -1, max: 1e300 }],
      aggregationTemporality: 1,
    },
  },
  {
    name: 'exponential',
    exponentialHistogram: {
      dataPoints: [{
        attributes, startTimeUnixNano: T0, timeUnixNano: T1, count: '6', sum: 12.5, scale: -3, zeroCount: '1',
        positive: { offset: -2, bucketCounts: ['1', '2'] }, negative: { offset: 1, bucketCounts: ['3'] },
        flags: 1, exemplars: [exemplar], min: 0, max: 7, zeroThreshold: 1e-9,
      }],
      aggregationTemporality: 2,
    },
  },
  { name: 'summary', summary: { dataPoints: [{ attributes, startTimeUnixNano: T0, timeUnixNano: T1, count: '4', sum: 10, quantileValues: [{ quantile: 0.5, value: 2 }, { quantile: 1, value: 4 }], flags: 1 }] } },
];

const logRecord = {
  timeUnixNano: T0,
  observedTimeUnixNano: T1,
  severityNumber: 17,
  severityText: 'ERROR',
  body: { kvlistValue: { values: [{ key: 'message', value: { stringValue: 'boom' } }] } },
  attributes,
  droppedAttributesCount: 8,
  flags: 1,
  traceId: TRACE_ID,
  spanId: SPAN_ID,
  eventName: 'order.failed',
};

/** Every field of each signal's request, set. */
export const FULL_REQUESTS: Record<Signal, Record<string, unknown>> = {
  traces: { resourceSpans: [{ resource, scopeSpans: [{ scope, spans: [span, { traceId: TRACE_ID, spanId: PARENT_ID, name: 'root' }], schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' }], schemaUrl: 'https://opentelemetry.io/schemas/1.29.0' }] },
  metrics: { resourceMetrics: [{ resource, scopeMetrics: [{ scope, metrics, schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' }], schemaUrl: 'https://opentelemetry.io/schemas/1.29.0' }] },
  logs: { resourceLogs: [{ resource, scopeLogs: [{ scope, logRecords: [logRecord, { body: { stringValue: 'plain' } }], schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' }], schemaUrl: 'https://opentelemetry.io/schemas/1.29.0' }] },
};

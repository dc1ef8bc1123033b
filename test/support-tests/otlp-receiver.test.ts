import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, ValueType, trace } from '@opentelemetry/api';
import type { HrTime } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { AggregationTemporalityPreference, OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { DataPoint, Histogram, PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { after, before, describe, it } from 'node:test';
import {
  DEFAULT_PROTO_DIR,
  OTLP_PROTO_DIR,
  loadOtlpProtos,
  resolveOtlpProtoDir,
  startOtlpReceiver,
} from '../support/otlp-receiver.ts';
import type { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver.ts';

/** The exporters' `compression` option, an enum of the transitive otlp-exporter-base package. */
type Compression = NonNullable<ConstructorParameters<typeof ProtoTraceExporter>[0]>['compression'];
const compression = (gzip: boolean): Compression => (gzip ? 'gzip' : 'none') as Compression;

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

function send(url: string, path: string, body: string | Buffer, headers: Record<string, string> = {}, method = 'POST'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const PROTOBUF = { 'Content-Type': 'application/x-protobuf' };
const JSON_TYPE = { 'Content-Type': 'application/json' };

const nanos = (time: HrTime): bigint => BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);

/** The smallest trace request: one span, ids as OTLP/JSON spells them (hex). */
function jsonSpanBody(name: string): string {
  const span = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name, kind: 1 };
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
}

const RESOURCE = { 'service.name': 'receiver-test', 'cloud.region': 'eu-west-1' };
const T0: HrTime = [1_700_000_000, 123_456_789];
const ATTRIBUTES = {
  text: 'hello',
  int: 42,
  negative: -7,
  large: 2 ** 40,
  double: 1.5,
  flag: true,
  strings: ['a', 'b'],
  ints: [1, 2, 3],
  doubles: [0.5, 1.25],
  flags: [true, false],
};

/** A SERVER parent with every attribute type, a link, an event and an ERROR status, and a CLIENT child. */
function emitSpans(provider: TracerProvider): void {
  const tracer = provider.getTracer('receiver-test-scope', '1.2.3');
  const linked = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
  const parent = tracer.startSpan('parent', {
    kind: SpanKind.SERVER,
    startTime: T0,
    attributes: ATTRIBUTES,
    links: [{ context: linked, attributes: { 'link.reason': 'batch' } }],
  });
  parent.addEvent('cache.miss', { key: 'k1', attempt: 2 }, [1_700_000_000, 500_000_001]);
  parent.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  const child = tracer.startSpan('child', { kind: SpanKind.CLIENT, startTime: [1_700_000_000, 200_000_000] }, trace.setSpan(ROOT_CONTEXT, parent));
  child.end([1_700_000_000, 300_000_000]);
  parent.end([1_700_000_001, 987_654_321]);
}

function assertSameSpan(received: ReceivedSpan, created: ReadableSpan): void {
  const context = created.spanContext();
  assert.equal(received.traceId, context.traceId);
  assert.equal(received.spanId, context.spanId);
  assert.equal(received.parentSpanId, created.parentSpanContext?.spanId ?? '');
  assert.equal(received.name, created.name);
  assert.equal(received.startTimeUnixNano, nanos(created.startTime));
  assert.equal(received.endTimeUnixNano, nanos(created.endTime));
  assert.equal((received.flags ?? 0) & 0xff, context.traceFlags);
  assert.deepEqual(received.resource, { ...created.resource.attributes });
  assert.deepEqual(received.scope, { name: 'receiver-test-scope', version: '1.2.3' });
}

const TRACE_CASES = [
  { name: 'protobuf', Exporter: ProtoTraceExporter, encoding: 'protobuf', gzip: false },
  { name: 'protobuf + gzip', Exporter: ProtoTraceExporter, encoding: 'protobuf', gzip: true },
  { name: 'JSON', Exporter: JsonTraceExporter, encoding: 'json', gzip: false },
  { name: 'JSON + gzip', Exporter: JsonTraceExporter, encoding: 'json', gzip: true },
] as const;

describe('otlp receiver: traces from the real OpenTelemetry exporters', () => {
  for (const { name, Exporter, encoding, gzip } of TRACE_CASES) {
    it(`decodes spans sent as ${name}`, async () => {
      // Prepare
      const receiver = await startOtlpReceiver();
      const memory = new InMemorySpanExporter();
      const exporter = new Exporter({ url: `${receiver.url}/v1/traces`, compression: compression(gzip) });
      const provider = new TracerProvider({
        resource: resourceFromAttributes(RESOURCE),
        spanProcessors: [new SimpleSpanProcessor({ exporter }), new SimpleSpanProcessor({ exporter: memory })],
      });
      try {
        // Act
        emitSpans(provider);
        await provider.forceFlush();
        await receiver.waitFor(() => receiver.spans().length === 2);

        // Assess: the requests
        assert.equal(receiver.requests.length, 2);
        for (const req of receiver.requests) {
          assert.equal(req.signal, 'traces');
          assert.equal(req.encoding, encoding);
          assert.equal(req.gzip, gzip);
          assert.equal(req.accepted, true);
          assert.equal(req.status, 200);
          assert.equal(req.error, null);
          assert.ok(req.bytes > 0);
          assert.match(req.headers['content-type'] ?? '', encoding === 'json' ? /application\/json/ : /application\/x-protobuf/);
          assert.equal(req.headers['content-encoding'], gzip ? 'gzip' : undefined);
        }

        // Assess: the spans, against what the SDK created
        const [createdChild, createdParent] = memory.getFinishedSpans();
        const child = receiver.spans().find((s) => s.name === 'child')!;
        const parent = receiver.spans().find((s) => s.name === 'parent')!;
        assertSameSpan(child, createdChild!);
        assertSameSpan(parent, createdParent!);
        assert.equal(child.parentSpanId, parent.spanId);
        assert.equal(child.traceId, parent.traceId);
        assert.equal(parent.parentSpanId, '');
        assert.equal(parent.kind, 'SERVER');
        assert.equal(child.kind, 'CLIENT');
        assert.equal(parent.startTimeUnixNano, 1_700_000_000_123_456_789n);
        assert.equal(parent.endTimeUnixNano, 1_700_000_001_987_654_321n);
        assert.deepEqual(parent.attributes, ATTRIBUTES);
        assert.deepEqual(parent.attributeKinds, {
          text: 'string',
          int: 'int',
          negative: 'int',
          large: 'int',
          double: 'double',
          flag: 'bool',
          strings: 'array',
          ints: 'array',
          doubles: 'array',
          flags: 'array',
        });
        assert.deepEqual(parent.status, { code: 'ERROR', message: 'boom' });
        assert.deepEqual(child.status, { code: 'UNSET', message: '' });
        assert.deepEqual(parent.links, [
          { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', attributes: { 'link.reason': 'batch' } },
        ]);
        assert.deepEqual(parent.events, [{ name: 'cache.miss', timeUnixNano: 1_700_000_000_500_000_001n, attributes: { key: 'k1', attempt: 2 } }]);
        assert.equal(parent.resource['service.name'], 'receiver-test');
        assert.equal(parent.traceState, '');
      } finally {
        await provider.shutdown();
        await receiver.close();
      }
    });
  }
});

/** A metric reader collected by hand, with the exporter's temporality. */
class ManualReader extends MetricReader {
  constructor(exporter: PushMetricExporter) {
    super({ aggregationTemporalitySelector: (type) => exporter.selectAggregationTemporality!(type) });
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const METRIC_CASES = [
  { name: 'protobuf, cumulative', encoding: 'protobuf', gzip: false, temporality: 'cumulative' },
  { name: 'JSON + gzip, delta', encoding: 'json', gzip: true, temporality: 'delta' },
] as const;

describe('otlp receiver: metrics from the real OpenTelemetry exporters', () => {
  for (const { name, encoding, gzip, temporality } of METRIC_CASES) {
    it(`decodes a counter, a gauge and a histogram sent as ${name}`, async () => {
      // Prepare
      const receiver = await startOtlpReceiver();
      const config = {
        url: `${receiver.url}/v1/metrics`,
        compression: compression(gzip),
        temporalityPreference: temporality === 'delta' ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE,
      };
      const exporter = encoding === 'json' ? new JsonMetricExporter(config) : new ProtoMetricExporter(config);
      const reader = new ManualReader(exporter);
      const provider = new MeterProvider({ resource: resourceFromAttributes(RESOURCE), readers: [reader] });
      const meter = provider.getMeter('receiver-test-meter', '0.1.0');
      try {
        const requests = meter.createCounter('app.requests', { description: 'Requests served', unit: '{request}', valueType: ValueType.INT });
        const bytes = meter.createCounter('app.bytes', { unit: 'By' });
        const temperature = meter.createGauge('app.temperature', { unit: 'Cel' });
        const latency = meter.createHistogram('app.latency', { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100, 1000] } });
        requests.add(3, { route: 'a' });
        requests.add(4, { route: 'a' });
        requests.add(1, { route: 'b' });
        bytes.add(2.5);
        temperature.record(21.5, { room: 'lab' });
        for (const ms of [5, 50, 500, 5000]) latency.record(ms);

        // Act
        const { resourceMetrics } = await reader.collect();
        const result = await new Promise<{ code: ExportResultCode }>((resolve) => exporter.export(resourceMetrics, resolve));
        assert.equal(result.code, ExportResultCode.SUCCESS);

        // Assess
        assert.equal(receiver.requests.length, 1);
        assert.deepEqual([receiver.requests[0]!.encoding, receiver.requests[0]!.gzip], [encoding, gzip]);
        const metrics = receiver.metrics();
        const counter = metrics.filter((m) => m.name === 'app.requests');
        assert.equal(counter.length, 2);
        for (const m of counter) {
          assert.deepEqual([m.type, m.temporality, m.monotonic, m.unit, m.description], ['sum', temporality, true, '{request}', 'Requests served']);
          assert.equal(m.point.valueKind, 'int');
          assert.equal(m.point.attributeKinds['route'], 'string');
        }
        assert.deepEqual(counter.map((m) => [m.point.attributes['route'], m.point.value]).sort(), [['a', 7], ['b', 1]]);
        const byteSum = metrics.find((m) => m.name === 'app.bytes')!;
        assert.deepEqual([byteSum.point.value, byteSum.point.valueKind, byteSum.unit], [2.5, 'double', 'By']);
        const gauge = metrics.find((m) => m.name === 'app.temperature')!;
        assert.deepEqual([gauge.type, gauge.temporality, gauge.monotonic, gauge.unit], ['gauge', undefined, undefined, 'Cel']);
        assert.deepEqual([gauge.point.value, gauge.point.attributes], [21.5, { room: 'lab' }]);
        const histogram = metrics.find((m) => m.name === 'app.latency')!;
        assert.deepEqual([histogram.type, histogram.temporality, histogram.unit], ['histogram', temporality, 'ms']);
        const { count, sum, min, max, bucketCounts, explicitBounds } = histogram.point;
        assert.deepEqual({ count, sum, min, max, bucketCounts, explicitBounds }, {
          count: 4,
          sum: 5555,
          min: 5,
          max: 5000,
          bucketCounts: [1, 1, 1, 1],
          explicitBounds: [10, 100, 1000],
        });
        const created = resourceMetrics.scopeMetrics[0]!.metrics.find((m) => m.descriptor.name === 'app.latency')!;
        const point = created.dataPoints[0] as DataPoint<Histogram>;
        assert.equal(histogram.point.startTimeUnixNano, nanos(point.startTime));
        assert.equal(histogram.point.timeUnixNano, nanos(point.endTime));
        assert.deepEqual(histogram.scope, { name: 'receiver-test-meter', version: '0.1.0' });
        assert.equal(histogram.resource['cloud.region'], 'eu-west-1');
      } finally {
        await provider.shutdown();
        await receiver.close();
      }
    });
  }
});

describe('otlp receiver: logs and hand-written bodies', () => {
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());

  const traceId = Buffer.from('5b8efff798038103d269b633813fc60c', 'hex');
  const spanId = Buffer.from('eee19b7ec3c1b174', 'hex');
  const logsRequest = {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fn' } }] },
        scopeLogs: [
          {
            scope: { name: 'lambda', version: '1' },
            logRecords: [
              {
                timeUnixNano: '1700000000123456789',
                observedTimeUnixNano: '1700000000200000000',
                severityNumber: 17,
                severityText: 'ERROR',
                body: { kvlistValue: { values: [{ key: 'msg', value: { stringValue: 'failed' } }, { key: 'n', value: { intValue: 3 } }] } },
                attributes: [
                  { key: 'faas.invocation_id', value: { stringValue: 'req-1' } },
                  { key: 'ratio', value: { doubleValue: 0.25 } },
                  { key: 'raw', value: { bytesValue: Buffer.from([1, 2, 255]) } },
                ],
                droppedAttributesCount: 2,
                eventName: 'app.failure',
                flags: 1,
                traceId,
                spanId,
              },
            ],
          },
        ],
      },
    ],
  };

  const EXPECTED_LOG = {
    timeUnixNano: 1_700_000_000_123_456_789n,
    observedTimeUnixNano: 1_700_000_000_200_000_000n,
    severityNumber: 17,
    severityText: 'ERROR',
    body: { msg: 'failed', n: 3 },
    attributes: { 'faas.invocation_id': 'req-1', ratio: 0.25, raw: new Uint8Array([1, 2, 255]) },
    attributeKinds: { 'faas.invocation_id': 'string', ratio: 'double', raw: 'bytes' },
    eventName: 'app.failure',
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    flags: 1,
    droppedAttributesCount: 2,
    resource: { 'service.name': 'fn' },
    scope: { name: 'lambda', version: '1' },
  };

  it('decodes a protobuf ExportLogsServiceRequest encoded with the official protos, plain and gzip', async () => {
    const body = Buffer.from(loadOtlpProtos().encode('logs', logsRequest));
    assert.equal((await send(receiver.url, '/v1/logs', body, PROTOBUF)).status, 200);
    const answer = await send(receiver.url, '/v1/logs', gzipSync(body), { ...PROTOBUF, 'Content-Encoding': 'gzip' });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'application/x-protobuf');
    assert.equal(answer.body.length, 0);

    const [plain, zipped] = receiver.logs();
    assert.deepEqual(plain, zipped);
    assert.deepEqual(plain, EXPECTED_LOG);
    assert.equal(receiver.requests.at(-1)!.bytes, gzipSync(body).length, 'bytes counts the gzip body on the wire');
  });

  it('decodes OTLP/JSON logs to the same record: hex or base64 ids, enum names, int64 as string or number', async () => {
    const before = receiver.logs().length;
    const jsonLogs = (ids: { traceId: string; spanId: string }, severityNumber: number | string, n: number | string) => {
      const record = {
        ...ids,
        timeUnixNano: '1700000000123456789',
        observedTimeUnixNano: '1700000000200000000',
        severityNumber,
        severityText: 'ERROR',
        body: { kvlistValue: { values: [{ key: 'msg', value: { stringValue: 'failed' } }, { key: 'n', value: { intValue: n } }] } },
        attributes: [
          { key: 'faas.invocation_id', value: { stringValue: 'req-1' } },
          { key: 'ratio', value: { doubleValue: 0.25 } },
          { key: 'raw', value: { bytesValue: Buffer.from([1, 2, 255]).toString('base64') } },
        ],
        droppedAttributesCount: 2,
        eventName: 'app.failure',
        flags: 1,
      };
      const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'fn' } }] };
      return { resourceLogs: [{ resource, scopeLogs: [{ scope: { name: 'lambda', version: '1' }, logRecords: [record] }] }] };
    };
    const hex = jsonLogs({ traceId: traceId.toString('hex'), spanId: spanId.toString('hex') }, 'SEVERITY_NUMBER_ERROR', '3');
    const base64 = jsonLogs({ traceId: traceId.toString('base64'), spanId: spanId.toString('base64') }, 17, 3);
    for (const body of [hex, base64]) {
      const answer = await send(receiver.url, '/v1/logs', JSON.stringify(body), JSON_TYPE);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.toString(), '{}');
      assert.equal(answer.headers['content-type'], 'application/json');
    }
    const [fromHex, fromBase64] = receiver.logs().slice(before);
    assert.deepEqual(fromHex, EXPECTED_LOG);
    assert.deepEqual(fromBase64, EXPECTED_LOG);
  });

  it('normalises a JSON span with base64 ids, a string kind, numeric times and int64 strings', async () => {
    const span = {
      traceId: Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex').toString('base64'),
      spanId: Buffer.from('b7ad6b7169203331', 'hex').toString('base64'),
      name: 'json-span',
      kind: 'SPAN_KIND_PRODUCER',
      startTimeUnixNano: 1_700_000_000_000,
      endTimeUnixNano: '1700000000000000001',
      attributes: [{ key: 'n', value: { intValue: '9007199254740991' } }, { key: 'empty', value: {} }],
      status: { code: 'STATUS_CODE_OK' },
    };
    const answer = await send(receiver.url, '/v1/traces', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }), JSON_TYPE);
    assert.equal(answer.status, 200);
    const received = receiver.spans().find((s) => s.name === 'json-span')!;
    assert.equal(received.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(received.spanId, 'b7ad6b7169203331');
    assert.equal(received.kind, 'PRODUCER');
    assert.equal(received.startTimeUnixNano, 1_700_000_000_000n);
    assert.equal(received.endTimeUnixNano, 1_700_000_000_000_000_001n);
    assert.deepEqual(received.attributes, { n: Number.MAX_SAFE_INTEGER, empty: null });
    assert.deepEqual(received.attributeKinds, { n: 'int', empty: 'empty' });
    assert.deepEqual(received.status, { code: 'OK', message: '' });
    assert.deepEqual([received.resource, received.scope], [{}, { name: '', version: '' }]);
  });

  it('answers 400 to a body that does not decode, and records why', async () => {
    const requestsBefore = receiver.requests.length;
    assert.equal((await send(receiver.url, '/v1/traces', Buffer.from([0x0a, 0xff, 0xff]), PROTOBUF)).status, 400);
    assert.equal((await send(receiver.url, '/v1/metrics', '{not json', JSON_TYPE)).status, 400);
    assert.equal((await send(receiver.url, '/v1/logs', 'not gzip', { ...JSON_TYPE, 'Content-Encoding': 'gzip' })).status, 400);
    const bad = receiver.requests.slice(requestsBefore);
    assert.deepEqual(bad.map((r) => [r.signal, r.status, r.accepted]), [['traces', 400, false], ['metrics', 400, false], ['logs', 400, false]]);
    for (const r of bad) assert.ok(r.error !== null && r.error.length > 0);
  });

  it('refuses other paths (404), methods (405), media types and encodings (415) as strays', async () => {
    assert.equal((await send(receiver.url, '/v1/trace', '{}', JSON_TYPE)).status, 404);
    const get = await send(receiver.url, '/v1/traces', '', {}, 'GET');
    assert.equal(get.status, 405);
    assert.equal(get.headers['allow'], 'POST');
    assert.equal((await send(receiver.url, '/v1/traces', 'x', { 'Content-Type': 'text/plain' })).status, 415);
    assert.equal((await send(receiver.url, '/v1/traces', 'x', { ...JSON_TYPE, 'Content-Encoding': 'br' })).status, 415);
    assert.deepEqual(receiver.strays.map((s) => [s.status, s.method, s.path]), [
      [404, 'POST', '/v1/trace'],
      [405, 'GET', '/v1/traces'],
      [415, 'POST', '/v1/traces'],
      [415, 'POST', '/v1/traces'],
    ]);
  });
});

describe('otlp receiver: body cap', () => {
  it('answers 413 to a body over maxBodyBytes, declared or streamed, and to a gzip bomb with 400', async () => {
    const receiver = await startOtlpReceiver({ maxBodyBytes: 1024 });
    try {
      const big = Buffer.alloc(4096, 0x20);
      assert.equal((await send(receiver.url, '/v1/traces', big, JSON_TYPE)).status, 413);
      assert.equal((await send(receiver.url, '/v1/traces', big, { ...JSON_TYPE, 'Transfer-Encoding': 'chunked' })).status, 413);
      const bomb = gzipSync(Buffer.alloc(64 * 1024, 0x20));
      assert.ok(bomb.length < 1024);
      assert.equal((await send(receiver.url, '/v1/traces', bomb, { ...JSON_TYPE, 'Content-Encoding': 'gzip' })).status, 400);
      assert.deepEqual(receiver.strays.map((s) => s.status), [413, 413]);
    } finally {
      await receiver.close();
    }
    await assert.rejects(startOtlpReceiver({ maxBodyBytes: 0 }), RangeError);
  });
});

describe('otlp receiver: planned answers', () => {
  it('refuses with 503 + Retry-After once; the real exporter retries and the span arrives exactly once', async () => {
    const receiver = await startOtlpReceiver();
    const exporter = new ProtoTraceExporter({ url: `${receiver.url}/v1/traces` });
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    try {
      receiver.setResponse('traces', { status: 503, retryAfterSeconds: 1, times: 1 });
      provider.getTracer('t').startSpan('retried').end();
      await provider.forceFlush();
      await receiver.waitFor(() => receiver.spans().length > 0);

      assert.deepEqual(receiver.requests.map((r) => [r.status, r.accepted]), [[503, false], [200, true]]);
      assert.equal(receiver.refusedCount(), 1);
      assert.equal(receiver.refusedCount('traces'), 1);
      assert.equal(receiver.refusedCount('metrics'), 0);
      assert.deepEqual(receiver.requests[0]!.spans.map((s) => s.name), ['retried'], 'a refused request is still decoded');
      assert.deepEqual(receiver.spans().map((s) => s.name), ['retried']);
      const gapMs = receiver.requests[1]!.atMs - receiver.requests[0]!.atMs;
      assert.ok(gapMs >= 900, `the exporter waited for Retry-After: 1 (waited ${gapMs} ms)`);
    } finally {
      await provider.shutdown();
      await receiver.close();
    }
  });

  it('answers a plan for `times` requests then 200; a signal plan wins over an `all` plan; null resets', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const post = async (path: string): Promise<Answer> => send(receiver.url, path, jsonSpanBody('x'), JSON_TYPE);
      receiver.setResponse('all', { status: 429, retryAfterSeconds: 7, times: 2 });
      const refused = await post('/v1/traces');
      assert.equal(refused.status, 429);
      assert.equal(refused.headers['retry-after'], '7');
      assert.equal((await post('/v1/logs')).status, 429);
      assert.equal((await post('/v1/traces')).status, 200);

      receiver.setResponse('all', { status: 503 });
      receiver.setResponse('metrics', { status: 502 });
      assert.equal((await post('/v1/metrics')).status, 502);
      assert.equal((await post('/v1/traces')).status, 503);
      assert.equal((await post('/v1/traces')).status, 503);
      receiver.setResponse('metrics', null);
      assert.equal((await post('/v1/metrics')).status, 503);
      receiver.setResponse('all', null);
      assert.equal((await post('/v1/traces')).status, 200);
      assert.equal(receiver.refusedCount(), 6);
      assert.throws(() => receiver.setResponse('traces', { status: 99 }), RangeError);
      assert.throws(() => receiver.setResponse('traces', { status: 503, times: 0 }), RangeError);
    } finally {
      await receiver.close();
    }
  });

  it('holds answers for delayMs, keeps arrival order, and flags a sender that gave up', async () => {
    const receiver = await startOtlpReceiver();
    try {
      receiver.setResponse('traces', { status: 200, delayMs: 300, times: 1 });
      const startedMs = Date.now();
      const slow = send(receiver.url, '/v1/traces', jsonSpanBody('slow'), JSON_TYPE);
      // No event marks "arrived but held", so give the slow request a head start.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const fast = await send(receiver.url, '/v1/traces', jsonSpanBody('fast'), JSON_TYPE);
      assert.equal(fast.status, 200);
      assert.deepEqual(receiver.spans().map((s) => s.name), ['fast'], 'a held request is listed once answered');
      assert.equal((await slow).status, 200);
      assert.ok(Date.now() - startedMs >= 290);
      assert.deepEqual(receiver.spans().map((s) => s.name), ['slow', 'fast'], 'listed in arrival order');

      receiver.setResponse('traces', { status: 200, delayMs: 10_000 });
      const gaveUp = new Promise<void>((resolve) => {
        const req = request(`${receiver.url}/v1/traces`, { method: 'POST', headers: JSON_TYPE });
        req.on('error', () => {});
        req.on('close', () => resolve());
        req.end(jsonSpanBody('abandoned'), () => setTimeout(() => req.destroy(), 50));
      });
      await gaveUp;
      await receiver.waitFor(() => receiver.requests.length === 3, 2000);
      assert.deepEqual([receiver.requests[2]!.abandoned, receiver.requests[2]!.accepted], [true, false]);
      assert.equal(receiver.spans().length, 2);
    } finally {
      await receiver.close();
    }
  });
});

describe('otlp receiver: waitFor', () => {
  it('resolves at once when the predicate already holds, and after the request that makes it hold', async () => {
    const receiver = await startOtlpReceiver();
    try {
      await receiver.waitFor(() => true, 1);
      const waiting = receiver.waitFor(() => receiver.spans().length === 1, 2000);
      await send(receiver.url, '/v1/traces', jsonSpanBody('awaited'), JSON_TYPE);
      await waiting;
    } finally {
      await receiver.close();
    }
  });

  it('rejects on timeout with the predicate and what arrived; rejects pending waits on close', async () => {
    const receiver = await startOtlpReceiver();
    try {
      await send(receiver.url, '/v1/nope', '{}', JSON_TYPE);
      await assert.rejects(receiver.waitFor(() => receiver.spans().length > 5, 50), (error: Error) => {
        // The predicate's source, as the loader compiled it.
        assert.match(error.message, /receiver\.spans\(\)\.length ?> ?5/);
        assert.match(error.message, /after 50 ms/);
        assert.match(error.message, /received 0 requests/);
        assert.match(error.message, /404 POST \/v1\/nope/);
        return true;
      });
      const pending = receiver.waitFor(() => false, 5000);
      await receiver.close();
      await assert.rejects(pending, /receiver closed/);
      await assert.rejects(receiver.waitFor(() => false), /receiver closed/);
    } finally {
      await receiver.close();
    }
  });
});

describe('otlp receiver: locating the protos', () => {
  it('prefers an explicit folder, then OTLP_PROTO_DIR, then <repo>/.cache/otlp-proto', () => {
    assert.equal(resolveOtlpProtoDir('/explicit', { [OTLP_PROTO_DIR]: '/env' }), '/explicit');
    assert.equal(resolveOtlpProtoDir(undefined, { [OTLP_PROTO_DIR]: '/env' }), '/env');
    assert.equal(resolveOtlpProtoDir(undefined, {}), DEFAULT_PROTO_DIR);
    assert.match(DEFAULT_PROTO_DIR, /\.cache\/otlp-proto$/);
  });

  it('fails with a message naming both ways to provide them', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'otlp-proto-'));
    const saved = process.env[OTLP_PROTO_DIR];
    try {
      const expected = (error: Error): boolean => {
        assert.match(error.message, /OTLP \.proto files not found/);
        assert.match(error.message, /scripts\/otlp-protos\.sh/);
        assert.match(error.message, /OTLP_PROTO_DIR/);
        assert.ok(error.message.includes(empty));
        return true;
      };
      assert.throws(() => loadOtlpProtos(empty), expected);
      await assert.rejects(startOtlpReceiver({ protoDir: empty }), expected);
      process.env[OTLP_PROTO_DIR] = empty;
      await assert.rejects(startOtlpReceiver(), expected);
    } finally {
      if (saved === undefined) delete process.env[OTLP_PROTO_DIR];
      else process.env[OTLP_PROTO_DIR] = saved;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

/**
 * Our protobuf encoders against the SDK's (`@opentelemetry/otlp-transformer`): for the same
 * spans and log records, both requests decode, with the official OTLP protos (the codec's
 * schema), to the same request. The records are the pipeline's own, from every event fixture and
 * log shape, and hand-built ones with every field and value kind either encoder writes.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { ExportResultCode, TraceState } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { OTEL_DEFAULTS } from '../../src/otel/config.ts';
import { createOtelPipeline } from '../../src/otel/pipeline.ts';
import { encodeLogsRequest } from '../../src/otel/protobuf-logs.ts';
import { encodeTraceRequest } from '../../src/otel/protobuf-spans.ts';
import * as codec from '../../src/otlp/codec.ts';
import { decode as decodeEvents } from '../../src/telemetry/decode.ts';
import type { TelemetryEvent } from '../../src/telemetry/events.ts';
import { createLogger } from '../../src/util/logger.ts';
import { T0, initPhase, invocation, iso, xray } from './event-builders.ts';

const FIXTURES = new URL('../fixtures/telemetry/', import.meta.url);

function assertSameLogs(records: readonly ReadableLogRecord[]): void {
  const ours = codec.decode('logs', encodeLogsRequest(records));
  const sdk = codec.decode('logs', ProtobufLogsSerializer.serializeRequest(records as ReadableLogRecord[])!);
  assert.deepEqual(ours, sdk);
  assert.equal(codec.toJson('logs', ours), codec.toJson('logs', sdk));
  assert.equal(codec.countItems('logs', ours), records.length);
}

function assertSameSpans(spans: readonly ReadableSpan[]): void {
  const ours = codec.decode('traces', encodeTraceRequest(spans));
  const sdk = codec.decode('traces', ProtobufTraceSerializer.serializeRequest(spans as ReadableSpan[])!);
  assert.deepEqual(ours, sdk);
  assert.equal(codec.toJson('traces', ours), codec.toJson('traces', sdk));
  assert.equal(codec.countItems('traces', ours), spans.length);
}

/** What the pipeline hands its span and log exporters for `batches`. */
async function pipelineOutput(batches: readonly TelemetryEvent[][]): Promise<{ spans: ReadableSpan[]; logs: ReadableLogRecord[] }> {
  const spans: ReadableSpan[] = [];
  const logs: ReadableLogRecord[] = [];
  const capture = <T>(into: T[]) => ({
    export: (items: T[], done: (result: ExportResult) => void) => {
      into.push(...items);
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  });
  const accepting = { export: (_: unknown, done: (result: ExportResult) => void) => done({ code: ExportResultCode.SUCCESS }), shutdown: () => Promise.resolve(), selectAggregationTemporality: () => 1 };
  const pipeline = createOtelPipeline({
    registration: { extensionName: 'lambda-telemetry-otel', functionName: 'orders', functionVersion: '$LATEST', accountId: '123456789012' },
    config: { ...OTEL_DEFAULTS, flush: { kind: 'shutdown' }, platformLogs: true, lambda: { ...OTEL_DEFAULTS.lambda, region: 'eu-west-1', memorySizeMB: 128 } },
    logger: createLogger('test', 'error'),
    platformSubscribed: true,
    exporters: { traces: capture(spans), logs: capture(logs), metrics: accepting as never },
  });
  for (const batch of batches) await pipeline.process(batch);
  await pipeline.shutdown(Date.now() + 3000);
  return { spans, logs };
}

const fixtureBatches = (): TelemetryEvent[][] =>
  readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.json'))
    .map((name) => decodeEvents(readFileSync(new URL(name, FIXTURES))).events);

const functionLine = (atMs: number, record: unknown): TelemetryEvent => ({ time: iso(atMs), type: 'function', record }) as TelemetryEvent;

describe('protobuf encoders: the same requests as the SDK\'s', () => {
  it('the pipeline\'s spans and log records of every event fixture', async () => {
    const { spans, logs } = await pipelineOutput(fixtureBatches());
    assert.ok(spans.length >= 10 && logs.length >= 10, `${spans.length} spans, ${logs.length} records`);
    assertSameSpans(spans);
    assertSameLogs(logs);
  });

  it('invocations with X-Ray parents, errors, a cold start, and log lines of every shape', async () => {
    const init = initPhase(T0 - 300, 250);
    const ok = invocation({ requestId: 'a1', atMs: T0, tracing: xray('Root=1-5e1b4151-5ac6c58f5b5dbd6a3ba0f9c4;Parent=53995c3f42cd8ad8;Sampled=1', '4f2a9b8c7d6e5f10'), initDurationMs: 250 });
    const failed = invocation({ requestId: 'a2', atMs: T0 + 100, status: 'error', errorType: 'Runtime.HandlerError' });
    const lines = [
      functionLine(T0 + 1, `${iso(T0 + 1)}\ta1\tINFO\tplain ASCII text`),
      functionLine(T0 + 2, `${iso(T0 + 2)}\ta1\tWARN\tnon-ASCII: café, 日本語, emoji 🎉, lone surrogate \ud800 end`),
      functionLine(T0 + 3, { timestamp: iso(T0 + 3), level: 'ERROR', requestId: 'a1', message: 'nested', n: -42, big: 2 ** 40, neg: -(2 ** 40), f: 1.5, ok: false, none: null, list: [1, 'two', [3], { four: 4 }], obj: { a: { b: { c: 'deep' } } }, 'ü-key': 'ü' }),
      functionLine(T0 + 4, `${iso(T0 + 4)}\ta1\tINFO\t${'long line '.repeat(3000)}`),
      functionLine(T0 + 5, ''),
      functionLine(T0 + 6, 'no request id, between invocations'),
      { time: iso(T0 + 7), type: 'extension', record: 'an extension line' } as TelemetryEvent,
    ];
    const { spans, logs } = await pipelineOutput([[...init, ok.start, ...lines, ok.runtimeDone], [ok.report, failed.start, failed.runtimeDone, failed.report]]);
    assert.ok(logs.length >= lines.length - 1 && spans.length >= 6, `${spans.length} spans, ${logs.length} records`);
    assertSameSpans(spans);
    assertSameLogs(logs);
  });

  it('hand-built records with every field and value kind, across resources and scopes', () => {
    const resourceA = resourceFromAttributes({ 'service.name': 'a', 'host.id': 7, flag: true, ratio: 0.25, list: ['x', 'y'] });
    const resourceB = resourceFromAttributes({ 'service.name': 'b' }, { schemaUrl: 'https://opentelemetry.io/schemas/1.29.0' });
    const scopeA = { name: 'scope-a', version: '1.2.3', schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' };
    const scopeB = { name: 'scope-b' };
    const values: Attributes = {
      empty: '',
      short: 'abc',
      shortUnicode: 'é',
      unicode: 'ä'.repeat(60),
      long: 'x'.repeat(20_000),
      zero: 0,
      int: 123_456,
      uint32Edge: 2 ** 32,
      int64: 2 ** 53 - 1,
      negative: -1,
      negative64: -(2 ** 50),
      double: -0.5,
      nan: Number.NaN,
      infinite: Number.POSITIVE_INFINITY,
      beyondInt64: 2 ** 64,
      yes: true,
      no: false,
      strings: ['a', '', 'ü'],
      numbers: [1, 2.5, -3],
      holes: [null, undefined, 'x'] as never,
      undefinedValue: undefined,
    };
    const record = (overrides: Partial<ReadableLogRecord>): ReadableLogRecord => ({
      hrTime: [1_767_225_600, 123_456_789],
      hrTimeObserved: [1_767_225_600, 999_999_999],
      resource: resourceA,
      instrumentationScope: scopeA,
      attributes: values,
      droppedAttributesCount: 0,
      ...overrides,
    });
    const context = { traceId: '5e1b41515ac6c58f5b5dbd6a3ba0f9c4', spanId: '53995c3f42cd8ad8', traceFlags: TraceFlags.SAMPLED };
    assertSameLogs([
      record({ body: 'text', severityNumber: 9, severityText: 'INFO', spanContext: context, eventName: 'app.event', droppedAttributesCount: 3 }),
      record({ body: { nested: { list: [1, { deep: new Uint8Array([1, 2, 3]) }] }, bytes: new Uint8Array(300) }, spanContext: { ...context, traceFlags: TraceFlags.NONE } }),
      record({ body: ['a', 1, true, null], resource: resourceB, instrumentationScope: scopeB, attributes: {} }),
      record({ body: 'z'.repeat(70_000), hrTime: [0, 0], hrTimeObserved: [4_294_967_295, 999_999_999], instrumentationScope: scopeB }),
      record({ body: null as never, severityNumber: 0 }),
      record({}),
    ]);

    const span = (overrides: Partial<ReadableSpan>): ReadableSpan => ({
      name: 'handler',
      kind: SpanKind.SERVER,
      spanContext: () => ({ ...context, traceState: new TraceState('vendor=a,other=b') }),
      parentSpanContext: { traceId: context.traceId, spanId: 'ffffffffffffffff', traceFlags: 1, isRemote: true },
      startTime: [1_767_225_600, 1],
      endTime: [1_767_225_601, 2],
      status: { code: SpanStatusCode.ERROR, message: 'it broke' },
      attributes: values,
      links: [
        { context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 0 }, attributes: { 'link.kind': 'xray' }, droppedAttributesCount: 1 },
        { context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203332', traceFlags: 1, isRemote: true, traceState: new TraceState('k=v') } },
      ],
      events: [
        { name: 'exception', time: [1_767_225_600, 500], attributes: { 'exception.type': 'Error', 'exception.message': 'ü'.repeat(100) } },
        { name: 'bare', time: [1_767_225_600, 600], droppedAttributesCount: 2 },
      ],
      duration: [1, 1],
      ended: true,
      resource: resourceA,
      instrumentationScope: scopeA,
      droppedAttributesCount: 4,
      droppedEventsCount: 5,
      droppedLinksCount: 6,
      ...overrides,
    });
    assertSameSpans([
      span({}),
      span({ kind: SpanKind.INTERNAL, parentSpanContext: undefined, status: { code: SpanStatusCode.UNSET }, links: [], events: [], attributes: {}, droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0 }),
      span({ kind: SpanKind.CLIENT, status: { code: SpanStatusCode.OK }, resource: resourceB, instrumentationScope: scopeB, spanContext: () => ({ ...context, traceFlags: 0 }) }),
      span({ name: 'n'.repeat(200), instrumentationScope: scopeB, parentSpanContext: { ...context, isRemote: false } }),
    ]);
  });

  it('requests of several MiB, one after another (the writer grows, then lets the large buffer go)', () => {
    const resource = resourceFromAttributes({ 'service.name': 'big' });
    const scope = { name: 'big' };
    for (const [count, bodyBytes] of [[40, 60_000], [512, 10_000], [3, 100]] as const) {
      const records = Array.from({ length: count }, (_, i): ReadableLogRecord => ({
        hrTime: [1_767_225_600 + i, i],
        hrTimeObserved: [1_767_225_600 + i, i],
        body: `${i}:${'b'.repeat(bodyBytes)}`,
        resource,
        instrumentationScope: scope,
        attributes: { index: i },
        droppedAttributesCount: 0,
      }));
      assertSameLogs(records);
    }
  });

  it('an encode that throws (a cyclic body) leaves nothing behind for the next request', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    const resource = resourceFromAttributes({ 'service.name': 'cyclic' });
    const record = (body: unknown): ReadableLogRecord => ({ hrTime: [1, 0], hrTimeObserved: [1, 0], body: body as never, resource, instrumentationScope: { name: 's' }, attributes: { k: 'v' }, droppedAttributesCount: 0 });
    assert.throws(() => encodeLogsRequest([record(cyclic)]), RangeError);
    assertSameLogs([record('after the throw')]);
  });

  it('keys of any length, more of them than the key cache holds', () => {
    const resource = resourceFromAttributes({ 'service.name': 'keys' });
    const attributes: Record<string, string> = { ['k'.repeat(100_000)]: 'long key' };
    for (let i = 0; i < 1500; i++) attributes[`key.${i}`] = `value ${i % 3}`;
    const records = [0, 1, 2].map((i): ReadableLogRecord => ({ hrTime: [i, 0], hrTimeObserved: [i, 0], body: 'b', resource, instrumentationScope: { name: 's' }, attributes, droppedAttributesCount: 0 }));
    assertSameLogs(records);
  });

  it('an empty batch is an empty request', () => {
    assert.equal(encodeLogsRequest([]).length, 0);
    assert.equal(encodeTraceRequest([]).length, 0);
    assert.deepEqual(codec.decode('logs', encodeLogsRequest([])), codec.decode('logs', ProtobufLogsSerializer.serializeRequest([])!));
  });
});

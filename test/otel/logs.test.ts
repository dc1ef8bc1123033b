/** Function and extension logs as OTLP log records, asserted through the SDK's in-memory exporters. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AggregationTemporality, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { OTEL_DEFAULTS } from '../../src/otel/config.ts';
import type { OtelConfig } from '../../src/otel/config.ts';
import { createLogger } from '../../src/util/logger.ts';
import { MAX_VALUE_DEPTH, MAX_VALUE_ENTRIES, UNWRITABLE_VALUE } from '../../src/otel/log-values.ts';
import { createOtelPipeline } from '../../src/otel/pipeline.ts';
import type { LogRecord, TelemetryEvent } from '../../src/telemetry/events.ts';
import { descend, nest } from '../support/nested-values.ts';
import { T0, iso, invocation, xray } from './event-builders.ts';

const REQ = '8f507cfc-0c56-4b13-9e57-4d1a3f4c1c2e';
const OTHER = '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

function setup(config: Partial<OtelConfig> = {}) {
  const spans = new InMemorySpanExporter();
  const logs = new InMemoryLogRecordExporter();
  const lines: string[] = [];
  const pipeline = createOtelPipeline({
    registration: { extensionName: 'lambda-telemetry-otel', functionName: 'fn', functionVersion: '$LATEST', accountId: '1' },
    config: { ...OTEL_DEFAULTS, flush: { kind: 'shutdown' }, ...config },
    logger: createLogger('lambda-telemetry-otel', 'info', (line) => lines.push(line)),
    platformSubscribed: true,
    exporters: { traces: spans, metrics: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), logs },
  });
  return {
    lines,
    async run(batches: TelemetryEvent[][]) {
      for (const batch of batches) pipeline.process(batch);
      await pipeline.shutdown(Date.now() + 2000);
      return { spans: spans.getFinishedSpans(), logs: logs.getFinishedLogRecords() };
    },
  };
}

const fn = (atMs: number, record: LogRecord): TelemetryEvent => ({ time: iso(atMs), type: 'function', record });
const ext = (atMs: number, record: LogRecord): TelemetryEvent => ({ time: iso(atMs), type: 'extension', record });
const ids = (log: ReadableLogRecord) => [log.spanContext?.traceId, log.spanContext?.spanId];

describe('otel pipeline: logs', () => {
  it('parses runtime text formats and JSON logs, and ties them to the invocation span', async () => {
    const inv = invocation({ requestId: REQ, atMs: T0, tracing: xray('Root=1-5e1b4151-5ac6c58f5b5dbd6a3ba0f9c4;Parent=53995c3f42cd8ad8;Sampled=1', '54565fb41ac79632') });
    const { spans, logs } = await setup().run([
      [
        fn(T0 - 50, 'init-time line, no invocation yet\n'),
        inv.start,
        fn(T0 + 5, `${iso(T0 + 4)}\t${REQ}\tINFO\tnode says hi\n`),
        fn(T0 + 6, `[ERROR]\t${iso(T0 + 6)}\t${REQ}\tpython failed\n`),
        fn(T0 + 7, { timestamp: iso(T0 + 7), level: 'WARN', requestId: REQ, message: 'json warning', orderId: 42, customer: { tier: 'gold' } }),
        fn(T0 + 8, 'a plain line during the invocation\n'),
        inv.runtimeDone,
      ],
      [inv.report],
    ]);
    const server = spans.find((s) => s.name === 'fn')!;
    assert.equal(server.spanContext().traceId, '5e1b41515ac6c58f5b5dbd6a3ba0f9c4');
    const [init, node, python, json, plain] = logs;
    assert.equal(logs.length, 5);

    assert.equal(init!.body, 'init-time line, no invocation yet');
    assert.equal(init!.spanContext, undefined);
    assert.equal(init!.attributes['faas.invocation_id'], undefined);
    assert.equal(init!.attributes['aws.lambda.log.source'], 'function');

    for (const log of [node!, python!, json!, plain!]) {
      assert.deepEqual(ids(log), [server.spanContext().traceId, server.spanContext().spanId], `${String(log.body)}: not on the invocation span`);
      assert.equal(log.attributes['faas.invocation_id'], REQ);
    }
    assert.deepEqual([node!.body, node!.severityNumber, node!.severityText, hrTimeToMilliseconds(node!.hrTime)], ['node says hi', 9, 'INFO', T0 + 4]);
    assert.deepEqual([python!.body, python!.severityNumber, python!.severityText], ['python failed', 17, 'ERROR']);
    assert.deepEqual([json!.body, json!.severityNumber], ['json warning', 13]);
    assert.equal(json!.attributes.orderId, 42);
    assert.deepEqual(json!.attributes.customer, { tier: 'gold' });
    assert.deepEqual([plain!.body, plain!.severityNumber], ['a plain line during the invocation', 0]);
    assert.equal(hrTimeToMilliseconds(plain!.hrTime), T0 + 8, 'the event time when the line has none');
  });

  it('a line stamped before 1970 takes the time Lambda observed it (OTLP times are unsigned)', async () => {
    const { logs } = await setup().run([[fn(T0 + 5, `1969-12-31T23:59:58.000Z\t${REQ}\tINFO\tfrom the past\n`), fn(T0 + 6, `1000-01-01T00:00:00.000Z\t${REQ}\tINFO\tfar past\n`)]]);
    assert.deepEqual(logs.map((r) => [r.body, hrTimeToMilliseconds(r.hrTime)]), [['from the past', T0 + 5], ['far past', T0 + 6]]);
  });

  it('uses the request id a line names over the invocation running at that time', async () => {
    const a = invocation({ requestId: REQ, atMs: T0 });
    const b = invocation({ requestId: OTHER, atMs: T0 + 100 });
    const { spans, logs } = await setup().run([[a.start, a.runtimeDone, a.report, b.start, fn(T0 + 101, `${iso(T0 + 101)}\t${REQ}\tINFO\tlate line of the first\n`), b.runtimeDone, b.report]]);
    const first = spans.find((s) => s.attributes['faas.invocation_id'] === REQ)!;
    assert.deepEqual(ids(logs[0]!), [first.spanContext().traceId, first.spanContext().spanId]);
  });

  it('cuts a body over LAMBDA_OTEL_LOG_MAX_BODY_BYTES at a character boundary and says so', async () => {
    const long = `${'é'.repeat(600)}tail`;
    const { logs } = await setup({ logMaxBodyBytes: 1000 }).run([[fn(T0, long)]]);
    const body = logs[0]!.body as string;
    assert.equal(Buffer.byteLength(body), 1000);
    assert.equal(body, 'é'.repeat(500));
    assert.equal(logs[0]!.attributes['lambda_otel.log.truncated'], true);
    assert.equal(logs[0]!.attributes['lambda_otel.log.original_bytes'], 1204);
    assert.equal(logs[0]!.attributes['lambda_otel.log.truncated_values'], 1);
  });

  it(`keeps maps and arrays ${MAX_VALUE_DEPTH} levels deep, the deeper rest as its JSON text, and counts the cuts`, async () => {
    const { logs } = await setup().run([[
      fn(T0, { message: nest(200, 'bottom'), trail: nest(200, 0, 'array'), edge: nest(MAX_VALUE_DEPTH, 'kept') }),
      fn(T0 + 1, { message: 'flat', n: 1 }),
    ]]);
    const { body, attributes, droppedAttributesCount } = logs[0]!;
    const rest = descend(body, MAX_VALUE_DEPTH);
    assert.equal(typeof rest, 'string', `the map at level ${MAX_VALUE_DEPTH + 1} is text`);
    assert.deepEqual(JSON.parse(rest as string), nest(200 - MAX_VALUE_DEPTH, 'bottom'));
    assert.deepEqual(JSON.parse(descend(attributes.trail, MAX_VALUE_DEPTH) as string), nest(200 - MAX_VALUE_DEPTH, 0, 'array'));
    assert.deepEqual(attributes.edge, nest(MAX_VALUE_DEPTH, 'kept'), 'exactly at the bound: kept whole');
    assert.deepEqual(
      [attributes['lambda_otel.log.truncated'], attributes['lambda_otel.log.truncated_values'], attributes['lambda_otel.log.original_bytes'], droppedAttributesCount],
      [true, 2, undefined, 0],
    );
    assert.equal(logs[1]!.attributes['lambda_otel.log.truncated'], undefined, 'nothing cut, nothing said');
  });

  it(`keeps a value of over ${MAX_VALUE_ENTRIES} entries as its JSON text, and cuts every string at LAMBDA_OTEL_LOG_MAX_BODY_BYTES`, async () => {
    const big = 'x'.repeat(1_000_000);
    const ids = Array.from({ length: 100_000 }, (_, i) => i);
    const full = Array.from({ length: MAX_VALUE_ENTRIES }, (_, i) => i);
    const record = { message: 'wide', ids, full, nested: { full }, blob: big, inner: { text: big, n: 1 } };
    const { logs } = await setup({ logMaxBodyBytes: 1000 }).run([[fn(T0, record)]]);
    const { body, attributes } = logs[0]!;
    assert.equal(attributes.ids, JSON.stringify(ids).slice(0, 1000), '100 000 elements: their JSON text, cut');
    assert.deepEqual(attributes.full, full, `${MAX_VALUE_ENTRIES} elements: kept`);
    assert.deepEqual(attributes.nested, { full: JSON.stringify(full).slice(0, 1000) }, 'the map and its array are one entry over');
    assert.equal(attributes.blob, 'x'.repeat(1000));
    assert.deepEqual(attributes.inner, { text: 'x'.repeat(1000), n: 1 });
    assert.equal(body, 'wide');
    assert.deepEqual([attributes['lambda_otel.log.truncated_values'], attributes['lambda_otel.log.original_bytes']], [4, undefined]);
  });

  it('writes a map that has no JSON text (a cycle an API caller built) as a placeholder, and goes on', async () => {
    const loop: Record<string, unknown> = { message: 'cycle' };
    loop.a = loop;
    const { logs } = await setup().run([[fn(T0, loop as LogRecord), fn(T0 + 1, 'next line')]]);
    assert.equal(descend(logs[0]!.attributes.a, MAX_VALUE_DEPTH), UNWRITABLE_VALUE);
    assert.equal(logs[1]!.body, 'next line');
  });

  it('keeps only the cut part of a long body in memory, not the whole line', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heapAfterGc = (): number => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const h = setup({ logMaxBodyBytes: 1000 });
    const before = heapAfterGc();
    // Flat strings, as JSON.parse makes them: 100 MB of lines, 100 kB once cut.
    const { logs } = await h.run([Array.from({ length: 100 }, (_, i) => fn(T0 + i, Buffer.alloc(1_000_000, 'x').toString('latin1')))]);
    const retainedBytes = heapAfterGc() - before;
    assert.equal(logs.length, 100);
    assert.ok(retainedBytes < 20_000_000, `${retainedBytes} bytes retained by 100 records of 1000-byte bodies`);
  });

  it('never feeds on its own log lines, but keeps other extensions\' lines', async () => {
    const own = '{"level":"info","logger":"lambda-telemetry-otel","msg":"subscribed"}';
    const { logs } = await setup().run([[ext(T0, own), ext(T0 + 1, { level: 'warn', logger: 'lambda-telemetry-otel', msg: 'parsed form' }), ext(T0 + 2, '[INFO] another extension speaks')]]);
    assert.deepEqual(logs.map((l) => [l.body, l.attributes['aws.lambda.log.source'], l.severityNumber]), [['another extension speaks', 'extension', 9]]);
  });

  it('emits START / END / REPORT lines with LAMBDA_OTEL_PLATFORM_LOGS', async () => {
    const inv = invocation({ requestId: REQ, atMs: T0, status: 'timeout' });
    const { spans, logs } = await setup({ platformLogs: true }).run([[inv.start, inv.runtimeDone, inv.report]]);
    const server = spans.find((s) => s.name === 'fn')!;
    assert.deepEqual(logs.map((l) => l.body), [
      `START RequestId: ${REQ} Version: $LATEST`,
      `END RequestId: ${REQ}`,
      `REPORT RequestId: ${REQ}\tDuration: 45.00 ms\tBilled Duration: 45 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tStatus: timeout`,
    ]);
    for (const log of logs) {
      assert.equal(log.attributes['aws.lambda.log.source'], 'platform');
      assert.deepEqual(ids(log), [server.spanContext().traceId, server.spanContext().spanId]);
    }
    assert.equal((await setup().run([[inv.start, inv.runtimeDone, inv.report]])).logs.length, 0, 'off by default');
  });

  it('counts and reports records refused when the queue is full, never silently', async () => {
    const h = setup({ logQueue: 100 });
    const { logs } = await h.run([Array.from({ length: 150 }, (_, i) => fn(T0 + i, `line ${i}`))]);
    assert.equal(logs.length, 100);
    const warning = h.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'telemetry lost');
    assert.equal(warning?.logRecordsRefusedQueueFull, 50);
    assert.equal(warning?.logRecords, 50);
  });

  it('keeps JSON fields as attributes up to the cap, drops empty keys, and keeps a field named __proto__ as data', async () => {
    const record: Record<string, unknown> = { message: 'many fields', '': 'no name' };
    Object.defineProperty(record, '__proto__', { value: 'data', enumerable: true });
    for (let i = 0; i < 130; i++) record[`f${i}`] = i;
    const { logs } = await setup().run([[fn(T0, record as LogRecord)]]);
    const log = logs[0]!;
    assert.equal(log.attributes[''], undefined);
    assert.equal(Object.keys(log.attributes).filter((k) => k.startsWith('f')).length, 127, '__proto__ and 127 fields make the 128');
    assert.equal(log.droppedAttributesCount, 4, 'the empty key and the three fields past the cap');
    assert.equal(Object.getPrototypeOf(log.attributes), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(log.attributes, '__proto__')?.value, 'data');
  });

  it('marks the records of an invocation X-Ray did not sample as not sampled', async () => {
    const inv = invocation({ requestId: REQ, atMs: T0, tracing: xray('Root=1-5e1b4151-5ac6c58f5b5dbd6a3ba0f9c4;Parent=53995c3f42cd8ad8;Sampled=0') });
    const { spans, logs } = await setup().run([[inv.start, fn(T0 + 5, 'unsampled line'), inv.runtimeDone, inv.report]]);
    assert.equal(spans.filter((s) => s.name === 'fn').length, 0, 'no invocation span when X-Ray says Sampled=0');
    assert.equal(logs[0]!.spanContext?.traceFlags, 0);
    assert.equal(logs[0]!.spanContext?.traceId, '5e1b41515ac6c58f5b5dbd6a3ba0f9c4');
  });
});

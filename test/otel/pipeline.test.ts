/**
 * The mapping from platform events to spans and metrics, asserted through the SDK's
 * in-memory exporters (the wire format is covered by the end-to-end tests).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExportResultCode, hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTEL_DEFAULTS } from '../../src/otel/config.ts';
import type { OtelConfig } from '../../src/otel/config.ts';
import { createLogger } from '../../src/util/logger.ts';
import { createOtelPipeline } from '../../src/otel/pipeline.ts';
import type { TelemetryEvent } from '../../src/telemetry/events.ts';
import { T0, initPhase, invocation, lambdaOrder, restorePhase, xray } from './event-builders.ts';

const FUNCTION = 'checkout-api';
const ROOT = '1-5e1b4151-5ac6c58f5b5dbd6a3ba0f9c4';
const TRACE_ID = '5e1b41515ac6c58f5b5dbd6a3ba0f9c4';

function setup(config: Partial<OtelConfig> = {}) {
  const spans = new InMemorySpanExporter();
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const pipeline = createOtelPipeline({
    registration: { extensionName: 'lambda-telemetry-otel', functionName: FUNCTION, functionVersion: '$LATEST', accountId: '123456789012' },
    config: {
      ...OTEL_DEFAULTS,
      lambda: { ...OTEL_DEFAULTS.lambda, region: 'eu-west-1', memorySizeMB: 128, logStreamName: '2026/03/01/[$LATEST]abc' },
      flush: { kind: 'shutdown' },
      ...config,
    },
    logger: createLogger('test', 'error'),
    platformSubscribed: true,
    exporters: { traces: spans, metrics, logs: new InMemoryLogRecordExporter() },
  });
  const run = async (batches: TelemetryEvent[][]) => {
    for (const batch of batches) pipeline.process(batch);
    await pipeline.shutdown(Date.now() + 2000);
    return { spans: spans.getFinishedSpans(), metrics: metrics.getMetrics().flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics)) };
  };
  return { run };
}

const ms = (time: ReadableSpan['startTime']) => hrTimeToMilliseconds(time);
const byName = (spans: readonly ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const points = (metrics: readonly MetricData[], name: string) => metrics.filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as Array<{ value: unknown; endTime: [number, number] }>);
const lastSum = (metrics: readonly MetricData[], name: string) => {
  const found = metrics.filter((m) => m.descriptor.name === name && m.dataPointType === DataPointType.SUM).at(-1);
  return (found?.dataPoints[0]?.value as number | undefined) ?? 0;
};

describe('otel pipeline: invocations to spans', () => {
  it('maps a cold start and three invocations, with the report of N arriving in N+1', async () => {
    const init = initPhase(T0 - 300, 250);
    const invs = [
      invocation({ requestId: 'req-1', atMs: T0, initDurationMs: 250 }),
      invocation({ requestId: 'req-2', atMs: T0 + 1000, tracing: xray(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`, '54565fb41ac79632') }),
      invocation({ requestId: 'req-3', atMs: T0 + 2000, status: 'error', errorType: 'Handler.Boom' }),
    ];
    const batches = lambdaOrder(invs);
    batches[0] = [...init, ...batches[0]!];
    const { spans, metrics } = await setup().run(batches);

    const servers = byName(spans, FUNCTION);
    assert.equal(servers.length, 3);
    for (const [i, span] of servers.entries()) {
      assert.equal(span.kind, SpanKind.SERVER);
      assert.equal(span.attributes['faas.invocation_id'], `req-${i + 1}`);
      assert.equal(ms(span.startTime), T0 + i * 1000);
      assert.equal(ms(span.endTime), T0 + i * 1000 + 45);
      assert.equal(span.attributes['aws.lambda.billed_duration_ms'], 45);
      assert.equal(span.attributes['aws.lambda.runtime_duration_ms'], 40);
      assert.equal(span.attributes['aws.lambda.max_memory_used_mb'], 70);
      assert.equal(span.attributes['aws.lambda.produced_bytes'], 42);
    }
    const [first, second, third] = servers as [ReadableSpan, ReadableSpan, ReadableSpan];
    assert.equal(first.attributes['faas.coldstart'], true);
    assert.equal(second.attributes['faas.coldstart'], false);
    assert.equal(first.attributes['aws.lambda.init_duration_ms'], 250);

    // children: the platform's own spans and the post-runtime time of extensions
    for (const server of servers) {
      const children = spans.filter((s) => s.parentSpanContext?.spanId === server.spanContext().spanId && s.spanContext().traceId === server.spanContext().traceId);
      const names = children.map((c) => c.name).sort();
      assert.deepEqual(names, server === first ? ['init', 'postRuntimeExtensions', 'responseDuration', 'responseLatency'] : ['postRuntimeExtensions', 'responseDuration', 'responseLatency']);
      const latency = children.find((c) => c.name === 'responseLatency')!;
      assert.equal(ms(latency.startTime), ms(server.startTime) + 1);
      assert.equal(ms(latency.endTime), ms(server.startTime) + 39);
      const post = children.find((c) => c.name === 'postRuntimeExtensions')!;
      assert.deepEqual([ms(post.startTime), ms(post.endTime)], [ms(server.startTime) + 40, ms(server.startTime) + 45]);
    }

    // the init span is a child of the cold start's invocation span, at the init's own times
    const initSpan = byName(spans, 'init')[0]!;
    assert.equal(initSpan.parentSpanContext?.spanId, first.spanContext().spanId);
    assert.equal(initSpan.spanContext().traceId, first.spanContext().traceId);
    assert.deepEqual([ms(initSpan.startTime), ms(initSpan.endTime)], [T0 - 300, T0 - 50]);
    assert.equal(initSpan.attributes['faas.coldstart'], true);
    assert.equal(initSpan.attributes['aws.lambda.initialization_type'], 'on-demand');
    assert.equal(initSpan.attributes['aws.lambda.runtime_version'], 'nodejs:20.v40');

    // X-Ray: joins the trace under Lambda's parent, with Lambda's span id
    assert.equal(second.spanContext().traceId, TRACE_ID);
    assert.equal(second.parentSpanContext?.spanId, '53995c3f42cd8ad8');
    assert.equal(second.spanContext().spanId, '54565fb41ac79632');
    assert.notEqual(first.spanContext().traceId, TRACE_ID);
    assert.equal(first.parentSpanContext, undefined);

    // errors
    assert.equal(third.status.code, SpanStatusCode.ERROR);
    assert.equal(third.status.message, 'Handler.Boom');
    assert.equal(third.attributes['error.type'], 'Handler.Boom');
    assert.equal(second.status.code, SpanStatusCode.UNSET);

    // resource
    assert.equal(first.resource.attributes['service.name'], FUNCTION);
    assert.equal(first.resource.attributes['cloud.account.id'], '123456789012');
    assert.equal(first.resource.attributes['faas.max_memory'], 128 * 1024 * 1024);

    // metrics: exact counters, one gauge point per report stamped with the report's time
    assert.equal(lastSum(metrics, 'faas.invocations'), 3);
    assert.equal(lastSum(metrics, 'faas.errors'), 1);
    assert.equal(lastSum(metrics, 'faas.coldstarts'), 1);
    assert.equal(lastSum(metrics, 'faas.timeouts'), 0);
    const durations = points(metrics, 'aws.lambda.duration');
    assert.deepEqual(durations.map((p) => p.value), [45, 45, 45]);
    assert.deepEqual(durations.map((p) => hrTimeToMilliseconds(p.endTime)), [T0 + 45, T0 + 1045, T0 + 2045]);
    assert.deepEqual(points(metrics, 'aws.lambda.max_memory_used').map((p) => p.value), [70 * 1048576, 70 * 1048576, 70 * 1048576]);
    assert.deepEqual(points(metrics, 'aws.lambda.init_duration').map((p) => p.value), [250]);
    assert.deepEqual(points(metrics, 'aws.lambda.response_latency').map((p) => p.value), [38, 38, 38]);
  });

  it('uses the status as error.type when there is no errorType, and counts timeouts', async () => {
    const inv = invocation({ requestId: 'r', atMs: T0, status: 'timeout' });
    const { spans, metrics } = await setup().run([[inv.start, inv.runtimeDone, inv.report]]);
    const span = byName(spans, FUNCTION)[0]!;
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.status.message, 'timeout');
    assert.equal(span.attributes['error.type'], 'timeout');
    assert.equal(lastSum(metrics, 'faas.timeouts'), 1);
    assert.equal(lastSum(metrics, 'faas.errors'), 0);
  });

  describe('X-Ray context modes', () => {
    const traced = (header: string) => invocation({ requestId: 'x', atMs: T0, tracing: xray(header) });
    const events = (inv: ReturnType<typeof traced>) => [[inv.start, inv.runtimeDone, inv.report]];

    it('link: a new trace linked to the X-Ray parent', async () => {
      const { spans } = await setup({ xrayContext: 'link' }).run(events(traced(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`)));
      const span = byName(spans, FUNCTION)[0]!;
      assert.notEqual(span.spanContext().traceId, TRACE_ID);
      assert.equal(span.parentSpanContext, undefined);
      assert.deepEqual(span.links.map((l) => [l.context.traceId, l.context.spanId]), [[TRACE_ID, '53995c3f42cd8ad8']]);
    });

    it('ignore: random ids, no link', async () => {
      const { spans } = await setup({ xrayContext: 'ignore' }).run(events(traced(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=0`)));
      const span = byName(spans, FUNCTION)[0]!;
      assert.notEqual(span.spanContext().traceId, TRACE_ID);
      assert.deepEqual(span.links, []);
    });

    it('parent without Parent=: the trace id of the root, no parent span', async () => {
      const { spans } = await setup().run(events(traced(`Root=${ROOT};Sampled=1`)));
      const span = byName(spans, FUNCTION)[0]!;
      assert.equal(span.spanContext().traceId, TRACE_ID);
      assert.equal(span.parentSpanContext, undefined);
    });

    it('Sampled=0 drops the spans but keeps the metrics; configurable', async () => {
      const header = `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=0`;
      const honoured = await setup().run(events(traced(header)));
      assert.equal(honoured.spans.length, 0);
      const inv = traced(header);
      const coldStart = await setup().run([[...initPhase(T0 - 300, 250), inv.start, inv.runtimeDone, inv.report]]);
      assert.deepEqual(coldStart.spans.map((s) => [s.name, s.parentSpanContext]), [['init', undefined]], 'the cold start keeps its init span, as its own trace');
      assert.equal(lastSum(honoured.metrics, 'faas.invocations'), 1);
      const ignored = await setup({ xrayRespectSampled: false }).run(events(traced(header)));
      assert.equal(byName(ignored.spans, FUNCTION)[0]?.spanContext().traceId, TRACE_ID);
    });
  });

  it('exports at SHUTDOWN an invocation whose report never came, ending at runtimeDone', async () => {
    const inv = invocation({ requestId: 'owed', atMs: T0, runtimeMs: 30 });
    const { spans, metrics } = await setup().run([[inv.start, inv.runtimeDone]]);
    const span = byName(spans, FUNCTION)[0]!;
    assert.equal(ms(span.endTime), T0 + 30);
    assert.equal(span.attributes['aws.lambda.completion'], 'shutdown');
    assert.equal(byName(spans, 'postRuntimeExtensions').length, 0);
    assert.equal(lastSum(metrics, 'faas.invocations'), 1);
  });

  it('exports a provisioned-concurrency init on its own, not as a cold start', async () => {
    const { spans, metrics } = await setup().run([initPhase(T0, 500, 'provisioned-concurrency')]);
    const init = byName(spans, 'init')[0]!;
    assert.equal(init.parentSpanContext, undefined);
    assert.equal(init.attributes['faas.coldstart'], false);
    assert.deepEqual([ms(init.startTime), ms(init.endTime)], [T0, T0 + 500]);
    const initHistogram = metrics.find((m) => m.descriptor.name === 'faas.init_duration');
    assert.equal((initHistogram?.dataPoints[0]?.value as { sum: number }).sum, 0.5);
  });

  it('puts a SnapStart restore span under the first invocation after it', async () => {
    const inv = invocation({ requestId: 'snap', atMs: T0 + 200 });
    const { spans } = await setup().run([[...restorePhase(T0, 150), inv.start, inv.runtimeDone, inv.report]]);
    const server = byName(spans, FUNCTION)[0]!;
    const restore = byName(spans, 'restore')[0]!;
    assert.equal(server.attributes['faas.coldstart'], true);
    assert.equal(restore.parentSpanContext?.spanId, server.spanContext().spanId);
    assert.equal(restore.attributes['aws.lambda.restore_duration_ms'], 150);
  });
});

describe('otel pipeline: span queue and a failing backend', () => {
  /** A pipeline whose trace exporter answers with `answer` after `delayMs` (null: never), counting the export calls. */
  function withTraceExporter(answer: ExportResult | ((call: number) => ExportResult), delayMs: number | null) {
    const lines: string[] = [];
    let calls = 0;
    let spansSeen = 0;
    let spansAnswered = 0;
    const pipeline = createOtelPipeline({
      registration: { extensionName: 'lambda-telemetry-otel', functionName: FUNCTION, functionVersion: '$LATEST', accountId: '123456789012' },
      config: { ...OTEL_DEFAULTS, flush: { kind: 'shutdown' } },
      logger: createLogger('lambda-telemetry-otel', 'info', (line) => lines.push(line)),
      platformSubscribed: true,
      exporters: {
        traces: {
          export(items: ReadableSpan[], done: (result: ExportResult) => void) {
            calls++;
            spansSeen += items.length;
            if (delayMs !== null) {
              setTimeout(() => {
                spansAnswered += items.length;
                done(typeof answer === 'function' ? answer(calls) : answer);
              }, delayMs);
            }
          },
          shutdown: () => Promise.resolve(),
        },
        metrics: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
        logs: new InMemoryLogRecordExporter(),
      },
    });
    const warning = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'telemetry lost');
    return { pipeline, warning, lines: () => lines, calls: () => calls, spansSeen: () => spansSeen, spansAnswered: () => spansAnswered };
  }

  it('refuses spans beyond the queue in a burst faster than the backend, and says how many', async () => {
    const h = withTraceExporter({ code: ExportResultCode.SUCCESS }, 5);
    const invocations = 8_500; // 34 000 spans in one batch: over the 32 768 the queue holds plus the first batch on its way
    const events = Array.from({ length: invocations }, (_, i) => invocation({ requestId: `req-${i}`, atMs: T0 + i })).flatMap((inv) => [inv.start, inv.runtimeDone, inv.report]);
    h.pipeline.process(events);
    await h.pipeline.shutdown(Date.now() + 10_000);
    const refused = invocations * 4 - h.spansSeen();
    assert.ok(refused > 0, `some spans were refused (saw ${h.spansSeen()}, warning ${JSON.stringify(h.warning())})`);
    assert.equal(h.warning()?.spans, refused, "every refused span is in the warning");
    assert.equal(h.warning()?.spansRefusedQueueFull, refused);
  });

  it('does not send a failing backend the same spans twice in one flush, nor again before its backoff', async () => {
    const h = withTraceExporter({ code: ExportResultCode.FAILED, error: new Error('connection refused') }, 1);
    const inv = invocation({ requestId: 'req-1', atMs: T0 });
    h.pipeline.process([inv.start, inv.runtimeDone, inv.report]);
    // The first retry is due 1 s after the failure: past this deadline.
    await h.pipeline.shutdown(Date.now() + 800);
    assert.equal(h.calls(), 1);
    assert.equal(h.warning()?.spans, 4, 'kept for a next export that never comes, so reported lost');
    assert.ok(h.lines().some((line) => line.includes('still refuses exports at the SHUTDOWN deadline')));
  });

  it('at SHUTDOWN, sends what a failing backend refused again once its backoff is over, inside the deadline', async () => {
    const h = withTraceExporter((call) => (call === 1 ? { code: ExportResultCode.FAILED, error: new Error('connection refused') } : { code: ExportResultCode.SUCCESS }), 1);
    const inv = invocation({ requestId: 'req-1', atMs: T0 });
    h.pipeline.process([inv.start, inv.runtimeDone, inv.report]);
    await h.pipeline.shutdown(Date.now() + 2_500);
    assert.equal(h.calls(), 2);
    assert.equal(h.warning(), undefined, 'nothing lost');
  });

  it('returns before the SHUTDOWN deadline from a backend that never answers, counting what it holds as lost', async () => {
    const h = withTraceExporter({ code: ExportResultCode.SUCCESS }, null);
    const inv = invocation({ requestId: 'req-1', atMs: T0 });
    h.pipeline.process([inv.start, inv.runtimeDone, inv.report]);
    const deadlineMs = Date.now() + 400;
    await h.pipeline.shutdown(deadlineMs);
    assert.ok(Date.now() < deadlineMs, 'returned before the deadline');
    assert.equal(h.calls(), 1);
    assert.equal(h.warning()?.spans, 4, 'the spans on their way are reported lost');
  });

  it('holds Lambda back while the span queue is over an eighth full, so that batches sent after the answer lose nothing', async () => {
    const h = withTraceExporter({ code: ExportResultCode.SUCCESS }, 5);
    let held = 0;
    for (let batch = 0; batch < 4; batch++) {
      const events = Array.from({ length: 3_000 }, (_, i) => invocation({ requestId: `req-${batch}-${i}`, atMs: T0 + batch * 3_000 + i })).flatMap((inv) => [inv.start, inv.runtimeDone, inv.report]);
      const answer = h.pipeline.process(events);
      if (answer !== undefined) held++;
      await answer; // what the listener does before answering Lambda
    }
    await h.pipeline.shutdown(Date.now() + 10_000);
    assert.ok(held > 0, 'some batches were held');
    assert.equal(h.spansSeen(), 4 * 3_000 * 4);
    assert.equal(h.warning(), undefined);
  });

  it('SHUTDOWN arriving while a threshold export is on its way still delivers every span, once', async () => {
    const h = withTraceExporter({ code: ExportResultCode.SUCCESS }, 100);
    const events = Array.from({ length: 300 }, (_, i) => invocation({ requestId: `req-${i}`, atMs: T0 + i })).flatMap((inv) => [inv.start, inv.runtimeDone, inv.report]);
    h.pipeline.process(events); // 1 200 spans: the first 512 leave at once, the backend answers 100 ms later
    assert.ok(h.calls() > 0, 'an export is on its way');
    await h.pipeline.shutdown(Date.now() + 5_000);
    assert.equal(h.spansSeen(), 300 * 4, 'each span sent once');
    assert.equal(h.spansAnswered(), 300 * 4, 'and answered before SHUTDOWN returned');
    assert.equal(h.warning(), undefined);
  });
});

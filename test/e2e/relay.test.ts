/**
 * The relay of the function's own OpenTelemetry (issue 17), end to end: the built layer runs
 * in the sandbox (freeze on) and the function, during each invocation, uses the real
 * OpenTelemetry SDK against the layer's local OTLP receiver, as a function on Lambda would.
 * At the backend (a test receiver decoding the real protobuf and JSON), every span, point and
 * record of the function arrives exactly once, one trace per invocation, and the function
 * never waited for the backend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { startSandbox } from '../../src/sandbox/index.ts';
import type { InvocationResult, SandboxReport } from '../../src/sandbox/index.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver.ts';
import { ExportResultCode, FUNCTION_COUNTER, FUNCTION_SCOPE, createFunctionTelemetry } from './function-sdk.ts';
import type { FunctionTelemetry } from './function-sdk.ts';
import { EXTENSION, assertLayerBuilt, freePort, layerEnv, logLines, only } from './support.ts';

/** The backend holds every answer this long: a function that waited for it would show. */
const BACKEND_DELAY_MS = 2000;
/** Bound on one forceFlush of the function's SDK: far below the backend's delay. */
const QUICK_MS = 1000;
const INVOCATIONS = 4;

const isFunction = (item: { readonly scope: { readonly name: string } }): boolean => item.scope.name === FUNCTION_SCOPE;
const requestIdOf = (span: ReceivedSpan): unknown => span.attributes['faas.invocation_id'];
/** Our invocation span of `requestId`: the extension's SERVER span carrying its request id. */
const invocationSpan = (spans: readonly ReceivedSpan[], requestId: string): ReceivedSpan | undefined =>
  spans.find((span) => !isFunction(span) && span.kind === 'SERVER' && requestIdOf(span) === requestId);

/** X-Ray's trace id and Parent as OTLP hex. */
function xrayIds(header: string): { traceId: string; parentId: string } {
  const field = (name: string): string => header.split(';').find((part) => part.startsWith(`${name}=`))!.slice(name.length + 1);
  return { traceId: field('Root').slice(2).replaceAll('-', ''), parentId: field('Parent') };
}

/** The extension's own counter `name` of function `functionName`, its last (largest) cumulative value. */
function ownCounter(backend: OtlpReceiver, functionName: string, name: string): number {
  const points = backend.metrics().filter((m) => m.name === name && m.resource['faas.name'] === functionName);
  assert.ok(points.length > 0, `no ${name} at the backend`);
  return Math.max(...points.map((m) => m.point.value ?? 0));
}

/** Runs `count` invocations whose handler is the function's telemetry; the last one traced by X-Ray when `xrayLast`. */
async function runFunction(
  backend: OtlpReceiver,
  fn: FunctionTelemetry,
  receiverPort: number,
  options: { functionName: string; count: number; xrayLast: boolean; env?: Record<string, string>; afterEach?: (result: InvocationResult) => void },
): Promise<{ results: InvocationResult[]; report: SandboxReport }> {
  const sandbox = await startSandbox({
    extensions: [EXTENSION],
    env: await layerEnv(backend, { LAMBDA_OTEL_RECEIVER: String(receiverPort), LAMBDA_OTEL_FLUSH: 'end', LAMBDA_OTEL_FLUSH_TIMEOUT_MS: '8000', ...options.env }),
    function: { name: options.functionName, timeoutMs: 20_000 },
  });
  const results: InvocationResult[] = [];
  try {
    for (let n = 1; n <= options.count; n++) {
      const result = await sandbox.invoke({ durationMs: 10, tracing: options.xrayLast && n === options.count, handler: (invocation) => fn.handle(invocation, n) });
      assert.equal(result.handlerError, undefined);
      assert.equal(result.status, 'success');
      results.push(result);
      options.afterEach?.(result);
    }
  } finally {
    backend.setResponse('all', null);
    await fn.shutdown();
  }
  const report = await sandbox.shutdown({ shutdownMs: 6000 });
  assert.equal(only(report).exit?.code, 0, only(report).stderr);
  return { results, report };
}

/** A received span with the fields a relay must keep, minus what the join may change: the root's parent. */
function withoutRootParent(span: ReceivedSpan): Omit<ReceivedSpan, 'parentSpanId'> & { parentSpanId?: string } {
  if (requestIdOf(span) === undefined) return span;
  const { parentSpanId: _changed, ...rest } = span;
  return rest;
}

/** An HrTime as exact epoch nanoseconds. */
const nanos = ([seconds, nanoseconds]: HrTime): bigint => BigInt(seconds) * 1_000_000_000n + BigInt(nanoseconds);

/** What the function's SDK itself recorded, in the receiver's terms. */
function sdkView(span: ReadableSpan): { traceId: string; spanId: string; parentSpanId: string; name: string; startTimeUnixNano: bigint; endTimeUnixNano: bigint } {
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? '',
    name: span.name,
    startTimeUnixNano: nanos(span.startTime),
    endTimeUnixNano: nanos(span.endTime),
  };
}

describe('relay of the function\'s own OpenTelemetry', () => {
  let backend: OtlpReceiver;
  let mirror: OtlpReceiver;
  before(async () => {
    assertLayerBuilt();
    backend = await startOtlpReceiver();
    mirror = await startOtlpReceiver();
  });
  after(async () => {
    await backend.close();
    await mirror.close();
  });

  it('4 invocations of a function using the OpenTelemetry SDK, the last with X-Ray: answered at once, everything at the backend exactly once, one trace per invocation', async () => {
    // Prepare
    const functionName = 'relay-fn';
    const port = await freePort();
    const fn = createFunctionTelemetry(`http://127.0.0.1:${port}`, mirror.url);
    backend.setResponse('all', { status: 200, delayMs: BACKEND_DELAY_MS });
    const missingAfterInvoke: string[] = [];

    // Act
    const { results, report } = await runFunction(backend, fn, port, {
      functionName,
      count: INVOCATIONS,
      xrayLast: true,
      // End mode: the function's spans of an invocation leave with the flush before its freeze.
      afterEach: ({ requestId }) => {
        if (!backend.spans().some((span) => isFunction(span) && requestIdOf(span) === requestId)) missingAfterInvoke.push(requestId);
      },
    });

    // Assess: the function was answered 2xx, at once, though the backend takes 2 s per export.
    for (const signal of ['traces', 'metrics', 'logs'] as const) {
      assert.deepEqual(fn.results[signal], Array(INVOCATIONS).fill(ExportResultCode.SUCCESS), `${signal} exports of the function`);
      for (const ms of fn.flushMs[signal]) assert.ok(ms < QUICK_MS, `a ${signal} forceFlush took ${Math.round(ms)} ms: it waited for the backend`);
    }
    assert.deepEqual(missingAfterInvoke, [], 'the function\'s spans are exported before the freeze that ends their invocation');

    // Every function span exactly once, unchanged but for the root's parent.
    const spans = backend.spans();
    const functionSpans = spans.filter(isFunction);
    const sdkSpans = fn.finished();
    assert.equal(sdkSpans.length, 2 * INVOCATIONS);
    assert.equal(functionSpans.length, sdkSpans.length, 'each function span once');
    assert.equal(new Set(functionSpans.map((span) => span.spanId)).size, functionSpans.length);
    const mirrored = mirror.spans();
    assert.equal(mirrored.length, sdkSpans.length);
    for (const original of mirrored) {
      const relayed = functionSpans.find((span) => span.spanId === original.spanId);
      assert.ok(relayed !== undefined, `function span ${original.name} ${original.spanId} not relayed`);
      assert.deepEqual(withoutRootParent(relayed), withoutRootParent(original));
      if (requestIdOf(original) === undefined) assert.equal(relayed.parentSpanId, original.parentSpanId);
    }
    for (const sdkSpan of sdkSpans) {
      const relayed = functionSpans.find((span) => span.spanId === sdkSpan.spanContext().spanId)!;
      // A root's parent is the join's to change; checked below.
      const parentOf = (parentSpanId: string): string | null => (sdkSpan.attributes['faas.invocation_id'] === undefined ? parentSpanId : null);
      const { traceId, spanId, parentSpanId, name, startTimeUnixNano, endTimeUnixNano } = relayed;
      const expected = sdkView(sdkSpan);
      assert.deepEqual({ traceId, spanId, parentSpanId: parentOf(parentSpanId), name, startTimeUnixNano, endTimeUnixNano }, { ...expected, parentSpanId: parentOf(expected.parentSpanId) });
    }

    // One trace per invocation: the function's root under our invocation span.
    for (const [index, result] of results.entries()) {
      const root = functionSpans.find((span) => requestIdOf(span) === result.requestId);
      const ours = invocationSpan(spans, result.requestId);
      assert.ok(root !== undefined && ours !== undefined, `invocation ${index + 1}: root ${root?.spanId}, invocation span ${ours?.spanId}`);
      assert.equal(root.parentSpanId, ours.spanId, `invocation ${index + 1}: the function's root hangs under our invocation span`);
      assert.equal(ours.traceId, root.traceId, `invocation ${index + 1}: our invocation span adopted the function's trace`);
      const trace = spans.filter((span) => span.traceId === ours.traceId);
      assert.ok(trace.filter(isFunction).length === 2 && trace.some((span) => !isFunction(span) && span !== ours), `invocation ${index + 1}: one trace holds ours and the function's spans`);
      if (result.tracing === null) {
        assert.deepEqual(trace.filter((span) => span.parentSpanId === '').map((span) => span.spanId), [ours.spanId], `invocation ${index + 1}: our span is the trace's only root`);
      } else {
        const xray = xrayIds(result.tracing);
        assert.equal(ours.traceId, xray.traceId, 'the X-Ray invocation: the trace is X-Ray\'s');
        assert.equal(ours.parentSpanId, xray.parentId, 'the X-Ray invocation: our span hangs under the X-Ray Parent');
        assert.equal(mirrored.find((span) => requestIdOf(span) === result.requestId)?.parentSpanId, xray.parentId, 'the function\'s root had the X-Ray Parent');
        assert.deepEqual(trace.filter((span) => span.parentSpanId === ''), []);
      }
    }

    // Every point and record exactly once; records keep their trace and span ids.
    const points = backend.metrics().filter((m) => m.name === FUNCTION_COUNTER);
    assert.deepEqual(
      points.map((m) => [m.type, m.temporality, m.point.value, m.resource['service.name']]).sort((a, b) => Number(a[2]) - Number(b[2])),
      [1, 2, 3, 4].map((n) => ['sum', 'delta', n, 'orders-fn-sdk']),
    );
    const records = backend.logs().filter(isFunction);
    assert.equal(records.length, INVOCATIONS);
    for (const [index, result] of results.entries()) {
      const record = records.find((r) => r.body === `order ${index + 1} placed`);
      const root = sdkSpans.find((span) => span.attributes['faas.invocation_id'] === result.requestId)!;
      assert.deepEqual([record?.traceId, record?.spanId], [root.spanContext().traceId, root.spanContext().spanId], `record of invocation ${index + 1}`);
    }

    // The extension counted it all, and said where it listened, once.
    const own = (name: string): number => ownCounter(backend, functionName, name);
    assert.deepEqual(
      [own('lambda_otel.relay.spans.received'), own('lambda_otel.relay.spans.exported'), own('lambda_otel.relay.spans.dropped')],
      [2 * INVOCATIONS, 2 * INVOCATIONS, 0],
    );
    assert.deepEqual([own('lambda_otel.relay.metric_points.received'), own('lambda_otel.relay.metric_points.exported'), own('lambda_otel.relay.metric_points.dropped')], [4, 4, 0]);
    assert.deepEqual([own('lambda_otel.relay.log_records.received'), own('lambda_otel.relay.log_records.exported'), own('lambda_otel.relay.log_records.dropped')], [4, 4, 0]);
    assert.equal(own('lambda_otel.relay.requests.refused'), 0);
    const lines = logLines(only(report));
    assert.deepEqual(lines.filter((l) => l.msg === 'local OTLP receiver listening').map((l) => l.address), [`127.0.0.1:${port}`]);
    assert.deepEqual(lines.filter((l) => l.level === 'warn' || l.level === 'error'), []);
  });

  it('LAMBDA_OTEL_RELAY_JOIN_TRACES=false: the function\'s spans arrive untouched, in their own trace', async () => {
    const functionName = 'relay-unjoined-fn';
    const port = await freePort();
    const own = await startOtlpReceiver();
    try {
      const fn = createFunctionTelemetry(`http://127.0.0.1:${port}`, own.url);
      const { results } = await runFunction(backend, fn, port, { functionName, count: 2, xrayLast: true, env: { LAMBDA_OTEL_RELAY_JOIN_TRACES: 'false' } });

      const spans = backend.spans();
      const functionSpans = spans.filter((span) => isFunction(span) && results.some((r) => r.requestId === requestIdOf(span) || fn.finished().some((s) => s.spanContext().spanId === span.spanId)));
      assert.equal(functionSpans.length, 4);
      for (const original of own.spans()) assert.deepEqual(functionSpans.find((span) => span.spanId === original.spanId), original, `${original.name} changed on the way`);
      const [untraced] = results;
      const root = functionSpans.find((span) => requestIdOf(span) === untraced!.requestId)!;
      const ours = invocationSpan(spans, untraced!.requestId)!;
      assert.equal(root.parentSpanId, '');
      assert.notEqual(ours.traceId, root.traceId, 'our invocation span stays in a trace of its own');
      assert.ok(!spans.some((span) => !isFunction(span) && span.traceId === root.traceId), 'no span of ours in the function\'s trace');
    } finally {
      await own.close();
    }
  });
});

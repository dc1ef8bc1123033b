/**
 * Export timing of the built layer: buffer thresholds, temporality, and SHUTDOWN inside the
 * deadline when the backend is slow or down.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSandbox } from '../../src/sandbox/index.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver } from '../support/otlp-receiver.ts';
import { EXTENSION, assertLayerBuilt, freePort, logLines, only } from './support.ts';

const SHUTDOWN_MS = 2000;

describe('export timing', () => {
  let receiver: OtlpReceiver;
  before(async () => {
    assertLayerBuilt();
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());

  const env = async (extra: Record<string, string>) => ({
    LAMBDA_OTEL_LISTENER_PORT: String(await freePort()), LAMBDA_OTEL_RECEIVER: String(await freePort()),
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    LAMBDA_OTEL_LOG_LEVEL: 'info',
    ...extra,
  });

  // Each threshold alone, the others at their maximum: after invocation 3 has started,
  // invocations 1 and 2 are complete (9 spans, 19 gauge points, about 4.5 KB estimated; counters and histograms are collected at export).
  for (const [threshold, value, signal] of [
    ['LAMBDA_OTEL_FLUSH_SPANS', '6', 'traces'],
    ['LAMBDA_OTEL_FLUSH_POINTS', '15', 'metrics'],
    ['LAMBDA_OTEL_FLUSH_BYTES', '4096', 'traces'],
  ] as const) {
    it(`flush=shutdown still exports as soon as ${threshold} is reached`, async () => {
      const name = `threshold-${threshold.toLowerCase().replaceAll('_', '-')}`;
      const max = { LAMBDA_OTEL_FLUSH_SPANS: '100000', LAMBDA_OTEL_FLUSH_POINTS: '100000', LAMBDA_OTEL_FLUSH_BYTES: String(16 * 1024 * 1024) };
      const sandbox = await startSandbox({ extensions: [EXTENSION], env: await env({ LAMBDA_OTEL_FLUSH: 'shutdown', ...max, [threshold]: value }), function: { name } });
      const mine = () => receiver.requests.filter((r) => r.spans.some((s) => s.resource['faas.name'] === name) || r.metrics.some((m) => m.resource['faas.name'] === name));
      try {
        await sandbox.invoke({ durationMs: 20 });
        await sandbox.invoke({ durationMs: 20 });
        assert.equal(mine().length, 0, 'nothing exported below the thresholds');
        await sandbox.invoke({ durationMs: 200 });
        assert.ok(mine().some((r) => r.signal === signal), `${threshold}=${value} reached, no ${signal} export`);
      } finally {
        await sandbox.shutdown();
      }
      assert.equal(receiver.spans().filter((s) => s.name === name).length, 3, 'and the rest at SHUTDOWN');
    });
  }

  it('follows OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta', async () => {
    const name = 'delta-fn';
    const sandbox = await startSandbox({ extensions: [EXTENSION], env: await env({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta' }), function: { name } });
    for (let i = 0; i < 4; i++) await sandbox.invoke({ durationMs: 5 });
    await sandbox.shutdown();
    const invocations = receiver.metrics().filter((m) => m.name === 'faas.invocations' && m.resource['faas.name'] === name);
    assert.ok(invocations.length > 0);
    assert.ok(invocations.every((m) => m.temporality === 'delta'));
    assert.equal(invocations.reduce((sum, m) => sum + (m.point.value ?? 0), 0), 4, 'delta points add up to the exact count');
  });

  it('backend down for several invocations, then up: every span, point and log arrives, once', async () => {
    const backend = await startOtlpReceiver();
    backend.setResponse('all', { status: 503 });
    const name = 'outage-fn';
    try {
      const sandbox = await startSandbox({
        extensions: [EXTENSION],
        // A short export timeout keeps each failed attempt short; the data is kept, not lost.
        env: await env({ OTEL_EXPORTER_OTLP_ENDPOINT: backend.url, OTEL_EXPORTER_OTLP_TIMEOUT: '300' }),
        function: { name },
      });
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await sandbox.invoke({ durationMs: 10, logs: [`[INFO] during the outage ${i}`] })).requestId);
      assert.ok(backend.refusedCount() > 0, 'exports were attempted during the outage');
      assert.equal(backend.spans().length, 0);
      backend.setResponse('all', null);
      ids.push((await sandbox.invoke({ durationMs: 10, logs: ['[INFO] after the outage'] })).requestId);
      const report = await sandbox.shutdown();
      assert.equal(only(report).exit?.code, 0);

      const servers = backend.spans().filter((s) => s.kind === 'SERVER');
      assert.deepEqual(servers.map((s) => s.attributes['faas.invocation_id']).sort(), [...ids].sort(), 'each invocation exactly once');
      assert.deepEqual(backend.logs().map((l) => l.body).sort(), ['after the outage', ...[0, 1, 2, 3].map((i) => `during the outage ${i}`)].sort());
      assert.equal(backend.metrics().filter((m) => m.name === 'aws.lambda.duration').length, 5, 'one gauge point per invocation');
      assert.equal(Math.max(...backend.metrics().filter((m) => m.name === 'faas.invocations').map((m) => m.point.value ?? 0)), 5);
    } finally {
      await backend.close();
    }
  });

  it('an outage that retains several batches: afterwards every item arrives once, no request over a batch', async () => {
    const backend = await startOtlpReceiver();
    backend.setResponse('all', { status: 503 });
    const [spanBatch, pointBatch, logBatch] = [8, 20, 512]; // the log batch is fixed
    const linesPer = 150;
    try {
      const sandbox = await startSandbox({
        extensions: [EXTENSION],
        env: await env({
          OTEL_EXPORTER_OTLP_ENDPOINT: backend.url,
          OTEL_EXPORTER_OTLP_TIMEOUT: '300',
          LAMBDA_OTEL_FLUSH_SPANS: String(spanBatch),
          LAMBDA_OTEL_FLUSH_POINTS: String(pointBatch),
        }),
        function: { name: 'long-outage-fn' },
      });
      const ids: string[] = [];
      const invoke = async (i: number) => {
        const logs = Array.from({ length: linesPer }, (_, j) => `[INFO] invocation ${i} line ${j}`);
        ids.push((await sandbox.invoke({ durationMs: 5, logs })).requestId);
      };
      // 6 invocations: 25 spans, 900 log records, 48 gauge points kept, each more than one batch.
      for (let i = 0; i < 6; i++) await invoke(i);
      // Once one export failed the others back off (1 s), so not every signal need have tried yet.
      assert.ok(backend.refusedCount() > 0, 'exports were attempted');
      assert.equal(backend.requests.filter((r) => r.accepted).length, 0);
      backend.setResponse('all', null);
      await invoke(6);
      const report = await sandbox.shutdown();
      assert.equal(only(report).exit?.code, 0);

      const accepted = backend.requests.filter((r) => r.accepted);
      for (const [signal, size, max] of [
        ['traces', (r: (typeof accepted)[number]) => r.spans.length, spanBatch],
        ['metrics', (r: (typeof accepted)[number]) => r.metrics.length, pointBatch],
        ['logs', (r: (typeof accepted)[number]) => r.logs.length, logBatch],
      ] as const) {
        const sizes = accepted.filter((r) => r.signal === signal).map(size);
        assert.ok(sizes.every((n) => n <= max), `${signal} requests of ${sizes.join(', ')} items; at most ${max}`);
      }
      const spans = backend.spans();
      assert.equal(new Set(spans.map((s) => s.spanId)).size, spans.length, 'no span twice');
      assert.deepEqual(spans.filter((s) => s.kind === 'SERVER').map((s) => s.attributes['faas.invocation_id']).sort(), [...ids].sort());
      const bodies = backend.logs().map((l) => String(l.body));
      assert.equal(new Set(bodies).size, bodies.length, 'no log record twice');
      assert.equal(bodies.length, 7 * linesPer, 'every log record');
      assert.equal(backend.metrics().filter((m) => m.name === 'aws.lambda.duration').length, 7, 'one gauge point per invocation, once');
    } finally {
      await backend.close();
    }
  });

  it('429 with Retry-After: retried after the delay inside the time budget, accepted once', async () => {
    const backend = await startOtlpReceiver();
    backend.setResponse('traces', { status: 429, retryAfterSeconds: 1, times: 1 });
    try {
      const sandbox = await startSandbox({ extensions: [EXTENSION], env: await env({ OTEL_EXPORTER_OTLP_ENDPOINT: backend.url, LAMBDA_OTEL_FLUSH: 'shutdown' }) });
      const { requestId } = await sandbox.invoke({ durationMs: 5 });
      const report = await sandbox.shutdown({ shutdownMs: SHUTDOWN_MS });
      assert.equal(only(report).exit?.code, 0);
      assert.equal(backend.refusedCount('traces'), 1);
      const traceRequests = backend.requests.filter((r) => r.signal === 'traces');
      assert.ok(traceRequests[1]!.atMs - traceRequests[0]!.atMs >= 900, 'waited for Retry-After');
      assert.deepEqual(backend.spans().filter((s) => s.kind === 'SERVER').map((s) => s.attributes['faas.invocation_id']), [requestId], 'exactly once');
    } finally {
      await backend.close();
    }
  });

  it('a slow backend never holds an invocation beyond LAMBDA_OTEL_FLUSH_TIMEOUT_MS', async () => {
    const backend = await startOtlpReceiver();
    backend.setResponse('all', { status: 200, delayMs: 3000 });
    try {
      const sandbox = await startSandbox({ extensions: [EXTENSION], env: await env({ OTEL_EXPORTER_OTLP_ENDPOINT: backend.url, LAMBDA_OTEL_FLUSH: 'end', LAMBDA_OTEL_FLUSH_TIMEOUT_MS: '300' }) });
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await sandbox.invoke({ durationMs: 5 }));
      await sandbox.shutdown({ shutdownMs: SHUTDOWN_MS });
      // Waiting for runtimeDone (the 25 ms buffering) plus at most the 300 ms budget; a held
      // export would take the backend's 3 s. The bound is loose on purpose: it is about the budget.
      for (const result of results) assert.ok(result.postRuntimeDurationMs < 1500, `held ${result.postRuntimeDurationMs} ms`);
    } finally {
      await backend.close();
    }
  });

  for (const [what, plan] of [
    ['slow (answers after 10 s)', { status: 200, delayMs: 10_000 }],
    ['failing (503 with Retry-After: 1)', { status: 503, retryAfterSeconds: 1 }],
  ] as const) {
    it(`SHUTDOWN with a ${what} backend: gives up in time and exits before the deadline`, async () => {
      const slow = await startOtlpReceiver();
      slow.setResponse('all', plan);
      try {
        const sandbox = await startSandbox({ extensions: [EXTENSION], env: await env({ OTEL_EXPORTER_OTLP_ENDPOINT: slow.url, LAMBDA_OTEL_FLUSH: 'shutdown' }) });
        await sandbox.invoke({ durationMs: 5 });
        const report = await sandbox.shutdown({ shutdownMs: SHUTDOWN_MS });
        const extension = only(report);
        assert.equal(extension.exit?.killed, false, 'killed at the deadline');
        assert.equal(extension.exit?.code, 0);
        assert.ok(extension.exit!.atMs - report.shutdown!.startedAtMs < SHUTDOWN_MS, 'exited before the deadline');
        assert.ok(slow.requests.length > 0, 'the export was attempted');
        assert.ok(logLines(extension).some((l) => /deadline/.test(String(l.msg))), 'says it gave up');
      } finally {
        await slow.close();
      }
    });
  }

  it('SHUTDOWN with no backend at all (connection refused) exits before the deadline', async () => {
    const sandbox = await startSandbox({ extensions: [EXTENSION], env: await env({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`, LAMBDA_OTEL_FLUSH: 'shutdown' }) });
    await sandbox.invoke({ durationMs: 5 });
    const report = await sandbox.shutdown({ shutdownMs: SHUTDOWN_MS });
    const extension = only(report);
    assert.deepEqual({ code: extension.exit?.code, killed: extension.exit?.killed }, { code: 0, killed: false });
  });
});

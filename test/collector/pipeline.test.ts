/**
 * The built layer, run in the sandbox, exports to a real OpenTelemetry Collector, which
 * forwards metrics to VictoriaMetrics and traces and logs to our OTLP receiver: what the
 * extension sends is accepted by the collector, survives it unchanged, and is queryable
 * with PromQL. Needs scripts/otelcol/ensure.sh (`npm run test:collector` runs it).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { InvocationSpec } from '../../src/sandbox/index.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver } from '../support/otlp-receiver.ts';
import { ROOT, freePort } from '../e2e/support.ts';
import { runLayer } from './layer-run.ts';
import { binaries, settledFlows, startCollector } from './otelcol.ts';
import type { Collector } from './otelcol.ts';
import { startVictoriaMetrics } from './victoria-metrics.ts';
import type { VictoriaMetrics } from './victoria-metrics.ts';

const RUN = randomUUID().slice(0, 8);
const SERVICE = `collector-test-${RUN}`;
const FUNCTION = 'orders-api';
const INVOCATIONS: readonly InvocationSpec[] = [
  { requestId: `${RUN}-1`, durationMs: 30, logs: [`order ${RUN}-1 received`] },
  { requestId: `${RUN}-2`, durationMs: 20, tracing: true, logs: [`order ${RUN}-2 received`, `order ${RUN}-2 stored`] },
  { requestId: `${RUN}-3`, durationMs: 25, status: 'error', errorType: 'Handler.ValidationFailed', logs: [`order ${RUN}-3 rejected`] },
  { requestId: `${RUN}-4`, durationMs: 15 },
];

describe('through a real collector to VictoriaMetrics and an OTLP receiver', () => {
  let receiver: OtlpReceiver | undefined;
  let victoria: VictoriaMetrics | undefined;
  let collector: Collector | undefined;
  let httpPort: number;

  before(async () => {
    const bin = binaries();
    receiver = await startOtlpReceiver();
    victoria = await startVictoriaMetrics(bin.victoriaMetrics, await freePort());
    httpPort = await freePort();
    const metricsPort = await freePort();
    collector = await startCollector(bin.otelcol, [`file:${ROOT}test/collector/pipeline-config.yaml`], metricsPort, {
      OTELCOL_TEST_HTTP_PORT: String(httpPort),
      OTELCOL_TEST_METRICS_PORT: String(metricsPort),
      OTELCOL_TEST_VM_OTLP_URL: victoria.otlpMetricsUrl,
      OTELCOL_TEST_RECEIVER_URL: receiver.url,
    });
  });

  after(async () => {
    // Each is stopped even when another fails to stop.
    const stops = await Promise.allSettled([collector?.stop(), victoria?.stop(), receiver?.close()]);
    for (const stop of stops) if (stop.status === 'rejected') throw stop.reason;
  });

  it('cold start, 4 invocations (one error, one traced), SHUTDOWN: every item accepted, forwarded and queryable', async () => {
    const run = await runLayer(`http://127.0.0.1:${httpPort}`, SERVICE, FUNCTION, INVOCATIONS);
    const flows = await settledFlows(collector!, {
      spans: 'otlp_http/receiver',
      log_records: 'otlp_http/receiver',
      metric_points: 'otlp_http/victoria-metrics',
    });
    for (const [items, flow] of Object.entries(flows)) {
      assert.deepEqual({ refused: flow.refused, failed: flow.failed, sendFailed: flow.sendFailed }, { refused: 0, failed: 0, sendFailed: 0 }, items);
      assert.equal(flow.sent, flow.accepted, `${items}: everything accepted was sent on`);
    }

    // Traces: exactly the spans the scenario implies, as the collector counted them.
    const rx = receiver!;
    await rx.waitFor(() => rx.spans().length >= flows.spans.accepted && rx.logs().length >= flows.log_records.accepted);
    assert.equal(flows.spans.accepted, run.spanCount, 'spans accepted by the collector');
    const spans = rx.spans();
    assert.equal(spans.length, run.spanCount, 'spans at the receiver');
    const servers = spans.filter((s) => s.kind === 'SERVER');
    assert.deepEqual(servers.map((s) => s.attributes['faas.invocation_id']).sort(), INVOCATIONS.map((i) => i.requestId).sort());
    for (const span of spans) {
      assert.equal(span.resource['service.name'], SERVICE);
      assert.equal(span.resource['faas.name'], FUNCTION);
    }
    const byId = new Map(servers.map((s) => [s.attributes['faas.invocation_id'], s]));
    assert.deepEqual(byId.get(`${RUN}-3`)!.status, { code: 'ERROR', message: 'Handler.ValidationFailed' });
    assert.equal(byId.get(`${RUN}-1`)!.attributes['faas.coldstart'], true);
    assert.equal(spans.filter((s) => s.name === 'init').length, 1);
    assert.equal(spans.find((s) => s.name === 'init')!.parentSpanId, byId.get(`${RUN}-1`)!.spanId);

    // Logs: each line once, still on its invocation's trace.
    assert.equal(flows.log_records.accepted, run.logBodies.length, 'log records accepted by the collector');
    const logs = rx.logs();
    assert.deepEqual(logs.map((l) => l.body).sort(), run.logBodies);
    for (const log of logs) {
      const server = byId.get(log.attributes['faas.invocation_id']);
      assert.ok(server, `log ${String(log.body)} names no exported invocation`);
      assert.equal(log.traceId, server.traceId);
      assert.equal(log.spanId, server.spanId);
    }
    assert.ok(rx.requests.every((r) => r.encoding === 'json'), 'the collector sent OTLP/JSON, as configured');

    // Metrics: queryable in VictoriaMetrics under this run's service name.
    const vm = victoria!;
    await vm.flush();
    const value = async (promql: string): Promise<number | undefined> => (await vm.query(promql))[0]?.value;
    const of = `{service.name="${SERVICE}"}`;
    assert.equal(await value(`sum(faas.invocations${of})`), INVOCATIONS.length, 'faas.invocations');
    assert.equal(await value(`sum(faas.errors${of})`), 1, 'faas.errors');
    assert.equal(await value(`sum(faas.coldstarts${of})`), 1, 'faas.coldstarts');
    // Histograms arrive as Prometheus-style _bucket, _count and _sum series.
    assert.equal(await value(`sum(faas.invoke_duration_count${of})`), INVOCATIONS.length, 'faas.invoke_duration count');
    // One aws.lambda.duration series, with one point per invocation: the reports' durationMs.
    assert.equal((await vm.query(`aws.lambda.duration${of}`)).length, 1, 'one aws.lambda.duration series');
    assert.equal(await value(`count_over_time(aws.lambda.duration${of}[10m])`), INVOCATIONS.length, 'aws.lambda.duration points');
    const reported = run.report.events.filter((e) => e.type === 'platform.report').map((e) => (e.record as { metrics: { durationMs: number } }).metrics.durationMs);
    assert.equal(await value(`max_over_time(aws.lambda.duration${of}[10m])`), Math.max(...reported), 'largest aws.lambda.duration');
    const sum = (await value(`sum_over_time(aws.lambda.duration${of}[10m])`)) ?? Number.NaN;
    assert.ok(Math.abs(sum - reported.reduce((a, b) => a + b, 0)) < 1e-6, `sum of aws.lambda.duration: ${sum}, reported ${reported.join(' + ')}`);
  });
});

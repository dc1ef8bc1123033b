/**
 * Lambda Managed Instances through the pipeline: the real POST bodies of an LMI environment
 * (AWS's runtime emulator in that mode, read from ../shared when present) replayed in order,
 * and concurrent invocations whose log lines interleave.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { OTEL_DEFAULTS } from '../../src/otel/config.ts';
import { createLogger } from '../../src/util/logger.ts';
import { createOtelPipeline } from '../../src/otel/pipeline.ts';
import { decode } from '../../src/telemetry/decode.ts';
import type { TelemetryEvent } from '../../src/telemetry/events.ts';

const LMI_FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/telemetry-lmi/', import.meta.url));
const FUNCTION = 'fixture-fn';

function setup() {
  const spans = new InMemorySpanExporter();
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const logs = new InMemoryLogRecordExporter();
  const pipeline = createOtelPipeline({
    registration: { extensionName: 'lambda-telemetry-otel', functionName: FUNCTION, functionVersion: '$LATEST', accountId: '123456789012' },
    config: { ...OTEL_DEFAULTS, lambda: { ...OTEL_DEFAULTS.lambda, initializationType: 'lambda-managed-instances' } },
    logger: createLogger('test', 'error'),
    platformSubscribed: true,
    managedInstances: true,
    instanceMaxMemoryBytes: 3_154_116_608,
    exporters: { traces: spans, metrics, logs },
  });
  const run = async (batches: readonly (readonly TelemetryEvent[])[]) => {
    for (const batch of batches) await pipeline.process(batch);
    await pipeline.shutdown(Date.now() + 2000);
    return {
      spans: spans.getFinishedSpans(),
      logs: logs.getFinishedLogRecords(),
      sum: (name: string) => {
        const found = metrics.getMetrics().flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics)).filter((m) => m.descriptor.name === name).at(-1);
        return (found?.dataPoints[0]?.value as number | undefined) ?? 0;
      },
    };
  };
  return { run };
}

describe('Lambda Managed Instances in the pipeline', () => {
  const files = existsSync(LMI_FIXTURES) ? readdirSync(LMI_FIXTURES).filter((f) => /^rie-lmi-post-\d+\.json$/.test(f)).sort() : [];
  it('replays the rie-lmi sequence: every invocation complete, with the children of its report', { skip: files.length === 0 ? `no ${LMI_FIXTURES}` : false }, async () => {
    const batches = files.map((f) => decode(readFileSync(`${LMI_FIXTURES}${f}`)).events);
    const starts = batches.flat().filter((e) => e.type === 'platform.start').map((e) => e.record.requestId);
    const { spans, logs, sum } = await setup().run(batches);
    const servers = spans.filter((s) => s.kind === SpanKind.SERVER);
    assert.deepEqual(servers.map((s) => s.attributes['faas.invocation_id']).sort(), [...starts].sort());
    for (const server of servers) {
      assert.equal(server.attributes['aws.lambda.completion'], undefined, 'complete at its report');
      const children = spans.filter((s) => s.parentSpanContext?.spanId === server.spanContext().spanId).map((s) => s.name).sort();
      assert.deepEqual(children, ['responseDuration', 'responseLatency']);
      assert.equal(server.attributes['aws.lambda.billed_duration_ms'], undefined, 'no figure Lambda did not send');
      assert.equal(server.attributes['faas.coldstart'], false, 'an LMI init is nobody\'s cold start');
      assert.equal(server.resource.attributes['faas.max_memory'], 3_154_116_608);
    }
    assert.equal(servers.filter((s) => s.status.code === SpanStatusCode.ERROR).length, 1);
    assert.equal(sum('faas.invocations'), 3);
    assert.equal(sum('faas.errors'), 1);
    for (const id of starts) {
      const mine = logs.filter((l) => String(l.body).includes(id) || l.attributes['faas.invocation_id'] === id);
      assert.ok(mine.length >= 1);
      assert.ok(mine.every((l) => l.attributes['faas.invocation_id'] === id), `lines of ${id} on their own invocation`);
    }
  });

  it('concurrent invocations: each line on its own invocation, a line without a request id on none', async () => {
    const at = (ms: number) => new Date(Date.UTC(2026, 10, 21, 20, 0, 0, ms)).toISOString();
    const ids = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
    const start = (id: string, ms: number): TelemetryEvent => ({ time: at(ms), type: 'platform.start', record: { requestId: id, version: '$LATEST' } });
    const line = (record: string, ms: number): TelemetryEvent => ({ time: at(ms), type: 'function', record });
    const report = (id: string, ms: number): TelemetryEvent => ({
      time: at(ms),
      type: 'platform.report',
      record: { requestId: id, status: 'success', metrics: { durationMs: 5 }, spans: [{ name: 'responseLatency', start: at(ms - 5), durationMs: 4 }, { name: 'responseDuration', start: at(ms - 1), durationMs: 1 }] },
    });
    const batch: TelemetryEvent[] = [
      start(ids[0]!, 0),
      start(ids[1]!, 1),
      line(`${at(2)}\t${ids[1]}\tINFO\tsecond's text line`, 2),
      line(JSON.stringify({ level: 'INFO', message: "first's json line", requestId: ids[0] }), 3),
      line('a line that names no request', 4),
      report(ids[0]!, 10),
      report(ids[1]!, 11),
    ];
    const { logs, spans } = await setup().run([batch]);
    const on = (text: string) => logs.find((l) => String(l.body).includes(text))?.attributes['faas.invocation_id'];
    assert.equal(on("second's text line"), ids[1]);
    assert.equal(on("first's json line"), ids[0]);
    assert.equal(on('a line that names no request'), undefined, 'two in flight: not guessed');
    assert.equal(spans.filter((s) => s.kind === SpanKind.SERVER).length, 2);
  });
});

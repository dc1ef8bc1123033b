/**
 * The pipeline while the metrics backend is down, then back: the points threshold, and what
 * reaches the backend afterwards.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { OTEL_DEFAULTS } from '../../src/otel/config.ts';
import { createLogger } from '../../src/util/logger.ts';
import { createOtelPipeline } from '../../src/otel/pipeline.ts';
import { T0, invocation } from './event-builders.ts';

/** Each invocation records eight gauge points; the threshold is reached every fifth. */
const FLUSH_POINTS = 40;
const INVOCATIONS = 20;

/** Lets a flush started by the last batch run to its end: with exporters that answer at once, it needs no timer. */
const settle = () => new Promise((resolve) => setImmediate(resolve));
/** Takes spans or log records at once (the SDK's in-memory exporters answer on a timer). */
const accepting = () => ({ export: (_items: unknown[], done: (result: ExportResult) => void) => done({ code: ExportResultCode.SUCCESS }), shutdown: () => Promise.resolve(), forceFlush: () => Promise.resolve() });

describe('otel pipeline: metrics backend down', () => {
  it('points kept through an outage do not start a threshold export at every invocation, and arrive once afterwards', async () => {
    let down = true;
    const requests: Array<{ metrics: ResourceMetrics; accepted: boolean }> = [];
    const metrics: PushMetricExporter = {
      export(batch, done: (result: ExportResult) => void) {
        requests.push({ metrics: batch, accepted: !down });
        done(down ? { code: ExportResultCode.FAILED, error: Object.assign(new Error('unavailable'), { code: 503 }) } : { code: ExportResultCode.SUCCESS });
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
      selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
    };
    const pipeline = createOtelPipeline({
      registration: { extensionName: 'lambda-telemetry-otel', functionName: 'outage-fn', functionVersion: '$LATEST', accountId: '123456789012' },
      config: { ...OTEL_DEFAULTS, flush: { kind: 'shutdown' }, flushPoints: FLUSH_POINTS },
      logger: createLogger('test', 'error'),
      platformSubscribed: true,
      exporters: { traces: accepting(), metrics, logs: accepting() },
    });
    for (let i = 0; i < INVOCATIONS; i++) {
      const inv = invocation({ requestId: `req-${i}`, atMs: T0 + i * 1000 });
      pipeline.process([inv.start, inv.runtimeDone, inv.report]);
      await settle();
    }
    const duringOutage = requests.length;
    assert.ok(duringOutage > 0, 'the threshold still starts exports during the outage');
    assert.ok(duringOutage <= INVOCATIONS / 5, `one export per ${FLUSH_POINTS} new points, not one per invocation: ${duringOutage} exports`);

    down = false;
    await pipeline.shutdown(Date.now() + 2000);
    const accepted = requests.filter((r) => r.accepted).map((r) => r.metrics.scopeMetrics.flatMap((s) => s.metrics));
    for (const request of accepted) {
      const size = request.reduce((n, m) => n + m.dataPoints.length, 0);
      assert.ok(size <= FLUSH_POINTS, `a request of ${size} points`);
    }
    const durations = accepted.flat().filter((m) => m.descriptor.name === 'aws.lambda.duration');
    assert.equal(durations.reduce((n, m) => n + m.dataPoints.length, 0), INVOCATIONS, 'every gauge point once');
  });
});

/**
 * The metric buffer through a backend outage: what it keeps, how it sends it again, and what
 * it drops, asserted on the requests a scripted exporter was given.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { AggregationTemporality, MeterProvider } from '@opentelemetry/sdk-metrics';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { createGaugeSeries } from '../../src/otel/gauge-series.ts';
import { createMetricBuffer } from '../../src/otel/metric-buffer.ts';

const SUCCESS: ExportResult = { code: ExportResultCode.SUCCESS };
const failure = (status?: number): ExportResult => ({ code: ExportResultCode.FAILED, error: Object.assign(new Error('nope'), status === undefined ? {} : { code: status }) });

/** A buffer over one gauge (`g`, one point per second of `record`) and one cumulative counter (`c`). */
function setup(options: { maxRetainedPoints?: number; batchPoints?: number } = {}) {
  const requests: ResourceMetrics[] = [];
  const answers: ExportResult[] = [];
  const exporter: PushMetricExporter = {
    export(metrics, done) {
      requests.push(metrics);
      done(answers.shift() ?? SUCCESS);
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
    selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
  };
  const gauges = createGaugeSeries({ g: { unit: 'ms', description: 'a gauge' } });
  const buffer = createMetricBuffer({
    exporter,
    gauges,
    gaugeScope: { name: 'gauges' },
    maxRetainedPoints: options.maxRetainedPoints ?? 100,
    batchPoints: options.batchPoints ?? 100,
  });
  const counter = new MeterProvider({ readers: [buffer.reader] }).getMeter('counters').createCounter('c');
  /** Records gauge points at the given seconds. */
  const record = (...seconds: number[]) => {
    for (const s of seconds) gauges.record('g', s, [s, 0]);
  };
  const exportNow = async (...answersOfThisExport: ExportResult[]) => {
    answers.push(...answersOfThisExport);
    await buffer.collect();
    return buffer.export();
  };
  return { buffer, counter, record, exportNow, requests };
}

/** Per request, its points as `name=value`. */
const contents = (requests: readonly ResourceMetrics[]) =>
  requests.map((r) => r.scopeMetrics.flatMap((s) => s.metrics.flatMap((m) => m.dataPoints.map((p) => `${m.descriptor.name}=${String(p.value)}`))));

describe('metric buffer through an outage', () => {
  it('sends what an outage left in requests of at most batchPoints, each point once, the counter at its latest value', async () => {
    const h = setup({ batchPoints: 4 });
    h.counter.add(1);
    h.record(1, 2, 3, 4, 5, 6, 7, 8, 9);
    assert.equal((await h.exportNow(failure(503))).code, ExportResultCode.FAILED);
    assert.equal(h.requests.length, 1, 'after the first request failed, the rest waits without being tried');
    h.counter.add(1);
    h.record(10);
    h.requests.length = 0;
    assert.equal((await h.exportNow()).code, ExportResultCode.SUCCESS);
    assert.deepEqual(h.requests.map((r) => contents([r])[0]!.length), [4, 4, 3]);
    const sent = contents(h.requests).flat();
    assert.deepEqual(sent.filter((p) => p.startsWith('g=')).sort(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => `g=${s}`).sort());
    assert.deepEqual(sent.filter((p) => p.startsWith('c=')), ['c=2'], 'the cumulative counter once, with the newer value');
    assert.equal(h.buffer.dropped(), 0);
    assert.equal(h.buffer.unsettledPoints(), 0);
  });

  it('drops only the request a backend refused as invalid (4xx), and sends the rest', async () => {
    const h = setup({ batchPoints: 4 });
    h.record(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    await h.exportNow(failure(503));
    h.requests.length = 0;
    const result = await h.exportNow(failure(400));
    assert.equal(result.code, ExportResultCode.FAILED, 'the refusal is reported');
    assert.deepEqual(contents(h.requests), [['g=1', 'g=2', 'g=3', 'g=4'], ['g=5', 'g=6', 'g=7', 'g=8'], ['g=9', 'g=10']]);
    assert.equal(h.buffer.dropped(), 4);
    assert.equal(h.buffer.unsettledPoints(), 0, 'nothing kept: the other two were taken');
  });

  it('keeps the request a down backend did not take and those after it, and sends them with the next export', async () => {
    const h = setup({ batchPoints: 4 });
    h.record(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    await h.exportNow(SUCCESS, failure(503));
    assert.deepEqual(contents(h.requests), [['g=1', 'g=2', 'g=3', 'g=4'], ['g=5', 'g=6', 'g=7', 'g=8']]);
    assert.equal(h.buffer.unsettledPoints(), 6);
    h.requests.length = 0;
    await h.exportNow();
    assert.deepEqual(contents(h.requests), [['g=5', 'g=6', 'g=7', 'g=8'], ['g=9', 'g=10']]);
  });

  it('beyond maxRetainedPoints drops the oldest points, as spans and logs do, keeping the counter at its latest value', async () => {
    const h = setup({ maxRetainedPoints: 5 });
    h.counter.add(1);
    h.record(1, 2, 3, 4);
    await h.exportNow(failure(503));
    assert.equal(h.buffer.dropped(), 0);
    h.counter.add(1);
    h.record(5, 6, 7, 8);
    await h.exportNow(failure(503));
    assert.equal(h.buffer.dropped(), 4, 'of 9 (eight gauge points, the newer counter point), the four oldest');
    assert.equal(h.buffer.unsettledPoints(), 5);
    h.requests.length = 0;
    await h.exportNow();
    assert.deepEqual(contents(h.requests).map((points) => points.sort()), [['c=2', 'g=5', 'g=6', 'g=7', 'g=8']]);
  });

  it('does not count retained points as pending: they must not start a threshold export', async () => {
    const h = setup();
    h.record(1, 2, 3);
    assert.equal(h.buffer.pendingPoints(), 3);
    await h.exportNow(failure(503));
    assert.equal(h.buffer.pendingPoints(), 0);
    assert.equal(h.buffer.unsettledPoints(), 3, 'but they are not delivered yet');
    h.record(4);
    assert.equal(h.buffer.pendingPoints(), 1);
  });

  it('refuses a batch size below 1', () => {
    assert.throws(() => setup({ batchPoints: 0 }), RangeError);
  });
});

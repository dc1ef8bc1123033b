/**
 * Holds collected metrics until the flush policy exports them. A gauge keeps one value per
 * collection, so the pipeline collects the gauges after every invocation that set them: each
 * invocation's gauge points survive, stamped with the time of its report. The gauges have
 * their own reader (their own MeterProvider), so that this per-invocation collection does not
 * walk the counters and histograms, which are collected at export. Gauges are collected with
 * delta temporality (only values recorded since the last collection); sums and histograms
 * follow the exporter's temporality preference.
 */
import { ExportResultCode, millisToHrTime } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, InstrumentType, MetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricData, PushMetricExporter, ResourceMetrics, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { isRetainable } from './retaining-exporter.ts';

export interface MetricBuffer {
  /** The reader for the MeterProvider of counters and histograms. */
  readonly reader: MetricReader;
  /** The reader for the MeterProvider of the per-invocation gauges. */
  readonly gaugeReader: MetricReader;
  /** Collects the gauges recorded since the last time, stamped with `timeMs` (the report's time). */
  collectGauges(timeMs: number | undefined): Promise<void>;
  /** Collects everything (before an export). */
  collect(): Promise<void>;
  /** Data points collected and not yet exported. */
  pendingPoints(): number;
  /**
   * Exports everything collected so far in one request; resolves with the exporter's result.
   * What a down or throttling backend did not take is kept (up to the bound) for the next export.
   */
  export(): Promise<ExportResult>;
  /** Points dropped: beyond the retention bound, or refused by the backend as invalid. */
  dropped(): number;
}

/** A pull reader: collections happen when the pipeline asks, never on a timer. */
class CollectOnDemandReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export function createMetricBuffer(exporter: PushMetricExporter, maxRetainedPoints: number): MetricBuffer {
  const reader = new CollectOnDemandReader({
    aggregationTemporalitySelector: (type) =>
      type === InstrumentType.GAUGE ? AggregationTemporality.DELTA : (exporter.selectAggregationTemporality?.(type) ?? AggregationTemporality.CUMULATIVE),
  });
  const gaugeReader = new CollectOnDemandReader({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
  // Collections are kept as they come and merged once, at export.
  let collections: ResourceMetrics[] = [];
  let points = 0;
  let dropped = 0;
  const keep = (collected: ResourceMetrics): void => {
    const n = countPoints(collected);
    if (n === 0) return;
    collections.push(collected);
    points += n;
  };

  return {
    reader,
    gaugeReader,

    async collectGauges(timeMs) {
      const { resourceMetrics } = await gaugeReader.collect();
      keep(timeMs === undefined ? resourceMetrics : stampGauges(resourceMetrics, timeMs));
    },

    async collect() {
      keep((await gaugeReader.collect()).resourceMetrics);
      keep((await reader.collect()).resourceMetrics);
    },

    pendingPoints: () => points,

    export() {
      const batch = mergeAll(collections);
      collections = [];
      points = 0;
      if (batch === null || countPoints(batch) === 0) return Promise.resolve({ code: 0 });
      return new Promise((resolve) =>
        exporter.export(batch, (result) => {
          if (result.code !== ExportResultCode.SUCCESS) {
            const size = countPoints(batch);
            if (isRetainable(result) && points + size <= maxRetainedPoints) {
              collections.unshift(batch);
              points += size;
            } else dropped += size;
          }
          resolve(result);
        }),
      );
    },

    dropped: () => dropped,
  };
}

function stampGauges(metrics: ResourceMetrics, timeMs: number): ResourceMetrics {
  const time = millisToHrTime(timeMs);
  return {
    resource: metrics.resource,
    scopeMetrics: metrics.scopeMetrics.map((scope) => ({
      scope: scope.scope,
      metrics: scope.metrics.map((metric) =>
        metric.dataPointType === DataPointType.GAUGE
          ? { ...metric, dataPoints: metric.dataPoints.map((point) => ({ ...point, startTime: time, endTime: time })) }
          : metric,
      ),
    })),
  };
}

/**
 * Merges collections in order into one: gauge and delta points accumulate (each covers its
 * own interval); a cumulative sum or histogram only needs its latest points.
 */
function mergeAll(collections: readonly ResourceMetrics[]): ResourceMetrics | null {
  const last = collections.at(-1);
  if (last === undefined) return null;
  const scopes = new Map<string, { scope: ScopeMetrics['scope']; metrics: Map<string, MetricData> }>();
  for (const collection of collections) {
    for (const { scope, metrics } of collection.scopeMetrics) {
      let entry = scopes.get(scope.name);
      if (entry === undefined) scopes.set(scope.name, (entry = { scope, metrics: new Map() }));
      for (const metric of metrics) {
        const before = entry.metrics.get(metric.descriptor.name);
        const accumulate = metric.dataPointType === DataPointType.GAUGE || metric.aggregationTemporality === AggregationTemporality.DELTA;
        if (before !== undefined && accumulate) (before.dataPoints as unknown[]).push(...metric.dataPoints);
        else entry.metrics.set(metric.descriptor.name, { ...metric, dataPoints: [...metric.dataPoints] } as MetricData);
      }
    }
  }
  return { resource: last.resource, scopeMetrics: [...scopes.values()].map(({ scope, metrics }) => ({ scope, metrics: [...metrics.values()] })) };
}

function countPoints(metrics: ResourceMetrics): number {
  let n = 0;
  for (const scope of metrics.scopeMetrics) for (const metric of scope.metrics) n += metric.dataPoints.length;
  return n;
}

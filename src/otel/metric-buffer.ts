/**
 * Holds collected metrics until the flush policy exports them: the counters and histograms
 * collected from the SDK's reader at export, and the per-invocation gauge points taken from
 * their series then. Sums and histograms follow the exporter's temporality preference.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult, InstrumentationScope } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, MetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricData, PushMetricExporter, ResourceMetrics, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import type { GaugeSeries } from './gauge-series.ts';
import { isRetainable } from './retaining-exporter.ts';

export interface MetricBuffer {
  /** The reader for the MeterProvider of counters and histograms. */
  readonly reader: MetricReader;
  /** Collects everything (before an export). */
  collect(): Promise<void>;
  /** Data points recorded or collected and not yet exported. */
  pendingPoints(): number;
  /** Pending points plus those of an export still on its way. */
  unsettledPoints(): number;
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

export interface MetricBufferOptions {
  readonly exporter: PushMetricExporter;
  /** The per-invocation gauge points, and the scope they are exported under. */
  readonly gauges: Pick<GaugeSeries<string>, 'count' | 'take'>;
  readonly gaugeScope: InstrumentationScope;
  readonly maxRetainedPoints: number;
}

export function createMetricBuffer(options: MetricBufferOptions): MetricBuffer {
  const { exporter, gauges, gaugeScope, maxRetainedPoints } = options;
  const reader = new CollectOnDemandReader({
    aggregationTemporalitySelector: (type) => exporter.selectAggregationTemporality?.(type) ?? AggregationTemporality.CUMULATIVE,
  });
  // Collections are kept as they come and merged once, at export.
  let collections: ResourceMetrics[] = [];
  let points = 0;
  let dropped = 0;
  /** Points of exports not answered yet. */
  let onTheWay = 0;
  const keep = (collected: ResourceMetrics): void => {
    const n = countPoints(collected);
    if (n === 0) return;
    collections.push(collected);
    points += n;
  };

  return {
    reader,

    async collect() {
      const { resourceMetrics } = await reader.collect();
      const gaugeMetrics = gauges.take();
      if (gaugeMetrics.length > 0) resourceMetrics.scopeMetrics.push({ scope: gaugeScope, metrics: gaugeMetrics });
      keep(resourceMetrics);
    },

    pendingPoints: () => points + gauges.count(),

    unsettledPoints: () => points + gauges.count() + onTheWay,

    export() {
      const batch = mergeAll(collections);
      collections = [];
      points = 0;
      if (batch === null || countPoints(batch) === 0) return Promise.resolve({ code: 0 });
      const size = countPoints(batch);
      onTheWay += size;
      return new Promise((resolve) =>
        exporter.export(batch, (result) => {
          onTheWay -= size;
          if (result.code !== ExportResultCode.SUCCESS) {
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

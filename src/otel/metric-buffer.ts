/**
 * Holds collected metrics until the flush policy exports them: the counters and histograms
 * collected from the SDK's reader at export, and the per-invocation gauge points taken from
 * their series then. Sums and histograms follow the exporter's temporality preference. What a
 * down backend did not take is kept, merged with what comes next, and sent again in requests
 * of at most `batchPoints` points; beyond `maxRetainedPoints` the oldest points are dropped.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult, InstrumentationScope } from '@opentelemetry/core';
import { AggregationTemporality, MetricReader } from '@opentelemetry/sdk-metrics';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { GaugeSeries } from './gauge-series.ts';
import { countPoints, dropOldestPoints, joinParts, mergeCollections, splitPoints } from './metric-points.ts';
import { isRetainable } from './retaining-exporter.ts';

export interface MetricBuffer {
  /** The reader for the MeterProvider of counters and histograms. */
  readonly reader: MetricReader;
  /** Collects everything (before an export). */
  collect(): Promise<void>;
  /**
   * Data points recorded or collected since the last export. Points a failed export kept are
   * not counted: they must not start a threshold export at every invocation of an outage.
   */
  pendingPoints(): number;
  /** Pending points plus those kept from failed exports and those of an export still on its way. */
  unsettledPoints(): number;
  /**
   * Exports everything collected so far and kept from failed exports, at most `batchPoints`
   * per request, one request at a time; resolves with the first failure, or success. A request
   * a down or throttling backend did not take is kept with the rest (up to the bound) for the
   * next export; one refused as invalid is dropped alone.
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
  /** Points kept from failed exports at most; beyond, the oldest are dropped. */
  readonly maxRetainedPoints: number;
  /** Points per export request at most. */
  readonly batchPoints: number;
}

const SUCCESS: ExportResult = { code: ExportResultCode.SUCCESS };

export function createMetricBuffer(options: MetricBufferOptions): MetricBuffer {
  const { exporter, gauges, gaugeScope, maxRetainedPoints, batchPoints } = options;
  if (!Number.isInteger(batchPoints) || batchPoints < 1) throw new RangeError(`batchPoints must be a positive integer, got ${batchPoints}`);
  const reader = new CollectOnDemandReader({
    aggregationTemporalitySelector: (type) => exporter.selectAggregationTemporality?.(type) ?? AggregationTemporality.CUMULATIVE,
  });
  // Collections are kept as they come and merged once, at export.
  let collections: ResourceMetrics[] = [];
  let points = 0;
  /** What failed exports left, merged; older than every collection. */
  let retained: ResourceMetrics | null = null;
  let retainedPoints = 0;
  let dropped = 0;
  /** Points of exports not answered yet. */
  let onTheWay = 0;
  const keep = (collected: ResourceMetrics): void => {
    const n = countPoints(collected);
    if (n === 0) return;
    collections.push(collected);
    points += n;
  };
  /** Keeps the requests a down backend did not take, dropping the oldest points beyond the bound. */
  const retain = (parts: ResourceMetrics[]): void => {
    const failed = joinParts(parts)!;
    // Anything retained meanwhile came from an export started later.
    let kept = retained === null ? failed : mergeCollections([failed, retained])!;
    let n = countPoints(kept);
    if (n > maxRetainedPoints) {
      kept = dropOldestPoints(kept, n - maxRetainedPoints);
      dropped += n - maxRetainedPoints;
      n = maxRetainedPoints;
    }
    retained = n === 0 ? null : kept;
    retainedPoints = n;
  };
  const send = (part: ResourceMetrics): Promise<ExportResult> => new Promise((resolve) => exporter.export(part, resolve));

  return {
    reader,

    async collect() {
      const { resourceMetrics } = await reader.collect();
      const gaugeMetrics = gauges.take();
      if (gaugeMetrics.length > 0) resourceMetrics.scopeMetrics.push({ scope: gaugeScope, metrics: gaugeMetrics });
      keep(resourceMetrics);
    },

    pendingPoints: () => points + gauges.count(),

    unsettledPoints: () => points + gauges.count() + retainedPoints + onTheWay,

    async export() {
      const batch = mergeCollections(retained === null ? collections : [retained, ...collections]);
      collections = [];
      points = 0;
      retained = null;
      retainedPoints = 0;
      let left = batch === null ? 0 : countPoints(batch);
      if (batch === null || left === 0) return SUCCESS;
      const parts = splitPoints(batch, batchPoints);
      onTheWay += left;
      let outcome = SUCCESS;
      for (let i = 0; i < parts.length; i++) {
        const size = countPoints(parts[i]!);
        const result = await send(parts[i]!);
        onTheWay -= size;
        left -= size;
        if (result.code === ExportResultCode.SUCCESS) continue;
        if (outcome.code === ExportResultCode.SUCCESS) outcome = result;
        if (!isRetainable(result)) {
          dropped += size;
          continue;
        }
        // A down backend would not take the next request either: it waits with this one.
        onTheWay -= left;
        retain(parts.slice(i));
        break;
      }
      return outcome;
    },

    dropped: () => dropped,
  };
}

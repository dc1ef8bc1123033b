/**
 * Collected metrics as the metric buffer handles them: counted, merged, split into requests
 * of a bounded number of data points, and trimmed of their oldest points.
 */
import type { HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import type { MetricData, ResourceMetrics, ScopeMetrics } from '@opentelemetry/sdk-metrics';

export function countPoints(metrics: ResourceMetrics): number {
  let n = 0;
  for (const scope of metrics.scopeMetrics) for (const metric of scope.metrics) n += metric.dataPoints.length;
  return n;
}

/**
 * Merges collections in order into one: gauge and delta points accumulate (each covers its
 * own interval); a cumulative sum or histogram only needs its latest points.
 */
export function mergeCollections(collections: readonly ResourceMetrics[]): ResourceMetrics | null {
  return merge(collections, false);
}

/** Joins requests split from one collection back into one, every point kept. */
export function joinParts(parts: readonly ResourceMetrics[]): ResourceMetrics | null {
  return merge(parts, true);
}

function merge(collections: readonly ResourceMetrics[], keepAll: boolean): ResourceMetrics | null {
  const last = collections.at(-1);
  if (last === undefined) return null;
  const scopes = new Map<string, { scope: ScopeMetrics['scope']; metrics: Map<string, MetricData> }>();
  for (const collection of collections) {
    for (const { scope, metrics } of collection.scopeMetrics) {
      let entry = scopes.get(scope.name);
      if (entry === undefined) scopes.set(scope.name, (entry = { scope, metrics: new Map() }));
      for (const metric of metrics) {
        const before = entry.metrics.get(metric.descriptor.name);
        const accumulate = keepAll || metric.dataPointType === DataPointType.GAUGE || metric.aggregationTemporality === AggregationTemporality.DELTA;
        if (before !== undefined && accumulate) appendAll(before.dataPoints as unknown[], metric.dataPoints);
        else entry.metrics.set(metric.descriptor.name, { ...metric, dataPoints: [...metric.dataPoints] } as MetricData);
      }
    }
  }
  return { resource: last.resource, scopeMetrics: [...scopes.values()].map(({ scope, metrics }) => ({ scope, metrics: [...metrics.values()] })) };
}

/** Splits `metrics` into requests of at most `maxPoints` data points each, in order; a metric may span two. */
export function splitPoints(metrics: ResourceMetrics, maxPoints: number): ResourceMetrics[] {
  if (countPoints(metrics) <= maxPoints) return [metrics];
  const parts: ResourceMetrics[] = [];
  let scopeMetrics: ScopeMetrics[] = [];
  let room = maxPoints;
  for (const { scope, metrics: list } of metrics.scopeMetrics) {
    let current: MetricData[] | null = null;
    for (const metric of list) {
      for (let from = 0; from < metric.dataPoints.length; ) {
        if (room === 0) {
          parts.push({ resource: metrics.resource, scopeMetrics });
          scopeMetrics = [];
          current = null;
          room = maxPoints;
        }
        if (current === null) scopeMetrics.push({ scope, metrics: (current = []) });
        const take = Math.min(room, metric.dataPoints.length - from);
        current.push({ ...metric, dataPoints: metric.dataPoints.slice(from, from + take) } as MetricData);
        from += take;
        room -= take;
      }
    }
  }
  if (scopeMetrics.length > 0) parts.push({ resource: metrics.resource, scopeMetrics });
  return parts;
}

/** `metrics` without the `count` data points that end first (the oldest gauge and delta points; cumulative ones end at collection). */
export function dropOldestPoints(metrics: ResourceMetrics, count: number): ResourceMetrics {
  if (count <= 0) return metrics;
  const all: Array<{ readonly endTime: HrTime }> = [];
  for (const scope of metrics.scopeMetrics) for (const metric of scope.metrics) appendAll(all, metric.dataPoints);
  // Stable: of points ending at the same time, the earlier collected go first.
  all.sort((a, b) => a.endTime[0] - b.endTime[0] || a.endTime[1] - b.endTime[1]);
  const dropped = new Set<object>(all.slice(0, count));
  const scopeMetrics: ScopeMetrics[] = [];
  for (const { scope, metrics: list } of metrics.scopeMetrics) {
    const kept: MetricData[] = [];
    for (const metric of list) {
      const dataPoints = (metric.dataPoints as ReadonlyArray<{ readonly endTime: HrTime }>).filter((point) => !dropped.has(point));
      if (dataPoints.length > 0) kept.push({ ...metric, dataPoints } as MetricData);
    }
    if (kept.length > 0) scopeMetrics.push({ scope, metrics: kept });
  }
  return { resource: metrics.resource, scopeMetrics };
}

/** A loop, not `push(...from)`: retention can hold more points than a call takes arguments. */
function appendAll<T>(to: T[], from: readonly T[]): void {
  for (const item of from) to.push(item);
}

/**
 * Flattens a decoded `ExportMetricsServiceRequest` (protobuf-decoded or OTLP/JSON) into one
 * record per data point. Malformed input throws; the receiver answers it 400.
 */
import type { Attributes, MetricPoint, MetricType, ReceivedMetric, Scope } from './otlp-types.ts';
import { enumIndex, keyValues, resourceAttributes, scopeOf, toNanos, toNumber } from './otlp-values.ts';
import type { WireKeyValue, WireLong, WireResource, WireScope } from './otlp-values.ts';

interface WireBuckets {
  offset?: number;
  bucketCounts?: WireLong[];
}

/** The union of the five data point messages' fields. */
interface WirePoint {
  attributes?: WireKeyValue[];
  startTimeUnixNano?: WireLong;
  timeUnixNano?: WireLong;
  asInt?: WireLong;
  asDouble?: number | string;
  count?: WireLong;
  sum?: number | string;
  bucketCounts?: WireLong[];
  explicitBounds?: Array<number | string>;
  min?: number | string;
  max?: number | string;
  scale?: number;
  zeroCount?: WireLong;
  positive?: WireBuckets;
  negative?: WireBuckets;
  quantileValues?: Array<{ quantile?: number | string; value?: number | string }>;
}

interface WireData {
  dataPoints?: WirePoint[];
  aggregationTemporality?: number | string;
  isMonotonic?: boolean;
}

type WireMetric = { name?: string; description?: string; unit?: string } & { [type in MetricType]?: WireData };

interface WireMetricsRequest {
  resourceMetrics?: Array<{ resource?: WireResource; scopeMetrics?: Array<{ scope?: WireScope; metrics?: WireMetric[] }> }>;
}

const METRIC_TYPES: readonly MetricType[] = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'];
const TEMPORALITIES = ['UNSPECIFIED', 'DELTA', 'CUMULATIVE'];

function temporality(value: number | string | undefined): 'delta' | 'cumulative' | undefined {
  const index = enumIndex(value, TEMPORALITIES, 'AGGREGATION_TEMPORALITY_');
  return index === 1 ? 'delta' : index === 2 ? 'cumulative' : undefined;
}

function buckets(value: WireBuckets | undefined): { offset: number; bucketCounts: number[] } {
  return { offset: value?.offset ?? 0, bucketCounts: (value?.bucketCounts ?? []).map(Number) };
}

function pointRecord(type: MetricType, point: WirePoint): MetricPoint {
  const { attributes, kinds } = keyValues(point.attributes);
  const record: { -readonly [K in keyof MetricPoint]: MetricPoint[K] } = {
    attributes,
    attributeKinds: kinds,
    startTimeUnixNano: toNanos(point.startTimeUnixNano),
    timeUnixNano: toNanos(point.timeUnixNano),
  };
  if (type === 'gauge' || type === 'sum') {
    // A set oneof member is written even when 0, so the member present tells int from double.
    record.valueKind = point.asInt !== undefined ? 'int' : 'double';
    record.value = toNumber(point.asInt ?? point.asDouble);
    return record;
  }
  record.count = toNumber(point.count);
  if (point.sum !== undefined) record.sum = Number(point.sum);
  if (type === 'summary') {
    record.quantiles = (point.quantileValues ?? []).map((q) => ({ quantile: toNumber(q.quantile), value: toNumber(q.value) }));
    return record;
  }
  if (point.min !== undefined) record.min = Number(point.min);
  if (point.max !== undefined) record.max = Number(point.max);
  if (type === 'histogram') {
    record.bucketCounts = (point.bucketCounts ?? []).map(Number);
    record.explicitBounds = (point.explicitBounds ?? []).map(Number);
  } else {
    record.scale = point.scale ?? 0;
    record.zeroCount = toNumber(point.zeroCount);
    record.positive = buckets(point.positive);
    record.negative = buckets(point.negative);
  }
  return record;
}

function pushPoints(out: ReceivedMetric[], metric: WireMetric, resource: Attributes, scope: Scope): void {
  const type = METRIC_TYPES.find((name) => metric[name] !== undefined && metric[name] !== null);
  if (type === undefined) return;
  const data = metric[type] as WireData;
  const kind = {
    temporality: type === 'gauge' || type === 'summary' ? undefined : temporality(data.aggregationTemporality),
    monotonic: type === 'sum' ? data.isMonotonic === true : undefined,
  };
  for (const point of data.dataPoints ?? []) {
    out.push({
      name: metric.name ?? '',
      description: metric.description ?? '',
      unit: metric.unit ?? '',
      type,
      ...(kind.temporality === undefined ? {} : { temporality: kind.temporality }),
      ...(kind.monotonic === undefined ? {} : { monotonic: kind.monotonic }),
      point: pointRecord(type, point),
      resource,
      scope,
    });
  }
}

export function flattenMetrics(request: unknown): ReceivedMetric[] {
  const out: ReceivedMetric[] = [];
  for (const resourceMetrics of (request as WireMetricsRequest).resourceMetrics ?? []) {
    const resource = resourceAttributes(resourceMetrics.resource);
    for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
      const scope = scopeOf(scopeMetrics.scope);
      for (const metric of scopeMetrics.metrics ?? []) pushPoints(out, metric, resource, scope);
    }
  }
  return out;
}

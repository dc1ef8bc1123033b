/**
 * Lambda's per-invocation figures as gauge points, one per report, each stamped with the time of
 * its report. The SDK's gauge instrument keeps only the last value per collection, so keeping
 * every invocation's value through it meant one metric collection per invocation; here a value
 * is appended as a data point in the SDK's export shape and handed to the exporter as it is.
 */
import { ValueType } from '@opentelemetry/api';
import type { HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import type { DataPoint, GaugeMetricData, MetricDescriptor } from '@opentelemetry/sdk-metrics';

export interface GaugeSeries<Name extends string> {
  record(name: Name, value: number, time: HrTime): void;
  /** Points recorded and not yet taken. */
  count(): number;
  /** The points recorded so far, one metric per gauge that has any; the series starts empty again. */
  take(): GaugeMetricData[];
}

export interface GaugeDefinition {
  readonly unit: string;
  readonly description: string;
}

export function createGaugeSeries<Name extends string>(definitions: Readonly<Record<Name, GaugeDefinition>>): GaugeSeries<Name> {
  const descriptors = new Map<string, MetricDescriptor>();
  for (const [name, { unit, description }] of Object.entries<GaugeDefinition>(definitions)) {
    descriptors.set(name, { name, unit, description, valueType: ValueType.DOUBLE });
  }
  let points = new Map<string, DataPoint<number>[]>();
  let count = 0;
  return {
    record(name, value, time) {
      let series = points.get(name);
      if (series === undefined) points.set(name, (series = []));
      series.push({ startTime: time, endTime: time, attributes: {}, value });
      count++;
    },
    count: () => count,
    take() {
      const taken: GaugeMetricData[] = [];
      for (const [name, dataPoints] of points) {
        taken.push({ descriptor: descriptors.get(name)!, aggregationTemporality: AggregationTemporality.DELTA, dataPointType: DataPointType.GAUGE, dataPoints });
      }
      points = new Map();
      count = 0;
      return taken;
    },
  };
}

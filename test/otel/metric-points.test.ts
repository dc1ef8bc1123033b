import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import type { MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { countPoints, dropOldestPoints, joinParts, mergeCollections, splitPoints } from '../../src/otel/metric-points.ts';

/** A sum (cumulative) or gauge with one point per `[series, endSeconds]`, value = endSeconds. */
function metric(name: string, kind: 'sum' | 'gauge', points: Array<[string, number]>): MetricData {
  const base = { descriptor: { name, unit: '1', description: name, valueType: ValueType.DOUBLE } };
  const dataPoints = points.map(([series, s]) => ({ startTime: [0, 0] as [number, number], endTime: [s, 0] as [number, number], attributes: { series }, value: s }));
  return kind === 'sum'
    ? { ...base, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints }
    : { ...base, aggregationTemporality: AggregationTemporality.DELTA, dataPointType: DataPointType.GAUGE, dataPoints };
}
const collection = (...scopes: Array<[string, MetricData[]]>): ResourceMetrics => ({
  resource: resourceFromAttributes({}),
  scopeMetrics: scopes.map(([name, metrics]) => ({ scope: { name }, metrics })),
});
/** Per scope and metric, the points as `series@end`. */
const shape = (m: ResourceMetrics) =>
  m.scopeMetrics.map((s) => [s.scope.name, s.metrics.map((x) => [x.descriptor.name, x.dataPoints.map((p) => `${String(p.attributes.series)}@${p.endTime[0]}`)])]);

describe('metric points', () => {
  const batch = collection(['a', [metric('sum', 'sum', [['x', 9], ['y', 9], ['z', 9]])]], ['b', [metric('g', 'gauge', [['-', 1], ['-', 2]])]]);

  it('splits into requests of at most maxPoints, in order, a metric spanning two when it must', () => {
    const parts = splitPoints(batch, 2);
    assert.deepEqual(parts.map(countPoints), [2, 2, 1]);
    assert.deepEqual(parts.map(shape), [
      [['a', [['sum', ['x@9', 'y@9']]]]],
      [['a', [['sum', ['z@9']]]], ['b', [['g', ['-@1']]]]],
      [['b', [['g', ['-@2']]]]],
    ]);
    assert.equal(splitPoints(batch, 5)[0], batch, 'what fits is not copied');
  });

  it('joins split parts back with every point, where merging collections keeps only the latest cumulative points', () => {
    const parts = splitPoints(batch, 2);
    assert.deepEqual(shape(joinParts(parts)!), shape(batch));
    assert.deepEqual(shape(mergeCollections(parts)!)[0], ['a', [['sum', ['z@9']]]]);
  });

  it('drops the points that end first, across metrics, and what is left empty', () => {
    const older = collection(['b', [metric('g', 'gauge', [['-', 1], ['-', 5]]), metric('h', 'gauge', [['-', 2]])]], ['a', [metric('sum', 'sum', [['x', 9]])]]);
    assert.deepEqual(shape(dropOldestPoints(older, 2)), [['b', [['g', ['-@5']]]], ['a', [['sum', ['x@9']]]]]);
    assert.deepEqual(shape(dropOldestPoints(older, 4)), []);
    assert.equal(dropOldestPoints(older, 0), older);
  });
});

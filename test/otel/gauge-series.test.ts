import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueType } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import { createGaugeSeries } from '../../src/otel/gauge-series.ts';

describe('createGaugeSeries', () => {
  const definitions = { 'a.duration': { unit: 'ms', description: 'A' }, 'a.memory': { unit: 'By', description: 'B' } };

  it('keeps every recorded value as its own point, stamped with its time', () => {
    const series = createGaugeSeries(definitions);
    series.record('a.duration', 12.5, millisToHrTime(1000));
    series.record('a.duration', 7, millisToHrTime(2000));
    series.record('a.memory', 1024, millisToHrTime(2000));
    assert.equal(series.count(), 3);
    const taken = series.take();
    assert.deepEqual(
      taken.map((m) => [m.descriptor.name, m.descriptor.unit, m.descriptor.valueType, m.dataPointType, m.dataPoints.map((p) => [p.value, p.startTime, p.endTime])]),
      [
        ['a.duration', 'ms', ValueType.DOUBLE, DataPointType.GAUGE, [[12.5, millisToHrTime(1000), millisToHrTime(1000)], [7, millisToHrTime(2000), millisToHrTime(2000)]]],
        ['a.memory', 'By', ValueType.DOUBLE, DataPointType.GAUGE, [[1024, millisToHrTime(2000), millisToHrTime(2000)]]],
      ],
    );
  });

  it('starts empty again after take(), and leaves out gauges without points', () => {
    const series = createGaugeSeries(definitions);
    series.record('a.memory', 1, millisToHrTime(0));
    series.take();
    assert.equal(series.count(), 0);
    assert.deepEqual(series.take(), []);
    series.record('a.duration', 2, millisToHrTime(0));
    assert.deepEqual(series.take().map((m) => m.descriptor.name), ['a.duration']);
  });
});

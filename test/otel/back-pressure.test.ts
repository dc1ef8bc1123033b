import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBackPressure } from '../../src/otel/back-pressure.ts';
import type { DrainableQueue } from '../../src/otel/back-pressure.ts';

/** A queue of `length` items out of `capacity` whose flush empties it at once. */
function queueOf(length: number, capacity: number): DrainableQueue & { flushes: number } {
  const queue = {
    length,
    capacity,
    flushes: 0,
    flush() {
      queue.flushes++;
      queue.length = 0;
      return Promise.resolve(true);
    },
  };
  return queue;
}

describe('createBackPressure', () => {
  it('does not hold while every queue is at most an eighth full', () => {
    // Prepare
    const logs = queueOf(1_250, 10_000);
    const spans = queueOf(4_096, 32_768);
    // Act
    const hold = createBackPressure([logs, spans], () => assert.fail('nothing to release')).hold();
    // Assess
    assert.equal(hold, undefined);
    assert.equal(logs.flushes + spans.flushes, 0);
  });

  it('holds a max-size batch of log lines (about 4 300) until every queue drained', async () => {
    // Prepare
    const logs = queueOf(4_300, 10_000);
    const spans = queueOf(10, 32_768);
    let released = 0;
    // Act
    const hold = createBackPressure([logs, spans], () => released++).hold();
    // Assess
    assert.ok(hold !== undefined, 'held');
    await hold;
    assert.equal(released, 1);
    assert.deepEqual([logs.flushes, spans.flushes, logs.length, spans.length], [1, 1, 0, 0]);
  });
});

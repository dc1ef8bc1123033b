import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { createExportQueue } from '../../src/otel/export-queue.ts';

/** An exporter that answers each export when told to, recording the batches it was given. */
function manual() {
  const batches: number[][] = [];
  const pending: Array<() => void> = [];
  return {
    batches,
    answerAll: () => {
      while (pending.length > 0) pending.shift()!();
    },
    inFlight: () => pending.length,
    export(items: number[], done: (result: ExportResult) => void) {
      batches.push(items);
      pending.push(() => done({ code: 0 }));
    },
    shutdown: () => Promise.resolve(),
  };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createExportQueue', () => {
  it('exports by itself once a batch is full, and flush() sends the rest in batches', async () => {
    const exporter = manual();
    const queue = createExportQueue(exporter, { capacity: 100, batchSize: 3 });
    for (const n of [1, 2]) queue.push(n);
    await tick();
    assert.deepEqual(exporter.batches, [], 'no export below a batch');
    queue.push(3);
    await tick();
    assert.deepEqual(exporter.batches, [[1, 2, 3]]);
    for (const n of [4, 5, 6, 7, 8]) queue.push(n);
    const flushed = queue.flush();
    for (let i = 0; i < 5; i++) {
      exporter.answerAll();
      await tick();
    }
    await flushed;
    assert.deepEqual(exporter.batches, [[1, 2, 3], [4, 5, 6], [7, 8]]);
    assert.equal(queue.length, 0);
  });

  it('keeps at most two exports on the way', async () => {
    const exporter = manual();
    const queue = createExportQueue(exporter, { capacity: 100, batchSize: 2 });
    for (let n = 0; n < 10; n++) queue.push(n);
    await tick();
    assert.equal(exporter.inFlight(), 1, 'the first full batch went at once');
    exporter.answerAll();
    await tick();
    assert.equal(exporter.inFlight(), 2, 'then the eight queued meanwhile, two batches at a time');
    const flushed = queue.flush();
    while (exporter.batches.length < 5 || exporter.inFlight() > 0) {
      assert.ok(exporter.inFlight() <= 2);
      exporter.answerAll();
      await tick();
    }
    await flushed;
    assert.deepEqual(exporter.batches.flat(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('refuses and counts items beyond its capacity, including those taken but not yet sent', async () => {
    const exporter = manual();
    const queue = createExportQueue(exporter, { capacity: 5, batchSize: 10 });
    const taken = [1, 2, 3, 4, 5, 6, 7].map((n) => queue.push(n));
    assert.deepEqual(taken, [true, true, true, true, true, false, false]);
    assert.equal(queue.dropped(), 2);
    const flushed = queue.flush();
    exporter.answerAll();
    await flushed;
    assert.equal(queue.push(8), true, 'room again once exported');
  });

  it('a flush asked for while one runs resolves only after the items queued meanwhile are sent', async () => {
    const exporter = manual();
    const queue = createExportQueue(exporter, { capacity: 100, batchSize: 2 });
    queue.push(1);
    const first = queue.flush();
    queue.push(2);
    queue.push(3);
    let secondDone = false;
    const second = queue.flush().then(() => (secondDone = true));
    while (exporter.inFlight() > 0 || exporter.batches.flat().length < 3) {
      exporter.answerAll();
      await tick();
    }
    await Promise.all([first, second]);
    assert.equal(secondDone, true);
    assert.deepEqual(exporter.batches.flat().sort(), [1, 2, 3]);
  });

  it('an exporter that throws does not stop the queue; its batch is counted as dropped', async () => {
    let calls = 0;
    const queue = createExportQueue<number>(
      {
        export(items, done) {
          if (calls++ === 0) throw new Error('bug');
          done({ code: 0 });
        },
        shutdown: () => Promise.resolve(),
      },
      { capacity: 100, batchSize: 2 },
    );
    for (let n = 0; n < 4; n++) queue.push(n);
    await queue.flush();
    assert.equal(queue.dropped(), 2);
    assert.equal(queue.length, 0);
  });

  it('flush() waits for the items queued before it, not for those that keep coming after', async () => {
    const exporter = manual();
    const queue = createExportQueue(exporter, { capacity: 1000, batchSize: 2 });
    queue.push(0);
    let flushed = false;
    const flush = queue.flush().then((ok) => (flushed = ok));
    for (let n = 1; n < 40 && !flushed; n++) {
      queue.push(n);
      exporter.answerAll();
      await tick();
    }
    await flush;
    assert.equal(flushed, true);
    assert.ok(exporter.batches.flat().length < 40, 'resolved while items were still coming');
  });

  it('flush() says whether an export failed, and an export that never answers fails after the timeout', async () => {
    const answers: boolean[] = [true, false];
    const queue = createExportQueue<number>(
      {
        export(_items, done) {
          const ok = answers.shift();
          if (ok !== undefined) done({ code: ok ? ExportResultCode.SUCCESS : ExportResultCode.FAILED });
          // the third export never answers
        },
        shutdown: () => Promise.resolve(),
      },
      { capacity: 100, batchSize: 10, exportTimeoutMs: 50 },
    );
    queue.push(1);
    assert.equal(await queue.flush(), true);
    queue.push(2);
    assert.equal(await queue.flush(), false);
    queue.push(3);
    // The queue's timer does not hold the process; this one does, for the test.
    const keepAlive = setTimeout(() => undefined, 1000);
    assert.equal(await queue.flush(), false, 'timed out');
    clearTimeout(keepAlive);
    assert.equal(await queue.flush(), true, 'nothing left');
  });
});

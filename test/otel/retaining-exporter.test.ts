import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { createRetainingExporter } from '../../src/otel/retaining-exporter.ts';

/** An exporter answering from a script of results, recording what it was given. */
function scripted(results: ExportResult[]) {
  const batches: number[][] = [];
  return {
    batches,
    results,
    export(items: number[], done: (result: ExportResult) => void) {
      batches.push(items);
      done(results.shift() ?? { code: ExportResultCode.SUCCESS });
    },
    shutdown: () => Promise.resolve(),
  };
}
const failure = (status?: number): ExportResult => ({ code: ExportResultCode.FAILED, error: Object.assign(new Error('nope'), status === undefined ? {} : { code: status }) });
const SUCCESS: ExportResult = { code: ExportResultCode.SUCCESS };
const send = (exporter: { export(items: number[], done: (r: ExportResult) => void): void }, items: number[]) =>
  new Promise<ExportResult>((resolve) => exporter.export(items, resolve));

describe('retaining exporter', () => {
  it('keeps what a down, slow or throttling backend did not take and sends it first next time', async () => {
    const inner = scripted([failure(), failure(503), failure(429)]);
    const exporter = createRetainingExporter(inner, { maxItems: 100, batchSize: 100 });
    await send(exporter, [1, 2]);
    await send(exporter, [3]);
    await send(exporter, [4]);
    assert.equal(exporter.stats().retained, 4);
    await send(exporter, [5]);
    assert.deepEqual(inner.batches.at(-1), [1, 2, 3, 4, 5]);
    assert.deepEqual(exporter.stats(), { exported: 5, droppedOverflow: 0, droppedRefused: 0, failedExports: 3, retained: 0 });
  });

  it('sends the retained items on request even when nothing new comes', async () => {
    const inner = scripted([failure()]);
    const exporter = createRetainingExporter(inner, { maxItems: 100, batchSize: 100 });
    await send(exporter, [1]);
    await exporter.retryRetained();
    assert.deepEqual(inner.batches, [[1], [1]]);
    assert.equal(exporter.stats().retained, 0);
    await exporter.retryRetained();
    assert.equal(inner.batches.length, 2, 'nothing to send, no request');
  });

  it('drops and counts a batch the backend refused as invalid (4xx other than 429)', async () => {
    const inner = scripted([failure(400)]);
    const exporter = createRetainingExporter(inner, { maxItems: 100, batchSize: 100 });
    await send(exporter, [1, 2, 3]);
    assert.deepEqual(exporter.stats(), { exported: 0, droppedOverflow: 0, droppedRefused: 3, failedExports: 1, retained: 0 });
  });

  it('keeps at most maxItems, dropping the oldest and counting them', async () => {
    const inner = scripted([failure(), failure()]);
    const exporter = createRetainingExporter(inner, { maxItems: 3, batchSize: 100 });
    await send(exporter, [1, 2]);
    await send(exporter, [3, 4]);
    await send(exporter, []);
    assert.deepEqual(inner.batches.at(-1), [2, 3, 4]);
    assert.equal(exporter.stats().droppedOverflow, 1);
  });

  it('counts a batch its exporter threw on as refused and answers FAILED, instead of throwing', async () => {
    const exporter = createRetainingExporter<number>(
      {
        export() {
          throw new Error('encoder bug');
        },
        shutdown: () => Promise.resolve(),
      },
      { maxItems: 100, batchSize: 100 },
    );
    const result = await send(exporter, [1, 2, 3]);
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.equal(result.error?.message, 'encoder bug');
    assert.deepEqual(exporter.stats(), { exported: 0, droppedOverflow: 0, droppedRefused: 3, failedExports: 1, retained: 0 });
  });

  describe('after an outage: batches of at most batchSize', () => {
    /** Ten items retained through an outage, in order, with the exporter's record of requests cleared. */
    async function afterOutage(batchSize: number, answers: ExportResult[]) {
      const inner = scripted([]);
      const exporter = createRetainingExporter(inner, { maxItems: 100, batchSize });
      for (const items of [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10]]) {
        inner.results.push(failure(503));
        await send(exporter, items);
      }
      assert.equal(exporter.stats().retained, 10);
      inner.batches.length = 0;
      inner.results.push(...answers);
      return { inner, exporter };
    }

    it('retained items ride along with the next export only as far as its batch has room', async () => {
      const inner = scripted([failure(503)]);
      const exporter = createRetainingExporter(inner, { maxItems: 100, batchSize: 4 });
      await send(exporter, [1, 2, 3]);
      await send(exporter, [4, 5]);
      assert.deepEqual(inner.batches.at(-1), [1, 2, 4, 5]);
      await send(exporter, [6, 7, 8, 9]);
      assert.deepEqual(inner.batches.at(-1), [6, 7, 8, 9], 'a full batch takes none');
      assert.equal(exporter.stats().retained, 1);
      await exporter.retryRetained();
      assert.deepEqual(inner.batches.at(-1), [3]);
    });

    it('retryRetained sends everything retained, oldest first, batchSize per request, each item once', async () => {
      const { inner, exporter } = await afterOutage(3, []);
      await exporter.retryRetained();
      assert.deepEqual(inner.batches, [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10]]);
      assert.deepEqual(exporter.stats(), { exported: 10, droppedOverflow: 0, droppedRefused: 0, failedExports: 4, retained: 0 });
    });

    it('a batch refused as invalid (4xx) is dropped alone; the retained rest still goes', async () => {
      const { inner, exporter } = await afterOutage(4, [failure(400)]);
      await exporter.retryRetained();
      assert.deepEqual(inner.batches, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
      assert.deepEqual(exporter.stats(), { exported: 6, droppedOverflow: 0, droppedRefused: 4, failedExports: 5, retained: 0 });
    });

    it('stops at the first batch a down backend did not take, keeping it and the rest for the next retry', async () => {
      const { inner, exporter } = await afterOutage(4, [SUCCESS, failure(503)]);
      await exporter.retryRetained();
      assert.deepEqual(inner.batches, [[1, 2, 3, 4], [5, 6, 7, 8]], 'nothing after the failure');
      assert.equal(exporter.stats().retained, 6);
      await exporter.retryRetained();
      assert.deepEqual(inner.batches.slice(2), [[5, 6, 7, 8], [9, 10]]);
      assert.deepEqual(exporter.stats(), { exported: 10, droppedOverflow: 0, droppedRefused: 0, failedExports: 5, retained: 0 });
    });

    it('counts retained items on their way again as retained until the backend answers', async () => {
      let answer: ((result: ExportResult) => void) | null = null;
      let fail = true;
      const exporter = createRetainingExporter<number>(
        {
          export(_items, done) {
            if (fail) done(failure());
            else answer = done;
          },
          shutdown: () => Promise.resolve(),
        },
        { maxItems: 100, batchSize: 100 },
      );
      await send(exporter, [1, 2, 3]);
      fail = false;
      const retried = exporter.retryRetained();
      assert.equal(exporter.stats().retained, 3, 'not yet delivered');
      answer!(SUCCESS);
      await retried;
      assert.deepEqual(exporter.stats(), { exported: 3, droppedOverflow: 0, droppedRefused: 0, failedExports: 1, retained: 0 });
    });

    it('refuses a batch size below 1', () => {
      assert.throws(() => createRetainingExporter(scripted([]), { maxItems: 100, batchSize: 0 }), RangeError);
    });
  });
});

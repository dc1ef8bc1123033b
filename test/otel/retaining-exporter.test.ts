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
    export(items: number[], done: (result: ExportResult) => void) {
      batches.push(items);
      done(results.shift() ?? { code: ExportResultCode.SUCCESS });
    },
    shutdown: () => Promise.resolve(),
  };
}
const failure = (status?: number): ExportResult => ({ code: ExportResultCode.FAILED, error: Object.assign(new Error('nope'), status === undefined ? {} : { code: status }) });
const send = (exporter: { export(items: number[], done: (r: ExportResult) => void): void }, items: number[]) =>
  new Promise<ExportResult>((resolve) => exporter.export(items, resolve));

describe('retaining exporter', () => {
  it('keeps what a down, slow or throttling backend did not take and sends it first next time', async () => {
    const inner = scripted([failure(), failure(503), failure(429)]);
    const exporter = createRetainingExporter(inner, 100);
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
    const exporter = createRetainingExporter(inner, 100);
    await send(exporter, [1]);
    await exporter.retryRetained();
    assert.deepEqual(inner.batches, [[1], [1]]);
    assert.equal(exporter.stats().retained, 0);
    await exporter.retryRetained();
    assert.equal(inner.batches.length, 2, 'nothing to send, no request');
  });

  it('drops and counts a batch the backend refused as invalid (4xx other than 429)', async () => {
    const inner = scripted([failure(400)]);
    const exporter = createRetainingExporter(inner, 100);
    await send(exporter, [1, 2, 3]);
    assert.deepEqual(exporter.stats(), { exported: 0, droppedOverflow: 0, droppedRefused: 3, failedExports: 1, retained: 0 });
  });

  it('keeps at most maxItems, dropping the oldest and counting them', async () => {
    const inner = scripted([failure(), failure()]);
    const exporter = createRetainingExporter(inner, 3);
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
      100,
    );
    const result = await send(exporter, [1, 2, 3]);
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.equal(result.error?.message, 'encoder bug');
    assert.deepEqual(exporter.stats(), { exported: 0, droppedOverflow: 0, droppedRefused: 3, failedExports: 1, retained: 0 });
  });
});

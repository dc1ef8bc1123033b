/**
 * Finished spans or log records waiting for export, bounded. It stands where the SDK's batch
 * processors would: those serve live instrumentation (spans ended one by one, exports on their
 * own timer, records dropped silently when the queue is full), while the records here are
 * built complete from telemetry that already happened, exports follow the pipeline's flush
 * policy and thresholds, and a full queue refuses the record and counts it.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { ArrayExporter } from './retaining-exporter.ts';

export interface ExportQueue<T> {
  /**
   * Queues `item`; false when the queue is full (the item is counted as dropped). Once a whole
   * batch is queued, exporting starts by itself.
   */
  push(item: T): boolean;
  /** Items queued and not yet handed to the exporter. */
  readonly length: number;
  readonly capacity: number;
  /** Items queued or on their way whose export has not settled yet. */
  unsettled(): number;
  /**
   * Hands everything queued to the exporter, at most `batchSize` items per export, and resolves
   * once the exports of every item queued before the call have settled: true when no export
   * failed meanwhile. Items queued meanwhile are exported too, without holding this flush.
   */
  flush(): Promise<boolean>;
  dropped(): number;
}

export interface ExportQueueOptions {
  readonly capacity: number;
  readonly batchSize: number;
  /** An export that has not called back after this long counts as failed (default 30 s, as the SDK's processors). */
  readonly exportTimeoutMs?: number;
}

/** Export requests of one queue on the way at once: encoding the next batch overlaps the backend's answer to the last. */
const MAX_CONCURRENT_EXPORTS = 2;
const DEFAULT_EXPORT_TIMEOUT_MS = 30_000;

export function createExportQueue<T>(exporter: ArrayExporter<T>, options: ExportQueueOptions): ExportQueue<T> {
  const { capacity, batchSize } = options;
  const exportTimeoutMs = options.exportTimeoutMs ?? DEFAULT_EXPORT_TIMEOUT_MS;
  // Queued and not yet taken by the drain.
  let items: T[] = [];
  let dropped = 0;
  let draining: Promise<void> | null = null;
  // Items are numbered in queue order: `accepted` were queued, `handedOut` given to the exporter;
  // the difference is what waits, and counts against the capacity.
  let accepted = 0;
  let handedOut = 0;
  let failures = 0;
  let settledItems = 0;
  /** Where each export on the way starts in that numbering. */
  const onTheWay = new Set<number>();
  let waiters: Array<{ readonly upTo: number; readonly failuresBefore: number; readonly resolve: (ok: boolean) => void }> = [];

  /** Every item numbered below this has been exported (or has failed). */
  function settledUpTo(): number {
    let lowest = handedOut;
    for (const start of onTheWay) lowest = Math.min(lowest, start);
    return lowest;
  }

  function wakeWaiters(): void {
    const upTo = settledUpTo();
    waiters = waiters.filter((waiter) => {
      if (waiter.upTo > upTo) return true;
      waiter.resolve(failures === waiter.failuresBefore);
      return false;
    });
  }

  function exportBatch(batch: T[]): Promise<void> {
    const start = handedOut;
    handedOut += batch.length;
    onTheWay.add(start);
    return new Promise<void>((resolve) => {
      let done = false;
      const settle = (ok: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (!ok) failures++;
        settledItems += batch.length;
        onTheWay.delete(start);
        wakeWaiters();
        resolve();
      };
      // Unref'd: a hanging export must not keep the process alive by itself.
      const timer = setTimeout(() => settle(false), exportTimeoutMs).unref();
      try {
        exporter.export(batch, (result) => settle(result.code === ExportResultCode.SUCCESS));
      } catch {
        // The exporters here report failures through the callback; a throw is a bug, not a reason to stop draining.
        dropped += batch.length;
        settle(false);
      }
    });
  }

  async function drain(): Promise<void> {
    const sending = new Set<Promise<void>>();
    try {
      while (items.length > 0) {
        const batchOf = items;
        items = [];
        for (let from = 0; from < batchOf.length; from += batchSize) {
          const batch = batchOf.slice(from, from + batchSize);
          const sent = exportBatch(batch);
          sending.add(sent);
          void sent.then(() => sending.delete(sent));
          if (sending.size >= MAX_CONCURRENT_EXPORTS) await Promise.race(sending);
        }
        if (items.length === 0) await Promise.all(sending);
      }
    } finally {
      // Cleared in the same step as the last check above: a push or flush after it starts a new drain.
      draining = null;
    }
  }

  function startDrain(): void {
    if (draining === null && items.length > 0) draining = drain();
  }

  return {
    push(item) {
      if (accepted - handedOut >= capacity) {
        dropped++;
        return false;
      }
      items.push(item);
      accepted++;
      if (items.length >= batchSize) startDrain();
      return true;
    },
    get length() {
      return accepted - handedOut;
    },
    capacity,
    unsettled: () => accepted - settledItems,
    flush() {
      const upTo = accepted;
      const failuresBefore = failures;
      startDrain();
      // An exporter that answers at once has settled before this line: its failure still counts.
      if (settledUpTo() >= upTo) return Promise.resolve(failures === failuresBefore);
      return new Promise((resolve) => waiters.push({ upTo, failuresBefore, resolve }));
    },
    dropped: () => dropped,
  };
}

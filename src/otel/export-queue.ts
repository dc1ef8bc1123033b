/**
 * Finished spans or log records waiting for export, bounded. It stands where the SDK's batch
 * processors would: those serve live instrumentation (spans ended one by one, exports on their
 * own timer, records dropped silently when the queue is full), while the records here are
 * built complete from telemetry that already happened, exports follow the pipeline's flush
 * policy and thresholds, and a full queue refuses the record and counts it.
 */
import type { ArrayExporter } from './retaining-exporter.ts';

export interface ExportQueue<T> {
  /**
   * Queues `item`; false when the queue is full (the item is counted as dropped). Once a whole
   * batch is queued, exporting starts by itself.
   */
  push(item: T): boolean;
  /** Items queued and not yet handed to the exporter. */
  readonly length: number;
  /**
   * Hands everything queued to the exporter, at most `batchSize` items per export and one
   * export after the other; items queued meanwhile go too. Resolves when the queue is empty.
   */
  flush(): Promise<void>;
  dropped(): number;
}

/** Export requests of one queue on the way at once: serialising the next batch overlaps the backend's answer to the last. */
const MAX_CONCURRENT_EXPORTS = 2;

export interface ExportQueueOptions {
  readonly capacity: number;
  readonly batchSize: number;
}

export function createExportQueue<T>(exporter: ArrayExporter<T>, options: ExportQueueOptions): ExportQueue<T> {
  const { capacity, batchSize } = options;
  let items: T[] = [];
  // Taken from `items` by the running drain and not yet exported; they still count against the capacity.
  let taken = 0;
  let dropped = 0;
  let draining: Promise<void> | null = null;

  const exportBatch = (batch: T[]): Promise<void> =>
    new Promise((resolve) => {
      try {
        exporter.export(batch, () => resolve());
      } catch {
        // The exporters here report failures through the callback; a throw is a bug, not a reason to stop draining.
        dropped += batch.length;
        resolve();
      }
    });

  async function drain(): Promise<void> {
    const sending = new Set<Promise<void>>();
    try {
      while (items.length > 0) {
        const batchOf = items;
        items = [];
        taken = batchOf.length;
        for (let from = 0; from < batchOf.length; from += batchSize) {
          const batch = batchOf.slice(from, from + batchSize);
          taken -= batch.length;
          const sent = exportBatch(batch);
          sending.add(sent);
          void sent.then(() => sending.delete(sent));
          if (sending.size >= MAX_CONCURRENT_EXPORTS) await Promise.race(sending);
        }
        if (items.length === 0) await Promise.all(sending);
      }
    } finally {
      // Cleared in the same step as the last check above: a flush asked for after it starts a new drain.
      draining = null;
    }
  }

  function startDrain(): Promise<void> {
    if (draining === null && items.length > 0) draining = drain();
    return draining ?? Promise.resolve();
  }

  return {
    push(item) {
      if (items.length + taken >= capacity) {
        dropped++;
        return false;
      }
      items.push(item);
      if (items.length >= batchSize) void startDrain();
      return true;
    },
    get length() {
      return items.length + taken;
    },
    flush: startDrain,
    dropped: () => dropped,
  };
}

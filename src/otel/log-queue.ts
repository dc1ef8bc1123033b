/**
 * Bounds the log records waiting for export. The SDK's batch processor drops records silently
 * when its queue is full; this wrapper around the exporter knows how many records left the
 * queue, so the pipeline can refuse (and count) a record before the queue overflows.
 */
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';

export interface LogQueue {
  /** The exporter to give the batch processor. */
  readonly exporter: LogRecordExporter;
  /** Takes a place for one record; false when the queue is full (the record is counted as dropped). */
  admit(): boolean;
  stats(): { readonly queued: number; readonly dropped: number };
}

export function createLogQueue(exporter: LogRecordExporter, capacity: number): LogQueue {
  let queued = 0;
  let dropped = 0;
  return {
    exporter: {
      export(records, resultCallback) {
        queued = Math.max(0, queued - records.length);
        exporter.export(records, resultCallback);
      },
      shutdown: () => exporter.shutdown(),
      forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    },
    admit() {
      if (queued >= capacity) {
        dropped++;
        return false;
      }
      queued++;
      return true;
    },
    stats: () => ({ queued, dropped }),
  };
}

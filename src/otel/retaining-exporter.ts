/**
 * Keeps what an export could not deliver because the backend was down, slow or throttling,
 * and sends it again, so that telemetry of invocations that ran while the backend was
 * unreachable arrives once it is back. Retained items ride along with the next export as far
 * as its batch has room, and `retryRetained` sends the rest in batches of `batchSize`: however
 * long the outage, retention never makes a request larger than a normal one. Bounded: beyond
 * `maxItems` the oldest items are dropped and counted. A batch the backend refused as invalid
 * (HTTP 4xx other than 429) is dropped and counted instead: sending it again would fail again.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';

/** An exporter of arrays of items (spans, log records). */
export interface ArrayExporter<T> {
  export(items: T[], resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

export interface RetainingStats {
  readonly exported: number;
  /** Dropped because the retained items exceeded the bound (oldest first). */
  readonly droppedOverflow: number;
  /** Dropped because the backend refused them as invalid. */
  readonly droppedRefused: number;
  readonly failedExports: number;
  /** Kept after a failed export and not delivered yet: waiting, or on their way again. */
  readonly retained: number;
}

export interface RetainingExporter<T> extends ArrayExporter<T> {
  forceFlush(): Promise<void>;
  /**
   * Sends the items retained now, oldest first, `batchSize` per request, one request at a
   * time; stops at the first the backend did not take (they stay retained). Resolves when done.
   */
  retryRetained(): Promise<void>;
  stats(): RetainingStats;
}

export interface RetainingExporterOptions<T = unknown> {
  /** Items kept at most; beyond, the oldest are dropped. */
  readonly maxItems: number;
  /** Items per request at most: the batch size of the export queue in front of this exporter. */
  readonly batchSize: number;
  /** Told of every item dropped (over the bound or refused), for callers that weigh items. */
  readonly onDropped?: (items: readonly T[]) => void;
}

/** Whether a failed export may succeed later: network errors, timeouts, 429 and 5xx. */
export function isRetainable(result: ExportResult): boolean {
  const status = (result.error as { code?: unknown } | undefined)?.code;
  return typeof status !== 'number' || status === 429 || status >= 500 || status < 400;
}

export function createRetainingExporter<T>(inner: ArrayExporter<T>, options: RetainingExporterOptions<T>): RetainingExporter<T> {
  const { maxItems, batchSize, onDropped } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  // Oldest first.
  let retained: T[] = [];
  /** Retained items taken out of `retained` for a request not answered yet. */
  let resending = 0;
  let exported = 0;
  let droppedOverflow = 0;
  let droppedRefused = 0;
  let failedExports = 0;

  /**
   * Puts back the items of a failed request: those taken from retention before what is still
   * retained, the new ones after it; the oldest beyond the bound go.
   */
  const retain = (taken: T[], items: T[]): void => {
    const all = taken.concat(retained, items);
    const excess = all.length - maxItems;
    if (excess > 0) {
      droppedOverflow += excess;
      onDropped?.(all.slice(0, excess));
    }
    retained = excess > 0 ? all.slice(excess) : all;
  };

  /** One request: `taken` from retention, then `items` given now. */
  const send = (taken: T[], items: T[], resultCallback: (result: ExportResult) => void): void => {
    const batch = taken.length === 0 ? items : items.length === 0 ? taken : taken.concat(items);
    resending += taken.length;
    const settle = (result: ExportResult): void => {
      resending -= taken.length;
      if (result.code === ExportResultCode.SUCCESS) exported += batch.length;
      else {
        failedExports++;
        if (isRetainable(result)) retain(taken, items);
        else {
          droppedRefused += batch.length;
          onDropped?.(batch);
        }
      }
      resultCallback(result);
    };
    try {
      inner.export(batch, settle);
    } catch (error) {
      // An encoder that throws on these items would throw again: they are refused, not retained.
      resending -= taken.length;
      failedExports++;
      droppedRefused += batch.length;
      onDropped?.(batch);
      resultCallback({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  };

  return {
    export(items, resultCallback) {
      const room = batchSize - items.length;
      send(room > 0 && retained.length > 0 ? retained.splice(0, room) : [], items, resultCallback);
    },

    async retryRetained() {
      // Only what is retained now: what fails meanwhile waits for the next flush.
      let left = retained.length;
      while (left > 0 && retained.length > 0) {
        const batch = retained.splice(0, Math.min(batchSize, left));
        left -= batch.length;
        const result = await new Promise<ExportResult>((resolve) => send(batch, [], resolve));
        // A refused batch is dropped and the next may still go; a down backend would refuse the next too.
        if (result.code !== ExportResultCode.SUCCESS && isRetainable(result)) return;
      }
    },

    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
    stats: () => ({ exported, droppedOverflow, droppedRefused, failedExports, retained: retained.length + resending }),
  };
}

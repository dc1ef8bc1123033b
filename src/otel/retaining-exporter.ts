/**
 * Keeps what an export could not deliver because the backend was down, slow or throttling,
 * and sends it again with the next export, so that telemetry of invocations that ran while
 * the backend was unreachable arrives once it is back. Bounded: beyond `maxItems` the oldest
 * items are dropped and counted. A batch the backend refused as invalid (HTTP 4xx other than
 * 429) is dropped and counted instead: sending it again would fail again.
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
  /** Waiting for the next export. */
  readonly retained: number;
}

export interface RetainingExporter<T> extends ArrayExporter<T> {
  forceFlush(): Promise<void>;
  /** Sends the retained items now, if any; resolves when that export settled. */
  retryRetained(): Promise<void>;
  stats(): RetainingStats;
}

/** Whether a failed export may succeed later: network errors, timeouts, 429 and 5xx. */
export function isRetainable(result: ExportResult): boolean {
  const status = (result.error as { code?: unknown } | undefined)?.code;
  return typeof status !== 'number' || status === 429 || status >= 500 || status < 400;
}

export function createRetainingExporter<T>(inner: ArrayExporter<T>, maxItems: number): RetainingExporter<T> {
  let retained: T[] = [];
  let exported = 0;
  let droppedOverflow = 0;
  let droppedRefused = 0;
  let failedExports = 0;

  const send = (items: T[], resultCallback: (result: ExportResult) => void): void => {
    const batch = retained.length === 0 ? items : retained.concat(items);
    retained = [];
    const settle = (result: ExportResult): void => {
      if (result.code === ExportResultCode.SUCCESS) exported += batch.length;
      else {
        failedExports++;
        if (isRetainable(result)) {
          const keep = batch.length > maxItems ? batch.slice(batch.length - maxItems) : batch;
          droppedOverflow += batch.length - keep.length;
          retained = retained.length === 0 ? keep : keep.concat(retained).slice(-maxItems);
        } else droppedRefused += batch.length;
      }
      resultCallback(result);
    };
    try {
      inner.export(batch, settle);
    } catch (error) {
      // An encoder that throws on these items would throw again: they are refused, not retained.
      failedExports++;
      droppedRefused += batch.length;
      resultCallback({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  };

  return {
    export: send,
    retryRetained() {
      if (retained.length === 0) return Promise.resolve();
      return new Promise((resolve) => send([], () => resolve()));
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
    stats: () => ({ exported, droppedOverflow, droppedRefused, failedExports, retained: retained.length }),
  };
}

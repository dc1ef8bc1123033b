/**
 * Back-pressure on the Telemetry API: while an export queue is more than an eighth full, the
 * answer to Lambda's batch waits until the queues drained. Lambda sends its next batch only after
 * the answer, so a burst faster than the backend slows down instead of being dropped (the
 * listener bounds how long an answer waits).
 */
import type { ExportQueue } from './export-queue.ts';

export type DrainableQueue = Pick<ExportQueue<unknown>, 'length' | 'capacity' | 'flush'>;

export interface BackPressure {
  /** After a batch: a promise that settles once every queue drained, while one is more than an eighth full; else undefined. */
  hold(): Promise<void> | undefined;
}

/**
 * A queue holding more than capacity / HOLD_DIVISOR items holds Lambda back. At half (the
 * former threshold), a burst of 1 MiB batches (about 4 300 log lines each) queued some 9 000
 * records before Lambda waited, and the queued records were most of the burst's peak memory: at
 * an eighth, each such batch is drained before the next comes (peak private memory under the
 * 30 000-line burst at 128 MB, Node 24: about 52 → 45 MiB). The queue's capacity is unchanged,
 * so nothing is refused sooner; a backend slower than the hold bound still gets the rest of it.
 */
const HOLD_DIVISOR = 8;

/** @param onReleased - called when a hold ends */
export function createBackPressure(queues: readonly DrainableQueue[], onReleased: () => void): BackPressure {
  return {
    hold() {
      if (!queues.some((queue) => queue.length * HOLD_DIVISOR > queue.capacity)) return undefined;
      return Promise.all(queues.map((queue) => queue.flush())).then(() => onReleased());
    },
  };
}

/**
 * Back-pressure on the Telemetry API: while an export queue is more than half full, the answer
 * to Lambda's batch waits until the queues drained. Lambda sends its next batch only after the
 * answer, so a burst faster than the backend slows down instead of being dropped (the listener
 * bounds how long an answer waits).
 */
import type { ExportQueue } from './export-queue.ts';

export type DrainableQueue = Pick<ExportQueue<unknown>, 'length' | 'capacity' | 'flush'>;

export interface BackPressure {
  /** After a batch: a promise that settles once every queue drained, while one is more than half full; else undefined. */
  hold(): Promise<void> | undefined;
}

/** @param onReleased - called when a hold ends */
export function createBackPressure(queues: readonly DrainableQueue[], onReleased: () => void): BackPressure {
  return {
    hold() {
      if (!queues.some((queue) => queue.length * 2 > queue.capacity)) return undefined;
      return Promise.all(queues.map((queue) => queue.flush())).then(() => onReleased());
    },
  };
}

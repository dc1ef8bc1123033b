/**
 * The SHUTDOWN export and its account: the invocations still open are exported with what is
 * known, a running export gets a bounded wait, everything pending goes out once more, and what
 * the backend refused goes again when it may be tried (backoff or `Retry-After`) as long as the
 * deadline allows; then what did not reach the backend is counted and logged, before the deadline.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Correlator } from '../telemetry/correlator.ts';
import type { Logger } from '../util/logger.ts';
import { withTimeout } from '../util/with-timeout.ts';
import type { Delivery, SignalOutlet } from './delivery.ts';
import type { Relay } from './relay.ts';

/** Of the SHUTDOWN time left, at most this share is spent waiting for a running flush; the rest exports. */
const SHUTDOWN_WAIT_SHARE = 0.5;
/** Kept before the SHUTDOWN deadline to count and log what did not get out. */
const ACCOUNTING_MARGIN_MS = 50;

export interface ShutdownParts {
  readonly logger: Logger;
  readonly correlator: Pick<Correlator, 'owedReports' | 'flush' | 'stats'>;
  /** Settles once the exports asked for so far are done; never rejects. */
  readonly flushesSettled: () => Promise<void>;
  /** Exports everything pending, once; never rejects. */
  readonly exportAll: () => Promise<void>;
  /** When the backend may be tried again after a failure (ms); null when nothing failed. */
  readonly retryInMs: () => number | null;
  /** What is counted as lost: what its queues, exporters and metric buffer did not deliver. */
  readonly delivery: Pick<Delivery, 'spans' | 'logRecords' | 'metrics'>;
  /** Stops the function's intake (the local receiver) before the final export. */
  readonly closeIntake?: () => Promise<void>;
  /** The relay of the function's telemetry, if it took any. */
  readonly relay: () => Pick<Relay, 'undelivered'> | null;
  /** This extension's own log lines left out, for the closing line. */
  readonly ownLogLinesSkipped: () => number;
}

/** Resolves before `deadlineMs` (epoch ms), whatever the backend does. */
export async function exportAtShutdown(parts: ShutdownParts, deadlineMs: number): Promise<void> {
  const { logger, correlator } = parts;
  const { spans, logRecords, metrics } = parts.delivery;
  const missing = correlator.owedReports();
  if (missing > 0) logger.warn('exporting invocations whose platform.report never came', { invocations: missing });
  const pendingAtShutdown = correlator.stats().inFlight;
  correlator.flush();
  // A running export must finish first, but not past half the time left: an export stuck
  // on a slow backend must not hold the last reports.
  await withTimeout(parts.flushesSettled(), Math.max(0, (deadlineMs - Date.now()) * SHUTDOWN_WAIT_SHARE));
  // Bounded too, so that what a hanging backend still holds is counted below before the deadline.
  const timeLeft = (): number => Math.max(0, deadlineMs - Date.now() - ACCOUNTING_MARGIN_MS);
  if (parts.closeIntake !== undefined) await withTimeout(parts.closeIntake().catch(() => undefined), timeLeft() * SHUTDOWN_WAIT_SHARE);
  let answered = await withTimeout(parts.exportAll(), timeLeft());
  const relayed = (signal: 'traces' | 'metrics' | 'logs'): number => parts.relay()?.undelivered(signal) ?? 0;
  const unsent = (): number => undelivered(spans) + metrics.unsettledPoints() + undelivered(logRecords) + relayed('traces') + relayed('metrics') + relayed('logs');
  for (let retryInMs = parts.retryInMs(); answered && retryInMs !== null && unsent() > 0; retryInMs = parts.retryInMs()) {
    if (retryInMs >= timeLeft()) {
      logger.warn('the backend still refuses exports at the SHUTDOWN deadline; giving up on what it did not take');
      break;
    }
    await sleep(retryInMs);
    answered = await withTimeout(parts.exportAll(), timeLeft());
  }
  if (!answered) logger.warn('exports still unanswered at the SHUTDOWN deadline; giving up on them');
  const { evicted, late } = correlator.stats();
  if (evicted > 0 || late > 0) logger.warn('invocations exported incomplete or events arrived too late', { evicted, late });
  const lost = {
    spans: undelivered(spans),
    metricPoints: metrics.dropped() + metrics.unsettledPoints(),
    logRecords: undelivered(logRecords),
    functionSpans: relayed('traces'),
    functionMetricPoints: relayed('metrics'),
    functionLogRecords: relayed('logs'),
  };
  if (Object.values(lost).some((count) => count > 0)) {
    logger.warn('telemetry lost', { ...lost, spansRefusedQueueFull: spans.queue.dropped(), logRecordsRefusedQueueFull: logRecords.queue.dropped() });
  }
  logger.info('shutdown export done', { pendingAtShutdown, evicted, late, ownLogLinesSkipped: parts.ownLogLinesSkipped() });
}

/**
 * What of one signal did not reach the backend: refused by the full queue, still queued or on
 * the way in an export that did not answer in time, or dropped or still retained by the exporter.
 */
function undelivered<T>({ queue, exporter }: SignalOutlet<T>): number {
  const { droppedOverflow, droppedRefused, retained } = exporter.stats();
  return queue.dropped() + queue.unsettled() + droppedOverflow + droppedRefused + retained;
}

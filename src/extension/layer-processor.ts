/**
 * The layer's processor until the OpenTelemetry mapping lands: it counts what arrives by
 * event type and, at SHUTDOWN, waits (bounded by the deadline) for the `platform.report` of
 * every invocation it saw, since report N arrives only after the extension called next.
 */
import type { Logger } from '../logger.ts';
import type { Processor } from '../run.ts';
import type { TelemetryEvent } from '../telemetry/events.ts';

/** Invocations remembered while their report is owed; older ones are forgotten first. */
const MAX_OWED_REPORTS = 1000;

export function createLayerProcessor(): Processor {
  const received = new Map<string, number>();
  const owedReports = new Set<string>();
  let logger: Logger | null = null;
  let allReported: (() => void) | null = null;

  return {
    init(context) {
      logger = context.logger;
    },
    process(events: readonly TelemetryEvent[]) {
      for (const event of events) {
        received.set(event.type, (received.get(event.type) ?? 0) + 1);
        if (event.type === 'platform.report') owedReports.delete(event.record.requestId);
      }
      logger?.debug('batch received', { events: events.length });
      if (owedReports.size === 0) allReported?.();
    },
    invoke(event) {
      if (owedReports.size >= MAX_OWED_REPORTS) owedReports.delete(owedReports.values().next().value!);
      owedReports.add(event.requestId);
    },
    async shutdown(reason, deadlineMs) {
      if (owedReports.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          allReported = resolve;
          timer = setTimeout(resolve, Math.max(0, deadlineMs - Date.now()));
        });
        clearTimeout(timer);
      }
      logger?.info('telemetry received', { reason, byType: Object.fromEntries(received), reportsMissing: owedReports.size });
    },
  };
}

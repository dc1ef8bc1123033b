/**
 * Lambda delivers the telemetry it still holds (at least the last invocation's platform.report)
 * during the SHUTDOWN phase. The runner waits for the report of every INVOKE it saw, bounded by
 * a deadline, before handing SHUTDOWN to the processor, so that no processor has to.
 */
import type { TelemetryEvent } from '../telemetry/events.ts';

export interface ReportDrain {
  invoked(requestId: string): void;
  seen(events: readonly TelemetryEvent[]): void;
  /** Resolves when every INVOKE's report arrived, or at `untilMs` (epoch ms). */
  wait(untilMs: number): Promise<void>;
  owed(): number;
}

/** INVOKEs remembered while their report is owed; the oldest is forgotten first. */
const MAX_OWED = 1000;

/**
 * @param owedFromStarts - count a `platform.start` as owing its report (Managed Instances have
 * no INVOKE to count)
 */
export function createReportDrain(owedFromStarts = false): ReportDrain {
  const owed = new Set<string>();
  let settle: (() => void) | null = null;
  const owe = (requestId: string): void => {
    if (owed.size >= MAX_OWED) owed.delete(owed.values().next().value!);
    owed.add(requestId);
  };
  return {
    invoked: owe,
    seen(events) {
      for (const event of events) {
        if (event.type === 'platform.report') owed.delete(event.record.requestId);
        else if (owedFromStarts && event.type === 'platform.start') owe(event.record.requestId);
      }
      if (owed.size === 0) settle?.();
    },
    async wait(untilMs) {
      if (owed.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        settle = resolve;
        timer = setTimeout(resolve, Math.max(0, untilMs - Date.now()));
      });
      clearTimeout(timer);
      settle = null;
    },
    owed: () => owed.size,
  };
}

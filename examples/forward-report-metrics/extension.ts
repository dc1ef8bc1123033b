/**
 * Forwards each invocation's report metrics (duration, billed duration, memory) as JSON to the
 * HTTP endpoint in REPORT_METRICS_URL, at each INVOKE and at SHUTDOWN. Lambda sends
 * platform.report of an invocation only after the extension has called `next`, so the report
 * of invocation N is forwarded during a later invocation, or at SHUTDOWN.
 */
import { EVENT_TYPES, ExtensionError, run } from 'lambda-telemetry-otel';
import type { Processor, ReportMetrics } from 'lambda-telemetry-otel';

interface ReportPayload extends ReportMetrics {
  readonly requestId: string;
  readonly status: string;
  readonly time: string;
}

const url = process.env.REPORT_METRICS_URL;
const pending: ReportPayload[] = [];

async function send(): Promise<void> {
  if (pending.length === 0 || url === undefined) return;
  const body = JSON.stringify(pending.splice(0));
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  if (!response.ok) throw new Error(`the endpoint answered ${response.status}`);
}

const forwardReports: Processor = {
  init() {
    // A missing destination is fatal: the function's init fails with this error type.
    if (url === undefined) throw new ExtensionError('Extension.ConfigInvalid', 'set REPORT_METRICS_URL to the endpoint to forward to');
  },
  process(events) {
    for (const event of events) {
      if (event.type !== EVENT_TYPES.REPORT) continue;
      pending.push({ requestId: event.record.requestId, status: event.record.status ?? 'success', time: event.time, ...event.record.metrics });
    }
  },
  // Forwards what has arrived; a report that comes later goes with the next INVOKE or at SHUTDOWN.
  invoke: send,
  // run() calls this once the last reports arrived (or half the SHUTDOWN time passed).
  shutdown: send,
};

const result = await run(forwardReports, { extensionName: 'forward-report-metrics', telemetryTypes: ['platform'] });
process.exit(result.exitCode);

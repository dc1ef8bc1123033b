/**
 * One run of the built layer in the sandbox, exporting to a collector, and what a backend
 * behind the collector must then hold, derived from the events the sandbox produced.
 */
import assert from 'node:assert/strict';
import { runScenario } from '../../src/sandbox/index.ts';
import type { InvocationSpec, SandboxReport } from '../../src/sandbox/index.ts';
import type { ReportEvent, RuntimeDoneEvent } from '../../src/telemetry/events.ts';
import { EXTENSION, assertLayerBuilt, freePort, only } from '../e2e/support.ts';

/** Frozen time between invocations, so each one is a separate thaw as on Lambda. */
const GAP_MS = 100;

export interface LayerRun {
  readonly report: SandboxReport;
  /** Spans the extension must have exported: one per invocation and platform span, plus init. */
  readonly spanCount: number;
  /** Bodies of the log lines the function wrote, sorted. */
  readonly logBodies: readonly string[];
}

function recordOf<T extends ReportEvent | RuntimeDoneEvent>(report: SandboxReport, type: T['type'], requestId: string): T['record'] {
  const event = report.events.find((e) => e.type === type && (e.record as { requestId?: string }).requestId === requestId);
  assert.ok(event, `the sandbox produced no ${type} for ${requestId}`);
  return event.record as T['record'];
}

/**
 * Runs `invocations` (each with a `requestId`), then SHUTDOWN, with the layer exporting to
 * `endpoint` as `service`; asserts the extension exited cleanly.
 */
export async function runLayer(endpoint: string, service: string, functionName: string, invocations: readonly InvocationSpec[]): Promise<LayerRun> {
  assertLayerBuilt();
  const report = await runScenario({
    extensions: [EXTENSION],
    env: {
      LAMBDA_OTEL_LISTENER_PORT: String(await freePort()), LAMBDA_OTEL_RECEIVER: String(await freePort()),
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: service,
    },
    function: { name: functionName },
    scenario: { invocations: invocations.map((spec, index) => ({ ...spec, gapMs: index === 0 ? 0 : GAP_MS })) },
  });
  const extension = only(report);
  assert.equal(extension.exit?.code, 0, `the extension failed; its stderr:\n${extension.stderr}`);
  assert.equal(report.invocations.length, invocations.length);

  let spanCount = 1; // the cold start's init span
  for (const { requestId } of invocations) {
    const runtimeDone = recordOf<RuntimeDoneEvent>(report, 'platform.runtimeDone', requestId!);
    const { metrics } = recordOf<ReportEvent>(report, 'platform.report', requestId!);
    // postRuntimeExtensions exists when extensions worked after the runtime was done.
    const post = metrics.durationMs > (runtimeDone.metrics?.durationMs ?? metrics.durationMs) ? 1 : 0;
    spanCount += 1 + (runtimeDone.spans?.length ?? 0) + post;
  }
  const logBodies = invocations.flatMap((spec) => (spec.logs ?? []).map((line) => String(line))).sort();
  return { report, spanCount, logBodies };
}

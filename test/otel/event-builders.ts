/** Typed builders of platform events for the mapping tests (times in epoch ms). */
import type {
  InitReportEvent,
  InitRuntimeDoneEvent,
  InitStartEvent,
  ReportEvent,
  RestoreReportEvent,
  RestoreRuntimeDoneEvent,
  RestoreStartEvent,
  RuntimeDoneEvent,
  StartEvent,
  Status,
  TelemetryEvent,
  TraceContext,
} from '../../src/telemetry/events.ts';

export const T0 = Date.parse('2026-03-01T10:00:00.000Z');
export const iso = (ms: number): string => new Date(ms).toISOString();
export const xray = (header: string, spanId?: string): TraceContext => ({ type: 'X-Amzn-Trace-Id', value: header, ...(spanId ? { spanId } : {}) });

export interface InvocationShape {
  readonly requestId: string;
  readonly atMs: number;
  readonly runtimeMs?: number;
  readonly reportMs?: number;
  readonly status?: Status;
  readonly errorType?: string;
  readonly tracing?: TraceContext;
  readonly initDurationMs?: number;
}

export function invocation(shape: InvocationShape): { start: StartEvent; runtimeDone: RuntimeDoneEvent; report: ReportEvent } {
  const { requestId, atMs, runtimeMs = 40, reportMs = 45, status = 'success', errorType, tracing } = shape;
  return {
    start: { time: iso(atMs), type: 'platform.start', record: { requestId, version: '$LATEST', tracing } },
    runtimeDone: {
      time: iso(atMs + runtimeMs),
      type: 'platform.runtimeDone',
      record: {
        requestId,
        status,
        errorType,
        metrics: { durationMs: runtimeMs, producedBytes: 42 },
        spans: [
          { name: 'responseLatency', start: iso(atMs + 1), durationMs: runtimeMs - 2 },
          { name: 'responseDuration', start: iso(atMs + runtimeMs - 1), durationMs: 0.5 },
        ],
        tracing,
      },
    },
    report: {
      time: iso(atMs + reportMs),
      type: 'platform.report',
      record: {
        requestId,
        status,
        errorType,
        metrics: { durationMs: reportMs, billedDurationMs: Math.ceil(reportMs), memorySizeMB: 128, maxMemoryUsedMB: 70, initDurationMs: shape.initDurationMs },
        tracing,
      },
    },
  };
}

export function initPhase(atMs: number, durationMs: number, initializationType = 'on-demand'): [InitStartEvent, InitRuntimeDoneEvent, InitReportEvent] {
  return [
    { time: iso(atMs), type: 'platform.initStart', record: { initializationType, phase: 'init', runtimeVersion: 'nodejs:20.v40', runtimeVersionArn: 'arn:aws:lambda:eu-west-1::runtime:abc' } },
    { time: iso(atMs + durationMs - 1), type: 'platform.initRuntimeDone', record: { initializationType, phase: 'init', status: 'success' } },
    { time: iso(atMs + durationMs), type: 'platform.initReport', record: { initializationType, phase: 'init', status: 'success', metrics: { durationMs } } },
  ];
}

export function restorePhase(atMs: number, durationMs: number): [RestoreStartEvent, RestoreRuntimeDoneEvent, RestoreReportEvent] {
  return [
    { time: iso(atMs), type: 'platform.restoreStart', record: { runtimeVersion: 'java:21.v10' } },
    { time: iso(atMs + durationMs - 1), type: 'platform.restoreRuntimeDone', record: { status: 'success' } },
    { time: iso(atMs + durationMs), type: 'platform.restoreReport', record: { status: 'success', metrics: { durationMs } } },
  ];
}

/** The Lambda order: start N, runtimeDone N, then report N only with invocation N+1. */
export function lambdaOrder(invocations: ReadonlyArray<ReturnType<typeof invocation>>): TelemetryEvent[][] {
  const batches: TelemetryEvent[][] = [];
  invocations.forEach((inv, i) => {
    const previous = invocations[i - 1];
    batches.push([...(previous ? [previous.report] : []), inv.start, inv.runtimeDone]);
  });
  const last = invocations.at(-1);
  if (last) batches.push([last.report]);
  return batches;
}

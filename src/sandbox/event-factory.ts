/**
 * Builds the Telemetry API events the sandbox produces, with Lambda's field order, plus
 * X-Ray trace headers for traced invocations.
 */
import { randomBytes } from 'node:crypto';
import { EVENT_TYPES, SPAN_NAMES, TRACE_CONTEXT_TYPE } from '../telemetry/constants.ts';
import type {
  ExtensionLogEvent,
  ExtensionStateEvent,
  FunctionLogEvent,
  InitReportEvent,
  InitRuntimeDoneEvent,
  InitStartEvent,
  LogRecord,
  LogsDroppedEvent,
  PlatformSpan,
  ReportEvent,
  ReportMetrics,
  RuntimeDoneEvent,
  StartEvent,
  Status,
  TelemetrySubscriptionEvent,
  TraceContext,
} from '../telemetry/events.ts';

/** Reason text Lambda puts in `platform.logsDropped`. */
export const LOGS_DROPPED_REASON = 'Consumer seems to have fallen behind as it has not acknowledged receipt of logs.';

/** Time Lambda spends streaming a small response, the `responseDuration` span. */
const RESPONSE_DURATION_MS = 0.1;

/** Rounds a duration to Lambda's 3 decimals. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** ISO 8601 of an epoch time, as Lambda stamps events. */
export function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** A fresh `Root=1-<epoch s>-<24 hex>;Parent=<16 hex>;Sampled=<0|1>` header. */
export function generateTraceHeader(sampled: boolean): string {
  const epochHex = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
  return `Root=1-${epochHex}-${hex(12)};Parent=${hex(8)};Sampled=${sampled ? 1 : 0}`;
}

/** The trace context of a traced invocation, null when untraced. */
export function traceContextFor(tracing: boolean | string | undefined): TraceContext | null {
  if (tracing === undefined || tracing === false) return null;
  const value = tracing === true ? generateTraceHeader(true) : tracing;
  return { type: TRACE_CONTEXT_TYPE, value, spanId: hex(8) };
}

/** `platform.initStart`, stamped at the start of init. */
export function initStartEvent(
  atEpochMs: number,
  record: { initializationType: string; runtimeVersion: string; functionName: string; functionVersion: string },
): InitStartEvent {
  return {
    time: iso(atEpochMs),
    type: EVENT_TYPES.INIT_START,
    record: {
      initializationType: record.initializationType,
      phase: 'init',
      runtimeVersion: record.runtimeVersion,
      functionName: record.functionName,
      functionVersion: record.functionVersion,
    },
  };
}

/** `platform.extension`: an extension registered (state `Ready`). */
export function extensionStateEvent(name: string, events: readonly string[]): ExtensionStateEvent {
  return { time: iso(Date.now()), type: EVENT_TYPES.EXTENSION, record: { name, state: 'Ready', events } };
}

/** `platform.telemetrySubscription`: an extension subscribed to `types`. */
export function subscriptionEvent(name: string, types: readonly string[]): TelemetrySubscriptionEvent {
  return {
    time: iso(Date.now()),
    type: EVENT_TYPES.TELEMETRY_SUBSCRIPTION,
    record: { name, state: 'Subscribed', types },
  };
}

/** `platform.initRuntimeDone` (no spans). */
export function initRuntimeDoneEvent(initializationType: string, status: Status, errorType: string | null): InitRuntimeDoneEvent {
  const record =
    errorType === null
      ? { initializationType, phase: 'init', status, spans: [] }
      : { initializationType, phase: 'init', status, errorType, spans: [] };
  return { time: iso(Date.now()), type: EVENT_TYPES.INIT_RUNTIME_DONE, record };
}

/** `platform.initReport`; `durationMs` is the init wall time. */
export function initReportEvent(
  initializationType: string,
  durationMs: number,
  status: Status,
  errorType: string | null,
): InitReportEvent {
  const metrics = { durationMs: roundMs(durationMs) };
  const record =
    errorType === null
      ? { initializationType, phase: 'init', status, metrics }
      : { initializationType, phase: 'init', status, errorType, metrics };
  return { time: iso(Date.now()), type: EVENT_TYPES.INIT_REPORT, record };
}

/** `platform.start` of an invocation, stamped at its start. */
export function startEvent(atEpochMs: number, requestId: string, version: string, tracing: TraceContext | null): StartEvent {
  const record = tracing === null ? { requestId, version } : { requestId, version, tracing };
  return { time: iso(atEpochMs), type: EVENT_TYPES.START, record };
}

/** A `function` log record (text line or JSON-log object). */
export function functionLogEvent(record: LogRecord): FunctionLogEvent {
  return { time: iso(Date.now()), type: EVENT_TYPES.FUNCTION, record };
}

/** An `extension` log record: one line an extension wrote, stamped when it was read. */
export function extensionLogEvent(line: string, atEpochMs: number): ExtensionLogEvent {
  return { time: iso(atEpochMs), type: EVENT_TYPES.EXTENSION_LOG, record: line };
}

/** Inputs of `platform.runtimeDone`. */
export interface RuntimeDoneInput {
  readonly requestId: string;
  readonly status: Status;
  readonly errorType: string | null;
  readonly startEpochMs: number;
  readonly runtimeDurationMs: number;
  readonly producedBytes: number;
  readonly tracing: TraceContext | null;
}

/** `responseLatency` and `responseDuration` of a runtime that answered after `runtimeDurationMs`. */
export function responseSpans(startEpochMs: number, runtimeDurationMs: number): PlatformSpan[] {
  const latencyMs = roundMs(Math.max(0, runtimeDurationMs - RESPONSE_DURATION_MS));
  return [
    { name: SPAN_NAMES.RESPONSE_LATENCY, start: iso(startEpochMs), durationMs: latencyMs },
    { name: SPAN_NAMES.RESPONSE_DURATION, start: iso(startEpochMs + latencyMs), durationMs: RESPONSE_DURATION_MS },
  ];
}

/** `platform.runtimeDone` with the responseLatency and responseDuration spans. */
export function runtimeDoneEvent(input: RuntimeDoneInput): RuntimeDoneEvent {
  // Lambda reports no response spans when the runtime never answered.
  const spans: PlatformSpan[] = input.status === 'timeout' ? [] : responseSpans(input.startEpochMs, input.runtimeDurationMs);
  const metrics = { durationMs: roundMs(input.runtimeDurationMs), producedBytes: input.producedBytes };
  const base = { requestId: input.requestId, status: input.status };
  const withError = input.errorType === null ? base : { ...base, errorType: input.errorType };
  const record = input.tracing === null ? { ...withError, metrics, spans } : { ...withError, metrics, spans, tracing: input.tracing };
  return { time: iso(Date.now()), type: EVENT_TYPES.RUNTIME_DONE, record };
}

/** `platform.report`, produced when the invoke phase ends. */
export function reportEvent(
  requestId: string,
  status: Status,
  errorType: string | null,
  metrics: ReportMetrics,
  tracing: TraceContext | null,
): ReportEvent {
  const base = { requestId, status };
  const withError = errorType === null ? base : { ...base, errorType };
  const record = tracing === null ? { ...withError, metrics } : { ...withError, metrics, tracing };
  return { time: iso(Date.now()), type: EVENT_TYPES.REPORT, record };
}

/** `platform.logsDropped` for records a subscriber lost. */
export function logsDroppedEvent(droppedRecords: number, droppedBytes: number): LogsDroppedEvent {
  return {
    time: iso(Date.now()),
    type: EVENT_TYPES.LOGS_DROPPED,
    record: { reason: LOGS_DROPPED_REASON, droppedRecords, droppedBytes },
  };
}

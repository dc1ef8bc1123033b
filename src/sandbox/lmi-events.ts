/**
 * The Telemetry API events of a Lambda Managed Instances environment (schema 2025-01-29),
 * with the field order AWS's runtime emulator sends in LMI mode. Where they differ from
 * on-demand: initStart adds `instanceId` / `instanceMaxMemory`, initRuntimeDone has no
 * spans, start adds `functionArn`, report carries the response spans and `durationMs` only,
 * and function logs name their request (an environment runs many at once).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html
 */
import { EVENT_TYPES } from '../telemetry/constants.ts';
import type {
  FunctionLogEvent,
  InitReportEvent,
  InitRuntimeDoneEvent,
  InitStartEvent,
  LogRecord,
  ReportEvent,
  StartEvent,
  Status,
  TraceContext,
} from '../telemetry/events.ts';
import { iso, responseSpans, roundMs } from './event-factory.ts';
import type { FunctionConfig } from './lambda-env.ts';
import { MANAGED_INSTANCES_RUNTIME_VERSION } from './managed-instances.ts';
import { MANAGED_INSTANCES } from '../lambda/environment.ts';
import type { ManagedInstancesConfig } from './managed-instances.ts';

const BYTES_PER_MB = 1024 * 1024;
const initializationType = MANAGED_INSTANCES;

/** `platform.initStart`, stamped at the start of init; `instanceMaxMemory` is the function memory in bytes. */
export function lmiInitStartEvent(atEpochMs: number, fn: FunctionConfig, config: ManagedInstancesConfig): InitStartEvent {
  return {
    time: iso(atEpochMs),
    type: EVENT_TYPES.INIT_START,
    record: {
      initializationType,
      runtimeVersion: MANAGED_INSTANCES_RUNTIME_VERSION,
      runtimeVersionArn: config.runtimeVersionArn,
      functionName: fn.name,
      functionVersion: fn.version,
      instanceId: config.instanceId,
      instanceMaxMemory: fn.memorySizeMB * BYTES_PER_MB,
      phase: 'init',
    },
  };
}

/** `platform.initRuntimeDone`. */
export function lmiInitRuntimeDoneEvent(status: Status, errorType: string | null): InitRuntimeDoneEvent {
  const record =
    errorType === null ? { initializationType, status, phase: 'init' } : { initializationType, status, phase: 'init', errorType };
  return { time: iso(Date.now()), type: EVENT_TYPES.INIT_RUNTIME_DONE, record };
}

/** `platform.initReport`; `durationMs` is the init wall time. */
export function lmiInitReportEvent(durationMs: number, status: Status, errorType: string | null): InitReportEvent {
  const metrics = { durationMs: roundMs(durationMs) };
  const record =
    errorType === null
      ? { initializationType, metrics, phase: 'init', status }
      : { initializationType, metrics, phase: 'init', status, errorType };
  return { time: iso(Date.now()), type: EVENT_TYPES.INIT_REPORT, record };
}

/** `platform.start`, stamped at the start of the invocation. */
export function lmiStartEvent(
  atEpochMs: number,
  requestId: string,
  fn: { readonly version: string; readonly arn: string },
  tracing: TraceContext | null,
): StartEvent {
  const base = { requestId, version: fn.version, functionArn: fn.arn };
  return { time: iso(atEpochMs), type: EVENT_TYPES.START, record: tracing === null ? base : { ...base, tracing } };
}

/** Inputs of an LMI `platform.report`. */
export interface LmiReportInput {
  readonly requestId: string;
  readonly status: Status;
  readonly errorType: string | null;
  readonly startEpochMs: number;
  readonly runtimeDurationMs: number;
  readonly tracing: TraceContext | null;
}

/** `platform.report` when the runtime answered (or timed out: then no spans). */
export function lmiReportEvent(input: LmiReportInput): ReportEvent {
  const base = { requestId: input.requestId, status: input.status, metrics: { durationMs: roundMs(input.runtimeDurationMs) } };
  const withSpans = input.status === 'timeout' ? base : { ...base, spans: responseSpans(input.startEpochMs, input.runtimeDurationMs) };
  const withError = input.errorType === null ? withSpans : { ...withSpans, errorType: input.errorType };
  const record = input.tracing === null ? withError : { ...withError, tracing: input.tracing };
  return { time: iso(Date.now()), type: EVENT_TYPES.REPORT, record };
}

/**
 * A `function` record of `requestId`: a JSON-log object gains `requestId` (one it already has
 * is kept); a text line becomes a Node.js runtime line, `<time>\t<requestId>\tINFO\t<text>`.
 */
export function lmiFunctionLogEvent(log: string | Readonly<Record<string, unknown>>, requestId: string): FunctionLogEvent {
  const now = Date.now();
  const record: LogRecord =
    typeof log === 'string' ? `${iso(now)}\t${requestId}\tINFO\t${log}` : 'requestId' in log ? log : { ...log, requestId };
  return { time: iso(now), type: EVENT_TYPES.FUNCTION, record };
}

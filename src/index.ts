/**
 * lambda-telemetry-otel: the parts of the Lambda layer as a typed API, for building your own
 * extension. The local Lambda sandbox is at `lambda-telemetry-otel/sandbox`.
 * @packageDocumentation
 */
export {
  BUFFERING_LIMITS,
  EVENT_TYPES,
  INITIALIZATION_TYPES,
  PHASES,
  SCHEMA_VERSIONS,
  SPAN_NAMES,
  STATUSES,
  TELEMETRY_TYPES,
  TRACE_CONTEXT_TYPE,
} from './telemetry/constants.ts';
export type {
  EventTypes,
  ExtensionLogEvent,
  ExtensionStateEvent,
  ExtensionStateRecord,
  FunctionLogEvent,
  InitializationType,
  InitReportEvent,
  InitReportRecord,
  InitRuntimeDoneEvent,
  InitRuntimeDoneRecord,
  InitStartEvent,
  InitStartRecord,
  JsonLogRecord,
  LogRecord,
  LogsDroppedEvent,
  LogsDroppedRecord,
  Phase,
  PlatformSpan,
  RecordOf,
  ReportEvent,
  ReportMetrics,
  ReportRecord,
  RestoreReportEvent,
  RestoreReportRecord,
  RestoreRuntimeDoneEvent,
  RestoreRuntimeDoneRecord,
  RestoreStartEvent,
  RestoreStartRecord,
  RuntimeDoneEvent,
  RuntimeDoneMetrics,
  RuntimeDoneRecord,
  RuntimeInfo,
  SchemaVersion,
  StartEvent,
  StartRecord,
  Status,
  TelemetryEvent,
  TelemetryEventOf,
  TelemetryEventType,
  TelemetrySubscriptionEvent,
  TelemetrySubscriptionRecord,
  TelemetryType,
  TraceContext,
} from './telemetry/events.ts';
export { decode } from './telemetry/decode.ts';
export type { BatchError, DecodeResult, DroppedField, RejectedItem, RejectReason } from './telemetry/decode.ts';
export type { ExtensionEvent, ExtensionEventType, InvokeEvent, RegisterResponse, ShutdownEvent, ShutdownReason } from './lambda/types.ts';
export type { Registration } from './lambda/extensions-api.ts';
export { run } from './lifecycle/run.ts';
export type { Processor, RunContext, RunOptions, RunResult } from './lifecycle/run.ts';
export type { IntakeStats } from './lambda/listener.ts';
export { LOG_LEVELS } from './util/logger.ts';
export type { ExtensionConfig } from './lifecycle/config.ts';
export type { BufferingConfig } from './lambda/telemetry-api.ts';
export type { LogLevel } from './util/logger.ts';
export type { Logger } from './util/logger.ts';
export { ERROR_TYPES, ExtensionError } from './util/errors.ts';
export type { ErrorType } from './util/errors.ts';
export { createOtelProcessor } from './extension/otel-processor.ts';

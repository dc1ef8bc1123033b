/**
 * The Lambda Telemetry API event model: one discriminated union on `type`, typed once and
 * shared by the decoder, the listener, the sandbox and the tests.
 *
 * Fields Lambda does not always send are optional here: older schema versions
 * (2022-07-01) omit `status` and `phase`, SnapStart and Managed Instances records omit most
 * metrics, and the Runtime Interface Emulator omits `tracing`.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html
 */
import type {
  EVENT_TYPES,
  INITIALIZATION_TYPES,
  PHASES,
  SCHEMA_VERSIONS,
  STATUSES,
  TELEMETRY_TYPES,
} from './constants.ts';

/** Outcome of an init, restore or invocation phase. */
export type Status = (typeof STATUSES)[number];
/** How the environment was initialised; open because Lambda adds kinds (e.g. Managed Instances). */
export type InitializationType = (typeof INITIALIZATION_TYPES)[number] | (string & {});
/** Phase an init record belongs to; open for the same reason. */
export type Phase = (typeof PHASES)[number] | (string & {});
/** A telemetry stream name used in a subscription. */
export type TelemetryType = (typeof TELEMETRY_TYPES)[number];
/** A Telemetry API schema version. */
export type SchemaVersion = (typeof SCHEMA_VERSIONS)[number];

/** X-Ray trace context Lambda attaches to platform events. */
export interface TraceContext {
  /** Always `X-Amzn-Trace-Id` today. */
  readonly type: string;
  /** The header value, e.g. `Root=1-...;Parent=...;Sampled=1`. */
  readonly value: string;
  /** Id of the span Lambda created for this invocation, when it has one. */
  readonly spanId?: string;
}

/** A timed span inside a platform record (e.g. `responseLatency`). */
export interface PlatformSpan {
  readonly name: string;
  /** ISO 8601 start time, as Lambda wrote it. */
  readonly start: string;
  readonly durationMs: number;
}

/** What init and restore start records say about the runtime and the environment. */
export interface RuntimeInfo {
  readonly runtimeVersion?: string;
  readonly runtimeVersionArn?: string;
  readonly functionName?: string;
  readonly functionVersion?: string;
  /** Managed Instances (schema 2025-01-29): the instance the environment runs on. */
  readonly instanceId?: string;
  /** Managed Instances (schema 2025-01-29): memory of the environment, in bytes. */
  readonly instanceMaxMemory?: number;
}

export interface InitStartRecord extends RuntimeInfo {
  readonly initializationType?: InitializationType;
  readonly phase?: Phase;
  readonly tracing?: TraceContext;
}

/** Record of `platform.initRuntimeDone`: the runtime finished its init. */
export interface InitRuntimeDoneRecord {
  readonly initializationType?: InitializationType;
  readonly phase?: Phase;
  readonly status: Status;
  readonly errorType?: string;
  readonly spans?: readonly PlatformSpan[];
  readonly tracing?: TraceContext;
}

/** Record of `platform.initReport`: the init phase as Lambda measured it. */
export interface InitReportRecord {
  readonly initializationType?: InitializationType;
  readonly phase?: Phase;
  readonly status?: Status;
  readonly errorType?: string;
  readonly metrics: { readonly durationMs: number; readonly billedDurationMs?: number };
  readonly spans?: readonly PlatformSpan[];
  readonly tracing?: TraceContext;
}

/** Record of `platform.start`: an invocation started. */
export interface StartRecord {
  readonly requestId: string;
  readonly version?: string;
  /** Managed Instances (schema 2025-01-29): the unqualified function ARN. */
  readonly functionArn?: string;
  readonly tenantId?: string;
  readonly tracing?: TraceContext;
}

/** Metrics of `platform.runtimeDone`; `durationMs` is the runtime's own time. */
export interface RuntimeDoneMetrics {
  readonly durationMs: number;
  readonly producedBytes?: number;
}

/** Record of `platform.runtimeDone`: the runtime finished the invocation. */
export interface RuntimeDoneRecord {
  readonly requestId: string;
  readonly status: Status;
  readonly errorType?: string;
  readonly tenantId?: string;
  readonly metrics?: RuntimeDoneMetrics;
  readonly spans?: readonly PlatformSpan[];
  readonly tracing?: TraceContext;
}

/** Invocation metrics of `platform.report`; memory in Lambda's MB, which are MiB. */
export interface ReportMetrics {
  readonly durationMs: number;
  readonly billedDurationMs?: number;
  readonly memorySizeMB?: number;
  readonly maxMemoryUsedMB?: number;
  readonly initDurationMs?: number;
  readonly restoreDurationMs?: number;
  readonly billedRestoreDurationMs?: number;
}

/** Record of `platform.report`: the invocation as Lambda measured and billed it. */
export interface ReportRecord {
  readonly requestId: string;
  readonly status?: Status;
  readonly errorType?: string;
  readonly tenantId?: string;
  readonly metrics: ReportMetrics;
  readonly spans?: readonly PlatformSpan[];
  readonly tracing?: TraceContext;
}

/** Record of `platform.restoreStart`: a SnapStart restore started. */
export type RestoreStartRecord = RuntimeInfo;

/** Record of `platform.restoreRuntimeDone`: a SnapStart restore finished in the runtime. */
export interface RestoreRuntimeDoneRecord {
  readonly status: Status;
  readonly errorType?: string;
  readonly spans?: readonly PlatformSpan[];
}

/** Record of `platform.restoreReport`: a SnapStart restore as Lambda measured it. */
export interface RestoreReportRecord {
  readonly status?: Status;
  readonly errorType?: string;
  readonly metrics?: { readonly durationMs: number; readonly billedDurationMs?: number };
  readonly spans?: readonly PlatformSpan[];
}

/** Record of `platform.extension`: an extension registered (state `Ready`) or failed. */
export interface ExtensionStateRecord {
  readonly name: string;
  readonly state: string;
  readonly events: readonly string[];
  readonly errorType?: string;
}

/** Record of `platform.telemetrySubscription`: an extension subscribed. */
export interface TelemetrySubscriptionRecord {
  readonly name: string;
  readonly state: string;
  readonly types: readonly string[];
}

/** Record of `platform.logsDropped`: Lambda dropped telemetry the subscriber did not take in time. */
export interface LogsDroppedRecord {
  readonly reason: string;
  readonly droppedRecords: number;
  readonly droppedBytes: number;
}

/**
 * A log line in Lambda's JSON log format: an object with these fields (all optional on the
 * wire) plus any the function added.
 */
export interface JsonLogRecord {
  readonly timestamp?: unknown;
  readonly level?: unknown;
  readonly requestId?: unknown;
  readonly message?: unknown;
  readonly [field: string]: unknown;
}

/** A `function` or `extension` record: a text line, or an object in JSON log format. */
export type LogRecord = string | JsonLogRecord;

/** The literal `type` values, from {@link EVENT_TYPES}. */
export type EventTypes = typeof EVENT_TYPES;

/** Common envelope of every event Lambda POSTs. */
export interface TelemetryEventOf<T extends string, R> {
  /** ISO 8601 time Lambda stamped on the event. */
  readonly time: string;
  readonly type: T;
  readonly record: R;
}

/** `platform.initStart` event. */
export type InitStartEvent = TelemetryEventOf<EventTypes['INIT_START'], InitStartRecord>;
/** `platform.initRuntimeDone` event. */
export type InitRuntimeDoneEvent = TelemetryEventOf<EventTypes['INIT_RUNTIME_DONE'], InitRuntimeDoneRecord>;
/** `platform.initReport` event. */
export type InitReportEvent = TelemetryEventOf<EventTypes['INIT_REPORT'], InitReportRecord>;
/** `platform.start` event. */
export type StartEvent = TelemetryEventOf<EventTypes['START'], StartRecord>;
/** `platform.runtimeDone` event. */
export type RuntimeDoneEvent = TelemetryEventOf<EventTypes['RUNTIME_DONE'], RuntimeDoneRecord>;
/** `platform.report` event. */
export type ReportEvent = TelemetryEventOf<EventTypes['REPORT'], ReportRecord>;
/** `platform.restoreStart` event. */
export type RestoreStartEvent = TelemetryEventOf<EventTypes['RESTORE_START'], RestoreStartRecord>;
/** `platform.restoreRuntimeDone` event. */
export type RestoreRuntimeDoneEvent = TelemetryEventOf<
  EventTypes['RESTORE_RUNTIME_DONE'],
  RestoreRuntimeDoneRecord
>;
/** `platform.restoreReport` event. */
export type RestoreReportEvent = TelemetryEventOf<EventTypes['RESTORE_REPORT'], RestoreReportRecord>;
/** `platform.extension` event. */
export type ExtensionStateEvent = TelemetryEventOf<EventTypes['EXTENSION'], ExtensionStateRecord>;
/** `platform.telemetrySubscription` event. */
export type TelemetrySubscriptionEvent = TelemetryEventOf<
  EventTypes['TELEMETRY_SUBSCRIPTION'],
  TelemetrySubscriptionRecord
>;
/** `platform.logsDropped` event. */
export type LogsDroppedEvent = TelemetryEventOf<EventTypes['LOGS_DROPPED'], LogsDroppedRecord>;
/** A `function` log line event. */
export type FunctionLogEvent = TelemetryEventOf<EventTypes['FUNCTION'], LogRecord>;
/** An `extension` log line event. */
export type ExtensionLogEvent = TelemetryEventOf<EventTypes['EXTENSION_LOG'], LogRecord>;

/** Any Telemetry API event, discriminated on `type`. */
export type TelemetryEvent =
  | InitStartEvent
  | InitRuntimeDoneEvent
  | InitReportEvent
  | StartEvent
  | RuntimeDoneEvent
  | ReportEvent
  | RestoreStartEvent
  | RestoreRuntimeDoneEvent
  | RestoreReportEvent
  | ExtensionStateEvent
  | TelemetrySubscriptionEvent
  | LogsDroppedEvent
  | FunctionLogEvent
  | ExtensionLogEvent;

/** The `type` of any Telemetry API event. */
export type TelemetryEventType = TelemetryEvent['type'];

/** The record type of the event whose `type` is `T`. */
export type RecordOf<T extends TelemetryEventType> = Extract<TelemetryEvent, { type: T }>['record'];

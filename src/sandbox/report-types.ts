/**
 * Report types of the local Lambda sandbox: what one invocation, one extension and the whole
 * run looked like. Same time conventions as `types.ts`.
 */
import type { SchemaVersion, Status, TelemetryEvent, TelemetryType } from '../telemetry/events.ts';
import type { ShutdownReason } from '../lambda/types.ts';

/** Outcome of one {@link Sandbox.invoke}. */
export interface InvocationResult {
  readonly requestId: string;
  readonly status: Status;
  readonly errorType: string | null;
  /** X-Ray header of the invocation, null when tracing was off. */
  readonly tracing: string | null;
  readonly startEpochMs: number;
  readonly startedAtMs: number;
  readonly runtimeDoneAtMs: number;
  readonly endedAtMs: number;
  /** Runtime time until the response. */
  readonly runtimeDurationMs: number;
  /**
   * Whole invoke phase (start until every extension called next again); with
   * `managedInstances`, the runtime duration (the report's `durationMs`).
   */
  readonly durationMs: number;
  /** With `managedInstances`: `ceil(durationMs)`, though LMI bills instances, not invocations. */
  readonly billedDurationMs: number;
  /** Time extensions kept the phase open after the runtime was done; 0 with `managedInstances`. */
  readonly postRuntimeDurationMs: number;
  readonly maxMemoryUsedMB: number;
  /** Why the spec's `handler` rejected (its stack, or the value as text); absent when it did not. */
  readonly handlerError?: string;
  /**
   * `managedInstances` only: request ids of the invocations in flight at some moment of this
   * one (at most 1000, the earliest first).
   */
  readonly overlappedWith?: readonly string[];
  /** `managedInstances` only: most invocations in flight at once during this one, itself included. */
  readonly peakConcurrency?: number;
}

/** An `init/error` or `exit/error` call. */
export interface ExtensionErrorReport {
  /** The `Lambda-Extension-Function-Error-Type` header. */
  readonly errorType: string;
  /** The parsed JSON body, the raw text when it was not JSON, or null when empty. */
  readonly body: unknown;
  readonly atMs: number;
}

/** A `PUT /2022-07-01/telemetry` request and its answer. */
export interface SubscribeAttempt {
  readonly body: unknown;
  readonly statusCode: number;
  /** errorType of the answer, null on success. */
  readonly errorType: string | null;
  readonly atMs: number;
}

/** The accepted subscription of an extension. */
export interface SubscriptionReport {
  /** The PUT body exactly as parsed. */
  readonly body: unknown;
  readonly statusCode: number;
  readonly atMs: number;
  readonly schemaVersion: SchemaVersion;
  readonly types: readonly TelemetryType[];
  readonly uri: string;
  /** Buffering in effect, defaults applied. */
  readonly buffering: { readonly maxItems: number; readonly maxBytes: number; readonly timeoutMs: number };
}

/** Telemetry delivery counters of one subscriber. */
export interface DeliveryReport {
  /** Batches POSTed and answered 2xx. */
  readonly batches: number;
  /** Events in those batches. */
  readonly events: number;
  /** Bytes in those batches. */
  readonly bytes: number;
  /** Batches dropped (connection error, non-2xx, timeout). */
  readonly failures: number;
  /** Events dropped with failed batches or a full queue. */
  readonly droppedEvents: number;
  /** Events still queued when the sandbox closed. */
  readonly undeliveredEvents: number;
  readonly lastError: string | null;
}

/** How an extension process ended. */
export interface ExitReport {
  readonly code: number | null;
  readonly signal: string | null;
  readonly atMs: number;
  /** False when the process was still alive at the SHUTDOWN deadline. */
  readonly beforeDeadline: boolean;
  /** True when the sandbox SIGKILLed it. */
  readonly killed: boolean;
}

/** Everything observed about one extension. */
export interface ExtensionReport {
  readonly name: string;
  readonly path: string;
  readonly pid: number | null;
  /** Set when the process could not be started (e.g. ENOENT, EACCES). */
  readonly spawnError: string | null;
  readonly registered: {
    readonly events: readonly string[];
    /** The `Lambda-Extension-Accept-Feature` header, null when absent. */
    readonly acceptFeature: string | null;
    readonly atMs: number;
  } | null;
  readonly identifier: string | null;
  readonly subscription: SubscriptionReport | null;
  readonly subscribeAttempts: readonly SubscribeAttempt[];
  /** From spawn to the first `event/next` call. */
  readonly firstNextMs: number | null;
  readonly nextCalls: ReadonlyArray<{ readonly atMs: number; readonly delivered: 'INVOKE' | 'SHUTDOWN' | null }>;
  readonly initError: ExtensionErrorReport | null;
  readonly exitError: ExtensionErrorReport | null;
  readonly exit: ExitReport | null;
  readonly stdout: string;
  readonly stderr: string;
  /** `extension` events produced from its stdout and stderr lines (0 with `extensionLogs: false`). */
  readonly logEvents: number;
  readonly delivery: DeliveryReport;
  /** Protocol violations, e.g. `next after SHUTDOWN`. */
  readonly violations: readonly string[];
}

/** Snapshot of a sandbox run. */
export interface SandboxReport {
  readonly runtimeApi: string;
  /** True when every extension called `event/next` during init. */
  readonly initDone: boolean;
  /** Why init failed, null when it did not (or has not ended). */
  readonly initFailure: string | null;
  readonly initDurationMs: number | null;
  readonly initEndedAtMs: number | null;
  readonly extensions: readonly ExtensionReport[];
  readonly invocations: readonly InvocationResult[];
  readonly shutdown: {
    readonly reason: ShutdownReason;
    readonly deadlineEpochMs: number;
    readonly startedAtMs: number;
    /** Null while the phase is still running. */
    readonly endedAtMs: number | null;
  } | null;
  /** Every telemetry event the sandbox produced, in order (capped, see `eventsOmitted`). */
  readonly events: readonly TelemetryEvent[];
  /**
   * Events produced beyond the recording cap: 200 000 events, and 64 Mi characters of text
   * log records.
   */
  readonly eventsOmitted: number;
}

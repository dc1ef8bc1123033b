/**
 * Public types of the local Lambda sandbox (Extensions API + Telemetry API emulation).
 * Times named `...AtMs` are milliseconds since the sandbox started; `...EpochMs` are Unix
 * epoch milliseconds; durations are milliseconds.
 */
import type { SchemaVersion, Status, TelemetryType } from '../telemetry/events.ts';
import type { ShutdownReason } from '../lambda/types.ts';
import type { InvocationResult, SandboxReport } from './report-types.ts';

export type {
  DeliveryReport,
  ExitReport,
  ExtensionErrorReport,
  ExtensionReport,
  InvocationResult,
  SandboxReport,
  SubscribeAttempt,
  SubscriptionReport,
} from './report-types.ts';

/** Function configuration the sandbox pretends to run. Every field has a default. */
export interface SandboxFunctionOptions {
  /** Default `sandbox-function`. */
  readonly name?: string;
  /** Default `$LATEST`. */
  readonly version?: string;
  /** Default 128 (Lambda's MB are MiB). */
  readonly memorySizeMB?: number;
  /** Function timeout; default 3000. */
  readonly timeoutMs?: number;
  /** Default `us-east-1`. */
  readonly region?: string;
  /** Default `123456789012`. */
  readonly accountId?: string;
  /** Default `index.handler`. */
  readonly handler?: string;
  /** Default `YYYY/MM/DD/[$LATEST]<32 hex>`. */
  readonly logStreamName?: string;
  /** Default `on-demand`. */
  readonly initializationType?: string;
  /** Reported as `initDurationMs` of the first report; default: the measured init time. */
  readonly initDurationMs?: number;
}

/** An answer the Telemetry API gives instead of accepting a subscription. */
export interface TelemetryRefusal {
  readonly statusCode: number;
  readonly errorType: string;
  readonly errorMessage: string;
}

/** Telemetry API behaviour. */
export interface TelemetryApiOptions {
  /** Schema versions accepted by `PUT /2022-07-01/telemetry`; default all known ones. */
  readonly supportedSchemaVersions?: readonly SchemaVersion[];
  /** When set, every subscription is answered with this error. */
  readonly refuse?: TelemetryRefusal;
}

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** Paths of extension executables; the file basename is the extension name. */
  readonly extensions: readonly string[];
  /** Extra environment for the extension processes, applied on top of the Lambda env. */
  readonly env?: Readonly<Record<string, string>>;
  readonly function?: SandboxFunctionOptions;
  /** SIGSTOP the extensions between invocations (default true; never with `managedInstances`). */
  readonly freeze?: boolean;
  /**
   * Emulate a Lambda Managed Instances environment (default false): registration for
   * SHUTDOWN only, Telemetry API schema `2025-01-29` only, no freeze, no INVOKE event,
   * concurrent {@link Sandbox.invoke} calls, no `platform.runtimeDone`, and the 2025-01-29
   * record shapes. Function memory defaults to 2048 MB, the smallest LMI function.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-execution-environment.html
   */
  readonly managedInstances?: boolean;
  /**
   * With `managedInstances`: invocations in flight at once (`AWS_LAMBDA_MAX_CONCURRENCY`);
   * an `invoke()` beyond it rejects. Default 64, Lambda's Node.js default for one vCPU.
   * An integer from 1 to 1600.
   */
  readonly maxConcurrency?: number;
  /** Maximum init phase duration; default 10000. */
  readonly initTimeoutMs?: number;
  readonly telemetryApi?: TelemetryApiOptions;
  /** `capture` (default) keeps stdout/stderr in the report; `inherit` passes them through. */
  readonly stdio?: 'capture' | 'inherit';
  /**
   * Turn every line an extension writes to stdout or stderr into an `extension` telemetry
   * event, as Lambda does (default true). Lines lose their `\n` / `\r\n`; a line longer than
   * 256 KiB becomes several events; `time` is when the sandbox read the line's first byte.
   * An extension subscribed to `extension` receives its own lines too, so one that logs per
   * received batch feeds itself (bounded by the subscriber queue cap, see `delivery`).
   * @see https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api.html
   */
  readonly extensionLogs?: boolean;
  /** Called synchronously on lifecycle steps; exceptions it throws are ignored. */
  readonly onProgress?: (event: SandboxProgress) => void;
}

/** One simulated invocation. */
export interface InvocationSpec {
  /** Default: a random UUID. */
  readonly requestId?: string;
  /**
   * Runtime time until the response; default 20. With `timeout` status the runtime takes the
   * function timeout; a duration reaching the function timeout makes the status `timeout`.
   * With `managedInstances` a timeout fails only this invocation (report at the function
   * timeout, `Sandbox.Timedout`, no spans); the environment is not reset.
   */
  readonly durationMs?: number;
  /** Default `success`. */
  readonly status?: Status;
  /** Error type for `error` / `failure`; defaults `Error` / `Runtime.ExitError`. */
  readonly errorType?: string;
  /** Function log records, emitted as `function` events spread over the runtime duration. */
  readonly logs?: ReadonlyArray<string | Readonly<Record<string, unknown>>>;
  /** `true`: generate an X-Ray header; a string: use that header verbatim. */
  readonly tracing?: boolean | string;
  /** `producedBytes` of runtimeDone; default 0 (unused with `managedInstances`). */
  readonly producedBytes?: number;
  /**
   * What becomes of the invocation's `platform.runtimeDone` (default `sent`), to replay what
   * Lambda does when telemetry goes missing: `dropped` is lost in delivery and followed by a
   * `platform.logsDropped`; `malformed` is sent with a `tracing` without `value` and a span
   * without `start`; `omitted` is never produced (the report alone tells the outcome).
   */
  readonly runtimeDone?: RuntimeDoneFate;
  /** {@link runScenario} only: idle time before this invocation. */
  readonly gapMs?: number;
  /**
   * The function's own work, run in the sandbox process during the runtime phase: called once
   * the runtime got the invocation (after the INVOKE went to the extensions, which are thawed),
   * and awaited before the runtime responds. The runtime duration is then at least
   * `durationMs` and at least the handler's time. A rejection ends the invocation as a
   * function error would (`error`, `errorType` the error's `name` unless `errorType` is set,
   * the error in {@link InvocationResult.handlerError}); a handler still running at the
   * function timeout makes it `timeout` (its promise is no longer awaited). Extensions are
   * frozen again only after the response, as on Lambda: a handler may talk to an extension.
   * @param invocation - `requestId`; `traceHeader`, the X-Ray header the runtime sees
   * (`_X_AMZN_TRACE_ID`), null when tracing is off; `deadlineMs`, the invocation's deadline
   * in Unix epoch milliseconds
   * @example
   * ```ts
   * await sandbox.invoke({ handler: async ({ requestId }) => void (await fetch(`http://127.0.0.1:4318/v1/traces`, { method: 'POST', body })) });
   * ```
   */
  readonly handler?: (invocation: { readonly requestId: string; readonly traceHeader: string | null; readonly deadlineMs: number }) => Promise<void>;
}

/** See {@link InvocationSpec.runtimeDone}. */
export type RuntimeDoneFate = 'sent' | 'dropped' | 'malformed' | 'omitted';

/** Options of {@link Sandbox.shutdown}. */
export interface ShutdownOptions {
  /** Default `spindown`. */
  readonly reason?: ShutdownReason;
  /** Time between SHUTDOWN and SIGKILL; default 2000. */
  readonly shutdownMs?: number;
}

/** A scripted sandbox run for {@link runScenario}. */
export interface Scenario {
  readonly invocations: readonly InvocationSpec[];
  readonly shutdown?: ShutdownOptions;
}

/** Lifecycle notifications for progress displays. */
export type SandboxProgress =
  | { readonly type: 'registered'; readonly extension: string; readonly events: readonly string[] }
  | {
      readonly type: 'subscribed';
      readonly extension: string;
      readonly schemaVersion: SchemaVersion;
      readonly types: readonly TelemetryType[];
    }
  | { readonly type: 'init-done'; readonly ok: boolean; readonly durationMs: number; readonly failure: string | null }
  | { readonly type: 'invoke-start'; readonly requestId: string }
  | { readonly type: 'invoke-done'; readonly requestId: string; readonly status: Status; readonly durationMs: number }
  | { readonly type: 'shutdown'; readonly reason: ShutdownReason; readonly deadlineEpochMs: number }
  | {
      readonly type: 'exited';
      readonly extension: string;
      readonly code: number | null;
      readonly signal: string | null;
      readonly killed: boolean;
    }
  | {
      readonly type: 'delivery';
      readonly extension: string;
      readonly ok: boolean;
      readonly events: number;
      readonly bytes: number;
      /** HTTP status, or null when no response came. */
      readonly statusCode: number | null;
    };

/** A running sandbox. */
export interface Sandbox {
  /** `127.0.0.1:PORT`, the value of `AWS_LAMBDA_RUNTIME_API`. */
  readonly runtimeApi: string;
  /**
   * Runs one invocation; resolves once the invoke phase ended and the env is frozen again.
   * With `managedInstances`: resolves when the runtime responded; calls may overlap up to
   * `maxConcurrency`, beyond that it rejects.
   */
  invoke(spec?: InvocationSpec): Promise<InvocationResult>;
  /** Lets `ms` pass with the environment frozen. */
  idle(ms: number): Promise<void>;
  /**
   * Runs the SHUTDOWN phase (once; later calls return the same report). With
   * `managedInstances` it first waits for the invocations in flight.
   */
  shutdown(options?: ShutdownOptions): Promise<SandboxReport>;
  /** Snapshot of everything so far. */
  report(): SandboxReport;
}

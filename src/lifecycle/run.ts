/**
 * The extension lifecycle: register, validate configuration, listen, subscribe, then loop on
 * `event/next` handing telemetry to a {@link Processor}, and shut down inside the deadline.
 * The layer's own entry point and custom extensions both run through here.
 */
import { loadConfig, ENV } from './config.ts';
import { isManagedInstances } from '../lambda/environment.ts';
import type { ConfigOverrides, ExtensionConfig } from './config.ts';
import { ERROR_TYPES, ExtensionError } from '../util/errors.ts';
import { withTimeout } from '../util/with-timeout.ts';
import { createLogger } from '../util/logger.ts';
import type { Logger } from '../util/logger.ts';
import { createExtensionsClient } from '../lambda/extensions-api.ts';
import type { ExtensionsClient, Registration } from '../lambda/extensions-api.ts';
import { resolveSandboxHost, startListener } from '../lambda/listener.ts';
import type { IntakeStats, TelemetryListener } from '../lambda/listener.ts';
import { subscribe } from '../lambda/telemetry-api.ts';
import type { InvokeEvent, ShutdownReason } from '../lambda/types.ts';
import { createRejectLog } from './reject-log.ts';
import { createReportDrain } from './report-drain.ts';
import type { RejectLog } from './reject-log.ts';
import type { DecodeResult } from '../telemetry/decode.ts';
import type { SchemaVersion, TelemetryEvent } from '../telemetry/events.ts';

/** What a processor learns once the extension is registered and subscribed. */
export interface RunContext {
  readonly registration: Registration;
  readonly config: ExtensionConfig;
  /** The schema version Lambda accepted for the subscription. */
  readonly schemaVersion: SchemaVersion;
  /** The extension's own log (JSON lines on stderr, at `LAMBDA_OTEL_LOG_LEVEL`). */
  readonly logger: Logger;
  /** What the listener took in so far. */
  readonly intake: () => IntakeStats;
  /**
   * Lambda Managed Instances: registered for SHUTDOWN only, so {@link Processor.invoke} is never
   * called; invocations run concurrently and the environment is never frozen.
   */
  readonly managedInstances: boolean;
}

/**
 * Receives the telemetry stream and the lifecycle; only `process` is required. An error thrown
 * by any of these is logged and the extension goes on, unless it is an {@link ExtensionError}:
 * that stops the extension and is reported to Lambda (`init/error` or `exit/error`).
 */
export interface Processor {
  /** Called once after registration and subscription, before the first `event/next`. */
  init?(context: RunContext): void | Promise<void>;
  /**
   * Called with the valid events of each POSTed batch, in order. Must not block for long. A
   * returned promise is back-pressure: Lambda gets its answer (and sends the next batch) once it
   * settles, at most a second later.
   */
  process(events: readonly TelemetryEvent[]): void | Promise<void>;
  /**
   * Called on each INVOKE; `event/next` is called again once the returned promise settles.
   * Never called on Lambda Managed Instances, which have no INVOKE event.
   */
  invoke?(event: InvokeEvent): void | Promise<void>;
  /**
   * Called on SHUTDOWN (once the report of every INVOKE has arrived, or half the time left has
   * passed), or with `error` before a fatal error is reported, while the listener still
   * accepts the last telemetry. Should settle before `deadlineMs` (epoch ms); the runner
   * stops waiting at that point.
   */
  shutdown?(reason: ShutdownReason, deadlineMs: number, error?: Error): void | Promise<void>;
}

/** Options of {@link run}; each configuration option overrides its environment variable. */
export interface RunOptions extends ConfigOverrides {
  /** Name to register under; must equal the executable's file name. */
  readonly extensionName: string;
  /** Environment to read; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Exit this many ms before the SHUTDOWN deadline at the latest (default 300). */
  readonly shutdownMarginMs?: number;
}

/** How a run ended; the caller turns it into the process exit code. */
export interface RunResult {
  readonly exitCode: 0 | 1;
  readonly reason: ShutdownReason | 'error';
}

const DEFAULT_SHUTDOWN_MARGIN_MS = 300;
/** Lambda's errorType for an event a Managed Instances extension may not register for. */
const INVALID_EVENT_TYPE = 'Extension.InvalidEventType';
/** Of the SHUTDOWN time left, at most this share waits for the reports still owed. */
const REPORT_WAIT_SHARE = 0.5;
/** Time a processor gets to flush before a fatal error is reported. */
const FATAL_SHUTDOWN_BUDGET_MS = 1000;

/** The oldest Node.js major the layer is built for and tested on end to end. */
const OLDEST_TESTED_NODE = 22;

/**
 * Runs an extension until SHUTDOWN or a fatal error: registers, subscribes to the Telemetry
 * API, serves the listener, loops on `event/next` and calls the processor. Never rejects:
 * fatal errors are reported to Lambda (`init/error` before the first `event/next`, `exit/error`
 * after), written to stderr, and returned as `exitCode: 1`.
 * @example
 * const result = await run({ process: (events) => console.log(events.length) }, { extensionName: 'my-extension' });
 * process.exit(result.exitCode);
 */
export async function run(processor: Processor, options: RunOptions): Promise<RunResult> {
  const env = options.env ?? process.env;
  const logger = createLogger(options.extensionName, 'warn');
  const runtimeApi = options.runtimeApi ?? env[ENV.RUNTIME_API];
  if (runtimeApi === undefined || runtimeApi === '') {
    logger.error(`${ENV.RUNTIME_API} is not set: not running inside Lambda or the sandbox`, { errorType: ERROR_TYPES.CONFIG_INVALID });
    return { exitCode: 1, reason: 'error' };
  }
  const client = createExtensionsClient(runtimeApi);
  // Resolved while the register round trip is in flight, off the cold-start critical path.
  const listenerHost = resolveSandboxHost();
  listenerHost.catch(() => {});
  const guarded = guard(logger);
  let phase: 'init' | 'exit' = 'init';
  let drain = createReportDrain();
  let listener: TelemetryListener | null = null;
  try {
    const { registration, managedInstances } = await register(client, options.extensionName, isManagedInstances(env), logger);
    drain = createReportDrain(managedInstances);
    const config = loadConfig(env, { ...options, runtimeApi });
    logger.setLevel(config.logLevel);
    const rejects = createRejectLog(logger);
    const drainReports = config.telemetryTypes.includes('platform');
    const intake = { batches: 0, events: 0, rejected: 0 };
    listener = await startListener({
      port: config.listenerPort,
      fallBackToFreePort: !config.listenerPortExplicit,
      logger,
      host: listenerHost,
      onBatch: (result) => {
        intake.batches++;
        intake.events += result.events.length;
        intake.rejected += result.batchError === null ? result.rejected.length : 1;
        if (drainReports) drain.seen(result.events);
        return deliver(processor, result, rejects, logger);
      },
    });
    const schemaVersion = await subscribe(runtimeApi, registration.identifier, {
      schemaVersion: config.schemaVersion,
      destination: { protocol: 'HTTP', URI: listener.destinationUri },
      types: config.telemetryTypes,
      buffering: config.buffering,
    });
    logger.info('subscribed', { schemaVersion, types: config.telemetryTypes, listener: `${listener.host}:${listener.port}`, node: process.version });
    if (Number(process.versions.node.split('.')[0]) < OLDEST_TESTED_NODE) {
      logger.warn(`running on Node.js ${process.version}; this extension is built and tested for Node.js ${OLDEST_TESTED_NODE} and 24 (the nodejs22.x and nodejs24.x runtimes)`);
    }
    await guarded('init', () => processor.init?.({ registration, config, schemaVersion, logger, intake: () => ({ ...intake }), managedInstances }));

    for (;;) {
      const event = await client.next();
      phase = 'exit';
      if (event.eventType === 'SHUTDOWN') {
        const deadlineMs = event.deadlineMs - (options.shutdownMarginMs ?? DEFAULT_SHUTDOWN_MARGIN_MS);
        if (drainReports) await drain.wait(Date.now() + (deadlineMs - Date.now()) * REPORT_WAIT_SHARE);
        await withDeadline(guarded('shutdown', () => processor.shutdown?.(event.shutdownReason, deadlineMs)), deadlineMs, logger);
        rejects.summarise();
        return { exitCode: 0, reason: event.shutdownReason };
      }
      drain.invoked(event.requestId);
      await guarded('invoke', () => processor.invoke?.(event));
    }
  } catch (error) {
    const fatal = error instanceof ExtensionError ? error : new ExtensionError(ERROR_TYPES.RUNTIME_API_FAILED, String((error as Error)?.message ?? error), { cause: error });
    logger.error(fatal.message, { errorType: fatal.errorType, phase });
    if (phase === 'exit') {
      const deadlineMs = Date.now() + FATAL_SHUTDOWN_BUDGET_MS;
      await withDeadline(guarded('shutdown', () => processor.shutdown?.('failure', deadlineMs, fatal)), deadlineMs, logger).catch(() => {});
    }
    await client.reportError(phase, fatal.errorType, fatal.message).catch((reportError: unknown) => {
      logger.error('could not report the error to Lambda', { cause: (reportError as Error).message });
    });
    return { exitCode: 1, reason: 'error' };
  } finally {
    await listener?.close();
  }
}

/**
 * Registers for INVOKE and SHUTDOWN, or SHUTDOWN only on Managed Instances, where asking for
 * INVOKE is refused (403 Extension.InvalidEventType): an environment that does not say it is
 * one but refuses INVOKE that way is treated as one.
 */
async function register(
  client: ExtensionsClient,
  extensionName: string,
  managedInstances: boolean,
  logger: Logger,
): Promise<{ registration: Registration; managedInstances: boolean }> {
  if (managedInstances) return { registration: await client.register(extensionName, ['SHUTDOWN']), managedInstances };
  try {
    return { registration: await client.register(extensionName, ['INVOKE', 'SHUTDOWN']), managedInstances };
  } catch (error) {
    if (!(error instanceof ExtensionError) || !error.message.includes(INVALID_EVENT_TYPE)) throw error;
    logger.info('INVOKE refused (Lambda Managed Instances); registering for SHUTDOWN only');
    return { registration: await client.register(extensionName, ['SHUTDOWN']), managedInstances: true };
  }
}

/** Runs a processor hook: an ExtensionError is fatal (rethrown), anything else is logged. */
function guard(logger: Logger): (hook: string, call: () => void | Promise<void>) => Promise<void> {
  return async (hook, call) => {
    try {
      await call();
    } catch (error) {
      if (error instanceof ExtensionError) throw error;
      logger.error(`processor ${hook} failed; going on`, { cause: (error as Error)?.message ?? String(error) });
    }
  };
}

function deliver(processor: Processor, result: DecodeResult, rejects: RejectLog, logger: Logger): Promise<void> | undefined {
  rejects.record(result);
  if (result.events.length === 0) return undefined;
  const failed = (error: unknown): void => {
    // One failing batch must not take the listener down; the error is the processor's to fix.
    logger.error('processor failed on a batch', { events: result.events.length, cause: (error as Error)?.message ?? String(error) });
  };
  try {
    const returned: unknown = processor.process(result.events);
    // Only a promise holds Lambda back; JavaScript callers may return anything else.
    return returned instanceof Promise ? returned.catch(failed) : undefined;
  } catch (error) {
    failed(error);
    return undefined;
  }
}

/** Waits for `work` until `deadlineMs` at most; a rejection before then is the caller's. */
async function withDeadline(work: Promise<void>, deadlineMs: number, logger: Logger): Promise<void> {
  if (!(await withTimeout(work, Math.max(0, deadlineMs - Date.now())))) logger.warn('shutdown work did not finish before the deadline; exiting anyway');
}

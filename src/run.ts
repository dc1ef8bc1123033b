/**
 * The extension lifecycle: register, validate configuration, listen, subscribe, then loop on
 * `event/next` handing telemetry to a {@link Processor}, and shut down inside the deadline.
 * The layer's own entry point and custom extensions both run through here.
 */
import { loadConfig, ENV } from './config.ts';
import type { ConfigOverrides, ExtensionConfig } from './config.ts';
import { ERROR_TYPES, ExtensionError } from './errors.ts';
import { createLogger } from './logger.ts';
import type { Logger } from './logger.ts';
import { createExtensionsClient } from './lambda/extensions-api.ts';
import type { Registration } from './lambda/extensions-api.ts';
import { startListener } from './lambda/listener.ts';
import type { TelemetryListener } from './lambda/listener.ts';
import { subscribe } from './lambda/telemetry-api.ts';
import type { InvokeEvent, ShutdownReason } from './lambda/types.ts';
import { createRejectLog } from './reject-log.ts';
import type { DecodeResult } from './telemetry/decode.ts';
import type { SchemaVersion, TelemetryEvent } from './telemetry/events.ts';

/** What a processor learns once the extension is registered and subscribed. */
export interface RunContext {
  readonly registration: Registration;
  readonly config: ExtensionConfig;
  /** The schema version Lambda accepted for the subscription. */
  readonly schemaVersion: SchemaVersion;
  readonly logger: Logger;
}

/** Receives the telemetry stream and the lifecycle; only `process` is required. */
export interface Processor {
  /** Called once after registration and subscription, before the first `event/next`. */
  init?(context: RunContext): void | Promise<void>;
  /** Called with the valid events of each POSTed batch, in order. Must not block for long. */
  process(events: readonly TelemetryEvent[]): void;
  /** Called on each INVOKE; `event/next` is called again once the returned promise settles. */
  invoke?(event: InvokeEvent): void | Promise<void>;
  /**
   * Called on SHUTDOWN (or after a fatal error), while the listener still accepts the last
   * telemetry. Must settle before `deadlineMs`; the runner stops waiting at that point.
   */
  shutdown?(reason: ShutdownReason, deadlineMs: number): void | Promise<void>;
}

export interface RunOptions extends ConfigOverrides {
  /** Name to register under; must equal the executable's file name. */
  readonly extensionName: string;
  /** Environment to read; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Exit this many ms before the SHUTDOWN deadline at the latest. */
  readonly shutdownMarginMs?: number;
}

/** How a run ended; the caller turns it into the process exit code. */
export interface RunResult {
  readonly exitCode: 0 | 1;
  readonly reason: ShutdownReason | 'error';
}

const DEFAULT_SHUTDOWN_MARGIN_MS = 300;

/**
 * Runs the extension until SHUTDOWN or a fatal error. Never rejects: fatal errors are
 * reported to Lambda (`init/error` before the first `event/next`, `exit/error` after), written
 * to stderr, and returned as `exitCode: 1`.
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
  let phase: 'init' | 'exit' = 'init';
  let listener: TelemetryListener | null = null;
  try {
    const registration = await client.register(options.extensionName, ['INVOKE', 'SHUTDOWN']);
    const config = loadConfig(env, { ...options, runtimeApi });
    logger.setLevel(config.logLevel);
    const rejects = createRejectLog(logger);
    listener = await startListener({ port: config.listenerPort, onBatch: (result) => deliver(processor, result, rejects, logger) });
    const schemaVersion = await subscribe(runtimeApi, registration.identifier, {
      schemaVersion: config.schemaVersion,
      destination: { protocol: 'HTTP', URI: listener.destinationUri },
      types: config.telemetryTypes,
      buffering: config.buffering,
    });
    logger.info('subscribed', { schemaVersion, types: config.telemetryTypes, listener: `${listener.host}:${listener.port}` });
    await processor.init?.({ registration, config, schemaVersion, logger });

    for (;;) {
      const event = await client.next();
      phase = 'exit';
      if (event.eventType === 'SHUTDOWN') {
        const marginMs = options.shutdownMarginMs ?? DEFAULT_SHUTDOWN_MARGIN_MS;
        await withDeadline(processor.shutdown?.(event.shutdownReason, event.deadlineMs - marginMs), event.deadlineMs - marginMs, logger);
        rejects.summarise();
        return { exitCode: 0, reason: event.shutdownReason };
      }
      await processor.invoke?.(event);
    }
  } catch (error) {
    const fatal = error instanceof ExtensionError ? error : new ExtensionError(ERROR_TYPES.PROCESSOR_FAILED, String((error as Error)?.message ?? error), { cause: error });
    logger.error(fatal.message, { errorType: fatal.errorType, phase });
    await client.reportError(phase, fatal.errorType, fatal.message).catch((reportError: unknown) => {
      logger.error('could not report the error to Lambda', { cause: (reportError as Error).message });
    });
    return { exitCode: 1, reason: 'error' };
  } finally {
    await listener?.close();
  }
}

function deliver(processor: Processor, result: DecodeResult, rejects: ReturnType<typeof createRejectLog>, logger: Logger): void {
  rejects.record(result);
  if (result.events.length === 0) return;
  try {
    processor.process(result.events);
  } catch (error) {
    // One failing batch must not take the listener down; the error is the processor's to fix.
    logger.error('processor failed on a batch', { events: result.events.length, cause: (error as Error).message });
  }
}

async function withDeadline(work: void | Promise<void>, deadlineMs: number, logger: Logger): Promise<void> {
  if (work === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), Math.max(0, deadlineMs - Date.now()));
  });
  const settled = work.then(
    () => 'done' as const,
    (error: unknown) => {
      logger.error('processor failed during shutdown', { cause: (error as Error)?.message ?? String(error) });
      return 'failed' as const;
    },
  );
  const outcome = await Promise.race([settled, expired]);
  clearTimeout(timer);
  if (outcome === 'expired') logger.warn('shutdown work did not finish before the deadline; exiting anyway');
}

/**
 * The INIT phase: spawn every extension, wait until each has called `event/next` once (the
 * moment Lambda ends init), then freeze. A failed init (init/error, a crash, the init
 * timeout) shuts the environment down, as Lambda does before retrying init on the next
 * invocation.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib
 */
import type { Status } from '../telemetry/events.ts';
import { freezeEnvironment } from './context.ts';
import type { SandboxContext } from './context.ts';
import { extensionLogEvent, initReportEvent, initRuntimeDoneEvent, initStartEvent } from './event-factory.ts';
import { spawnExtension } from './extension-process.ts';
import type { ProcessExit } from './extension-process.ts';
import { addViolation, isGone, isWaiting } from './extension-state.ts';
import type { ExtensionState } from './extension-state.ts';
import type { LineListener } from './line-splitter.ts';
import type { ShutdownReason } from '../lambda/types.ts';
import { RUNTIME_VERSION } from './lambda-env.ts';
import { lmiInitReportEvent, lmiInitRuntimeDoneEvent, lmiInitStartEvent } from './lmi-events.ts';
import { DEFAULT_SHUTDOWN_MS, ensureShutdown, killExtension } from './shutdown-phase.ts';

/** How long an extension that called init/error gets to exit before it is killed. */
const INIT_ERROR_EXIT_WAIT_MS = 2000;

interface InitFailure {
  readonly message: string;
  readonly status: Status;
  readonly errorType: string;
  readonly reason: ShutdownReason;
}

function describeExit(state: ExtensionState): string {
  if (state.spawnError !== null) return `could not be started (${state.spawnError})`;
  const exit = state.exit;
  if (exit === null) return 'is still running';
  return exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${String(exit.code)}`;
}

function onExit(ctx: SandboxContext, state: ExtensionState, exit: ProcessExit): void {
  state.pendingNext = null;
  if (exit.spawnError !== null) {
    state.spawnError = exit.spawnError;
  } else {
    const deadline = ctx.shutdown?.deadlineEpochMs ?? Infinity;
    state.exit = {
      code: exit.code,
      signal: exit.signal,
      atMs: ctx.nowMs(),
      beforeDeadline: state.kill !== 'deadline' && Date.now() <= deadline,
      killed: state.kill !== null,
    };
  }
  if (ctx.phase === 'ready' || ctx.phase === 'invoke') addViolation(state, `exited before SHUTDOWN: ${describeExit(state)}`);
  ctx.progress({ type: 'exited', extension: state.name, code: exit.code, signal: exit.signal, killed: state.kill !== null });
  ctx.signal.notify();
}

function initSettled(state: ExtensionState): boolean {
  return isGone(state) || state.initError !== null || (state.registered !== null && isWaiting(state));
}

function failureOf(ctx: SandboxContext, settled: boolean): InitFailure | null {
  for (const state of ctx.extensions) {
    if (state.initError !== null) {
      const { errorType } = state.initError;
      return { message: `extension ${state.name} reported init error ${errorType}`, status: 'error', errorType, reason: 'failure' };
    }
  }
  for (const state of ctx.extensions) {
    if (isGone(state)) {
      const message = `extension ${state.name} ${describeExit(state)} during init`;
      return { message, status: 'failure', errorType: 'Extension.Crash', reason: 'failure' };
    }
  }
  if (settled) return null;
  const waiting = ctx.extensions.filter((state) => !initSettled(state)).map((state) => state.name);
  const message = `init timed out after ${ctx.initTimeoutMs} ms waiting for ${waiting.join(', ')}`;
  return { message, status: 'timeout', errorType: 'Sandbox.Timedout', reason: 'timeout' };
}

/**
 * Produces each output line of `state` as an `extension` event, the stream Lambda fills with
 * "logs that the extension generates" (including for the extension itself when subscribed).
 */
function logLineProducer(ctx: SandboxContext, state: ExtensionState): LineListener {
  return (line, atEpochMs) => {
    if (ctx.hub.produce(extensionLogEvent(line, atEpochMs))) state.logEvents += 1;
  };
}

/** Runs init; on failure it also runs the shutdown. Never rejects. */
export async function runInit(ctx: SandboxContext, env: Readonly<Record<string, string>>, stdio: 'capture' | 'inherit'): Promise<void> {
  const { fn } = ctx;
  const startedAtMs = ctx.nowMs();
  const lmi = ctx.managedInstances;
  ctx.hub.produce(
    lmi !== null
      ? lmiInitStartEvent(Date.now(), fn, lmi)
      : initStartEvent(Date.now(), {
          initializationType: fn.initializationType,
          runtimeVersion: RUNTIME_VERSION,
          functionName: fn.name,
          functionVersion: fn.version,
        }),
  );
  for (const state of ctx.extensions) {
    state.spawnedAtMs = ctx.nowMs();
    const onLine = ctx.extensionLogs ? logLineProducer(ctx, state) : null;
    const child = spawnExtension({ path: state.path, env, stdio, onLine });
    state.process = child;
    // `exited` never rejects.
    void child.exited.then((exit) => onExit(ctx, state, exit));
  }
  const settled = await ctx.signal.until(() => ctx.extensions.every(initSettled), ctx.initTimeoutMs);
  const failure = failureOf(ctx, settled);
  ctx.initEndedAtMs = ctx.nowMs();
  ctx.initDurationMs = ctx.initEndedAtMs - startedAtMs;
  ctx.initFailure = failure?.message ?? null;
  const status = failure?.status ?? 'success';
  const errorType = failure?.errorType ?? null;
  if (lmi !== null) {
    ctx.hub.produce(lmiInitRuntimeDoneEvent('success', null));
    ctx.hub.produce(lmiInitReportEvent(ctx.initDurationMs, status, errorType));
  } else {
    ctx.hub.produce(initRuntimeDoneEvent(fn.initializationType, 'success', null));
    ctx.hub.produce(initReportEvent(fn.initializationType, ctx.initDurationMs, status, errorType));
  }
  ctx.progress({ type: 'init-done', ok: failure === null, durationMs: ctx.initDurationMs, failure: ctx.initFailure });
  if (failure === null) {
    ctx.phase = 'ready';
    await freezeEnvironment(ctx);
    return;
  }
  const failed = ctx.extensions.filter((state) => state.initError !== null);
  await ctx.signal.until(() => failed.every(isGone), INIT_ERROR_EXIT_WAIT_MS);
  for (const state of failed) killExtension(state, 'early');
  await ensureShutdown(ctx, failure.reason, DEFAULT_SHUTDOWN_MS);
}

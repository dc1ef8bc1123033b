/**
 * The SHUTDOWN phase: thaw, send SHUTDOWN, keep delivering buffered telemetry (the last
 * report arrives now), SIGKILL whatever is alive at the deadline, then clean up.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-shutdown
 */
import { thawEnvironment } from './context.ts';
import type { SandboxContext, ShutdownState } from './context.ts';
import { deliverEvent, isGone, wants } from './extension-state.ts';
import type { ExtensionState } from './extension-state.ts';
import type { ShutdownReason } from '../lambda/types.ts';

/** Default time between SHUTDOWN and SIGKILL, as Lambda gives external extensions. */
export const DEFAULT_SHUTDOWN_MS = 2000;
/** How long to wait for the exit of a SIGKILLed process group. */
const KILL_WAIT_MS = 2000;
/** How long to wait for the last output of exited extensions (a pipe a stray child holds). */
const OUTPUT_WAIT_MS = 200;

/** Waits until every extension's output is read, so its last lines become events. */
async function outputRead(ctx: SandboxContext): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closed = ctx.extensions.map((state) => state.process?.outputClosed ?? Promise.resolve());
  await Promise.race([Promise.all(closed), new Promise((resolve) => (timer = setTimeout(resolve, OUTPUT_WAIT_MS)))]);
  clearTimeout(timer);
}

/** Answers a held `event/next` of `state` with SHUTDOWN, once, if it registered for it. */
export function deliverShutdown(ctx: SandboxContext, state: ExtensionState): void {
  const shutdown = ctx.shutdown;
  if (shutdown === null || state.shutdownDelivered || !wants(state, 'SHUTDOWN')) return;
  const delivered = deliverEvent(state, {
    eventType: 'SHUTDOWN',
    shutdownReason: shutdown.reason,
    deadlineMs: shutdown.deadlineEpochMs,
  });
  if (delivered) state.shutdownDelivered = true;
}

/** SIGKILLs the process group of `state`. */
export function killExtension(state: ExtensionState, kill: 'deadline' | 'early'): void {
  if (isGone(state) || state.kill !== null) return;
  state.kill = kill;
  state.process?.signalGroup('SIGKILL');
}

async function runShutdown(ctx: SandboxContext, reason: ShutdownReason, shutdownMs: number): Promise<void> {
  ctx.phase = 'shutdown';
  const deadlineEpochMs = Date.now() + shutdownMs;
  const shutdown: ShutdownState = { reason, deadlineEpochMs, startedAtMs: ctx.nowMs(), endedAtMs: null };
  ctx.shutdown = shutdown;
  thawEnvironment(ctx);
  ctx.progress({ type: 'shutdown', reason, deadlineEpochMs });
  for (const state of ctx.extensions) deliverShutdown(ctx, state);
  const done = await ctx.signal.until(
    () => ctx.extensions.every((state) => isGone(state) || !wants(state, 'SHUTDOWN')),
    shutdownMs,
  );
  // Extensions without SHUTDOWN get no event; they are stopped once the others are done.
  for (const state of ctx.extensions) killExtension(state, done ? 'early' : 'deadline');
  await ctx.signal.until(() => ctx.extensions.every(isGone), KILL_WAIT_MS);
  if (ctx.extensionLogs) await outputRead(ctx);
  ctx.hub.close();
  for (const state of ctx.extensions) state.process?.dispose();
  await ctx.closeServer();
  shutdown.endedAtMs = ctx.nowMs();
  ctx.phase = 'closed';
}

/**
 * Runs the SHUTDOWN phase once; later calls get the same promise whatever their arguments.
 * Never rejects.
 */
export function ensureShutdown(ctx: SandboxContext, reason: ShutdownReason, shutdownMs: number): Promise<void> {
  if (ctx.shutdownDone === null) {
    ctx.shutdownDone = runShutdown(ctx, reason, shutdownMs).catch(async () => {
      for (const state of ctx.extensions) state.process?.dispose();
      ctx.phase = 'closed';
      await ctx.closeServer();
    });
  }
  return ctx.shutdownDone;
}

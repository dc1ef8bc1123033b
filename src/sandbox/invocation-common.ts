/**
 * What the on-demand and the Managed Instances invoke phases share: the runtime's clock,
 * log spreading, default error types and the memory measure.
 */
import type { Status } from '../telemetry/events.ts';
import type { SandboxContext } from './context.ts';

/** Runtime duration when the spec gives none. */
export const DEFAULT_RUNTIME_DURATION_MS = 20;
const BYTES_PER_MB = 1024 * 1024;

/** `errorType` of each status when the spec gives none. */
export const DEFAULT_ERROR_TYPES: Readonly<Record<Status, string | null>> = {
  success: null,
  error: 'Error',
  failure: 'Runtime.ExitError',
  timeout: 'Sandbox.Timedout',
};

/** Sleeps until `ctx.nowMs()` reaches `atMs`; timers alone may wake up to 1 ms early. */
export async function sleepUntil(ctx: SandboxContext, atMs: number): Promise<void> {
  for (let leftMs = atMs - ctx.nowMs(); leftMs > 0; leftMs = atMs - ctx.nowMs()) {
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(leftMs)));
  }
}

/**
 * Calls `emit(0 .. count-1)` spread evenly over `runtimeMs` from `startedAtMs`, the ones
 * already due together.
 */
export async function emitSpread(
  ctx: SandboxContext,
  count: number,
  startedAtMs: number,
  runtimeMs: number,
  emit: (index: number) => void,
): Promise<void> {
  let index = 0;
  while (index < count) {
    const dueAtMs = startedAtMs + (runtimeMs * (index + 1)) / (count + 1);
    await sleepUntil(ctx, dueAtMs);
    const now = ctx.nowMs();
    while (index < count && startedAtMs + (runtimeMs * (index + 1)) / (count + 1) <= now) {
      emit(index);
      index += 1;
    }
  }
}

/** Peak RSS of the extension processes, in Lambda's MB (at least 1). */
export function peakMemoryMB(ctx: SandboxContext): number {
  let bytes = 0;
  for (const state of ctx.extensions) bytes += state.process?.peakRssBytes() ?? 0;
  return Math.max(1, Math.ceil(bytes / BYTES_PER_MB));
}

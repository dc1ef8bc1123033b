/**
 * What the on-demand and the Managed Instances invoke phases share: the runtime's clock,
 * log spreading, default error types, the memory measure and the function's handler.
 */
import type { Status } from '../telemetry/events.ts';
import type { SandboxContext } from './context.ts';
import type { InvocationSpec } from './types.ts';

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

/** What the function's invocation looks like to `InvocationSpec.handler`. */
export interface HandlerInvocation {
  readonly requestId: string;
  readonly traceHeader: string | null;
  /** Unix epoch ms. */
  readonly deadlineMs: number;
}

/** What became of `InvocationSpec.handler`: returned, rejected, or still running at the deadline. */
export type HandlerOutcome = { readonly kind: 'done' } | { readonly kind: 'failed'; readonly error: unknown } | { readonly kind: 'timeout' };

const DONE: HandlerOutcome = { kind: 'done' };
const TIMED_OUT: HandlerOutcome = { kind: 'timeout' };

/** Runs the spec's handler, if any, until it settles or the deadline passes; never rejects. */
export function runHandler(handler: InvocationSpec['handler'], invocation: HandlerInvocation): Promise<HandlerOutcome> {
  if (handler === undefined) return Promise.resolve(DONE);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, invocation.deadlineMs - Date.now()));
    const settle = (outcome: HandlerOutcome): void => {
      clearTimeout(timer);
      resolve(outcome);
    };
    // A handler that throws synchronously fails like one that rejects.
    new Promise<void>((run) => run(handler(invocation))).then(
      () => settle(DONE),
      (error: unknown) => settle({ kind: 'failed', error }),
    );
  });
}

/** The status and error type once the handler settled: its rejection is a function error, its overrun a timeout. */
export function settleStatus(
  spec: InvocationSpec,
  requested: Status,
  errorType: string | null,
  outcome: HandlerOutcome,
): { readonly status: Status; readonly errorType: string | null; readonly handlerError?: string } {
  if (outcome.kind === 'timeout') return { status: 'timeout', errorType: DEFAULT_ERROR_TYPES.timeout };
  if (outcome.kind === 'done' || requested === 'timeout') return { status: requested, errorType };
  const { error } = outcome;
  const handlerError = error instanceof Error ? (error.stack ?? error.message) : String(error);
  if (requested !== 'success') return { status: requested, errorType, handlerError };
  return { status: 'error', errorType: spec.errorType ?? (error instanceof Error && error.name !== '' ? error.name : 'Error'), handlerError };
}

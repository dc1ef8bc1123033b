/**
 * Snapshot of a sandbox run for callers and tests.
 */
import type { SandboxContext } from './context.ts';
import { toExtensionReport } from './extension-state.ts';
import type { SandboxReport } from './types.ts';

/** Builds a report from the current state; arrays are copies. */
export function buildReport(ctx: SandboxContext): SandboxReport {
  return {
    runtimeApi: ctx.runtimeApi,
    initDone: ctx.initEndedAtMs !== null && ctx.initFailure === null,
    initFailure: ctx.initFailure,
    initDurationMs: ctx.initDurationMs === null ? null : Math.round(ctx.initDurationMs * 1000) / 1000,
    initEndedAtMs: ctx.initEndedAtMs,
    extensions: ctx.extensions.map(toExtensionReport),
    invocations: ctx.invocations.slice(),
    shutdown: ctx.shutdown === null ? null : { ...ctx.shutdown },
    events: ctx.hub.events(),
    eventsOmitted: ctx.hub.omitted(),
  };
}

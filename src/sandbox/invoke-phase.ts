/**
 * One INVOKE phase: thaw, INVOKE to the extensions, platform.start, function logs and the
 * spec's handler, platform.runtimeDone after the runtime duration, then wait until every
 * extension called `event/next` again. Only then platform.report is produced, so report N
 * reaches a subscriber during invocation N+1 or SHUTDOWN, as on Lambda. A timeout resets the
 * environment (SHUTDOWN with reason `timeout`), as Lambda does.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-invoke
 */
import { randomUUID } from 'node:crypto';
import { TRACE_CONTEXT_TYPE } from '../telemetry/constants.ts';
import type { ReportMetrics, RuntimeDoneEvent, Status } from '../telemetry/events.ts';
import { freezeEnvironment, thawEnvironment } from './context.ts';
import type { SandboxContext } from './context.ts';
import {
  functionLogEvent,
  logsDroppedEvent,
  generateTraceHeader,
  reportEvent,
  roundMs,
  runtimeDoneEvent,
  startEvent,
  traceContextFor,
} from './event-factory.ts';
import { addViolation, deliverEvent, isGone, wants } from './extension-state.ts';
import { DEFAULT_ERROR_TYPES, DEFAULT_RUNTIME_DURATION_MS, emitSpread, peakMemoryMB, runHandler, settleStatus, sleepUntil } from './invocation-common.ts';
import { functionArn } from './lambda-env.ts';
import { DEFAULT_SHUTDOWN_MS, ensureShutdown } from './shutdown-phase.ts';
import type { InvocationResult, InvocationSpec, RuntimeDoneFate } from './types.ts';

/** Emits the logs spread evenly over the runtime duration, batching those already due. */
async function emitLogs(ctx: SandboxContext, spec: InvocationSpec, startedAtMs: number, runtimeMs: number): Promise<void> {
  const logs = spec.logs ?? [];
  await emitSpread(ctx, logs.length, startedAtMs, runtimeMs, (index) => {
    ctx.hub.produce(functionLogEvent(logs[index] as string | Readonly<Record<string, unknown>>));
  });
}

/** Sends runtimeDone as Lambda would, or loses it the ways Lambda can (see InvocationSpec.runtimeDone). */
function produceRuntimeDone(ctx: SandboxContext, fate: RuntimeDoneFate, event: RuntimeDoneEvent): void {
  if (fate === 'sent') ctx.hub.produce(event);
  else if (fate === 'dropped') ctx.hub.produce(logsDroppedEvent(1, JSON.stringify(event).length));
  else if (fate === 'malformed') {
    const [first, ...rest] = event.record.spans ?? [];
    const spans = first === undefined ? [] : [{ name: first.name, durationMs: first.durationMs }, ...rest];
    // Deliberately off-schema: what a decoder must survive, so typed as the wire allows.
    const record = { ...event.record, tracing: { type: TRACE_CONTEXT_TYPE }, spans };
    ctx.hub.produce({ ...event, record } as unknown as RuntimeDoneEvent);
  }
}

/** Runs one invocation; rejects when init failed or the sandbox is shut down or busy. */
export async function runInvoke(ctx: SandboxContext, spec: InvocationSpec): Promise<InvocationResult> {
  if (ctx.initFailure !== null) throw new Error(`cannot invoke: sandbox init failed (${ctx.initFailure})`);
  if (ctx.phase !== 'ready') throw new Error(`cannot invoke: the sandbox is in phase ${ctx.phase}`);
  ctx.phase = 'invoke';
  const requestId = spec.requestId ?? randomUUID();
  const wantedMs = Math.max(0, spec.durationMs ?? DEFAULT_RUNTIME_DURATION_MS);
  // A runtime that would answer after the function timeout times out instead.
  const requested = wantedMs >= ctx.fn.timeoutMs ? 'timeout' : (spec.status ?? 'success');
  const tracing = traceContextFor(spec.tracing);
  const startEpochMs = Date.now();
  const startedAtMs = ctx.nowMs();
  const deadlineEpochMs = startEpochMs + ctx.fn.timeoutMs;
  thawEnvironment(ctx);
  ctx.progress({ type: 'invoke-start', requestId });
  ctx.hub.produce(startEvent(startEpochMs, requestId, ctx.fn.version, tracing));
  const invoke = {
    eventType: 'INVOKE',
    deadlineMs: deadlineEpochMs,
    requestId,
    invokedFunctionArn: functionArn(ctx.fn),
    // Lambda sends a header (unsampled) even when tracing is off.
    tracing: { type: TRACE_CONTEXT_TYPE, value: tracing?.value ?? generateTraceHeader(false) },
  } as const;
  for (const state of ctx.extensions) {
    if (!isGone(state) && wants(state, 'INVOKE') && deliverEvent(state, invoke)) state.busyWithInvoke = true;
  }

  const runtimeMs = requested === 'timeout' ? ctx.fn.timeoutMs : wantedMs;
  // The function's own work runs alongside its scripted logs; the runtime answers once both are done.
  const handled = runHandler(spec.handler, { requestId, traceHeader: tracing?.value ?? null, deadlineMs: deadlineEpochMs });
  await emitLogs(ctx, spec, startedAtMs, runtimeMs);
  await sleepUntil(ctx, startedAtMs + runtimeMs);
  const settled = settleStatus(
    spec,
    requested,
    requested === 'success' || requested === 'timeout' ? DEFAULT_ERROR_TYPES[requested] : (spec.errorType ?? DEFAULT_ERROR_TYPES[requested]),
    await handled,
  );
  const runtimeDoneAtMs = ctx.nowMs();
  let status: Status = settled.status;
  let errorType = settled.errorType;
  produceRuntimeDone(
    ctx,
    spec.runtimeDone ?? 'sent',
    runtimeDoneEvent({
      requestId,
      status,
      errorType,
      startEpochMs,
      runtimeDurationMs: runtimeDoneAtMs - startedAtMs,
      producedBytes: spec.producedBytes ?? 0,
      tracing,
    }),
  );

  if (status !== 'timeout') {
    const done = await ctx.signal.until(
      () => ctx.extensions.every((state) => isGone(state) || !state.busyWithInvoke),
      deadlineEpochMs - Date.now(),
    );
    if (!done) {
      // Post-runtime extension work counts against the function timeout.
      status = 'timeout';
      errorType = DEFAULT_ERROR_TYPES.timeout;
      for (const state of ctx.extensions) {
        if (!isGone(state) && state.busyWithInvoke) addViolation(state, `no event/next before the deadline of ${requestId}`);
      }
    }
  }
  const endedAtMs = ctx.nowMs();
  const durationMs = roundMs(endedAtMs - startedAtMs);
  const maxMemoryUsedMB = peakMemoryMB(ctx);
  const firstAfterInit = ctx.invocations.length === 0 && ctx.fn.initializationType === 'on-demand';
  const initDurationMs = firstAfterInit ? (ctx.fn.initDurationMs ?? roundMs(ctx.initDurationMs ?? 0)) : null;
  const base = { durationMs, billedDurationMs: Math.ceil(durationMs), memorySizeMB: ctx.fn.memorySizeMB, maxMemoryUsedMB };
  const metrics: ReportMetrics = initDurationMs === null ? base : { ...base, initDurationMs };
  ctx.hub.produce(reportEvent(requestId, status, errorType, metrics, tracing));

  const result: InvocationResult = {
    requestId,
    status,
    errorType,
    tracing: tracing?.value ?? null,
    startEpochMs,
    startedAtMs,
    runtimeDoneAtMs,
    endedAtMs,
    runtimeDurationMs: roundMs(runtimeDoneAtMs - startedAtMs),
    durationMs,
    billedDurationMs: metrics.billedDurationMs ?? Math.ceil(durationMs),
    postRuntimeDurationMs: roundMs(endedAtMs - runtimeDoneAtMs),
    maxMemoryUsedMB,
    ...(settled.handlerError === undefined ? {} : { handlerError: settled.handlerError }),
  };
  ctx.invocations.push(result);
  ctx.progress({ type: 'invoke-done', requestId, status, durationMs });
  if (status === 'timeout') {
    await ensureShutdown(ctx, 'timeout', DEFAULT_SHUTDOWN_MS);
  } else {
    ctx.phase = 'ready';
    await freezeEnvironment(ctx);
  }
  return result;
}

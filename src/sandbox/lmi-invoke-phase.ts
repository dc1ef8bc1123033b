/**
 * Invocations of a Lambda Managed Instances environment: many at once, never frozen, no
 * INVOKE event to extensions (they registered for SHUTDOWN only), no platform.runtimeDone.
 * `platform.report` is produced when the runtime answers: there is no extension `next` to
 * wait for. A timeout fails that invocation only; Lambda keeps the environment.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-execution-environment.html
 */
import { randomUUID } from 'node:crypto';
import type { Status } from '../telemetry/events.ts';
import type { SandboxContext } from './context.ts';
import { roundMs, traceContextFor } from './event-factory.ts';
import { DEFAULT_ERROR_TYPES, DEFAULT_RUNTIME_DURATION_MS, emitSpread, peakMemoryMB, runHandler, settleStatus, sleepUntil } from './invocation-common.ts';
import { functionArn } from './lambda-env.ts';
import { lmiFunctionLogEvent, lmiReportEvent, lmiStartEvent } from './lmi-events.ts';
import type { ManagedInstancesConfig } from './managed-instances.ts';
import type { InvocationResult, InvocationSpec } from './types.ts';

/** Request ids kept per invocation in `overlappedWith`. */
const MAX_OVERLAP_IDS = 1000;

/** Runs the invocations of one LMI sandbox. */
export interface ManagedInvoker {
  /** Rejects when init failed, the sandbox is closing, or `maxConcurrency` are in flight. */
  invoke(spec: InvocationSpec): Promise<InvocationResult>;
  /** Refuses new invocations and resolves once none is in flight. Never rejects. */
  drain(): Promise<void>;
}

interface InFlight {
  readonly overlappedWith: string[];
  peakConcurrency: number;
}

function statusOf(ctx: SandboxContext, spec: InvocationSpec, wantedMs: number): Status {
  return wantedMs >= ctx.fn.timeoutMs ? 'timeout' : (spec.status ?? 'success');
}

function errorTypeOf(spec: InvocationSpec, status: Status): string | null {
  return status === 'success' || status === 'timeout' ? DEFAULT_ERROR_TYPES[status] : (spec.errorType ?? DEFAULT_ERROR_TYPES[status]);
}

async function run(ctx: SandboxContext, spec: InvocationSpec, requestId: string, own: InFlight): Promise<InvocationResult> {
  const wantedMs = Math.max(0, spec.durationMs ?? DEFAULT_RUNTIME_DURATION_MS);
  const requested = statusOf(ctx, spec, wantedMs);
  const tracing = traceContextFor(spec.tracing);
  const startEpochMs = Date.now();
  const startedAtMs = ctx.nowMs();
  ctx.progress({ type: 'invoke-start', requestId });
  ctx.hub.produce(lmiStartEvent(startEpochMs, requestId, { version: ctx.fn.version, arn: functionArn(ctx.fn) }, tracing));
  const runtimeMs = requested === 'timeout' ? ctx.fn.timeoutMs : wantedMs;
  const handled = runHandler(spec.handler, { requestId, traceHeader: tracing?.value ?? null, deadlineMs: startEpochMs + ctx.fn.timeoutMs });
  const logs = spec.logs ?? [];
  await emitSpread(ctx, logs.length, startedAtMs, runtimeMs, (index) => {
    ctx.hub.produce(lmiFunctionLogEvent(logs[index] as string | Readonly<Record<string, unknown>>, requestId));
  });
  await sleepUntil(ctx, startedAtMs + runtimeMs);
  const { status, errorType, handlerError } = settleStatus(spec, requested, errorTypeOf(spec, requested), await handled);
  const endedAtMs = ctx.nowMs();
  const runtimeDurationMs = roundMs(endedAtMs - startedAtMs);
  ctx.hub.produce(lmiReportEvent({ requestId, status, errorType, startEpochMs, runtimeDurationMs, tracing }));
  const result: InvocationResult = {
    requestId,
    status,
    errorType,
    tracing: tracing?.value ?? null,
    startEpochMs,
    startedAtMs,
    runtimeDoneAtMs: endedAtMs,
    endedAtMs,
    runtimeDurationMs,
    durationMs: runtimeDurationMs,
    billedDurationMs: Math.ceil(runtimeDurationMs),
    postRuntimeDurationMs: 0,
    maxMemoryUsedMB: peakMemoryMB(ctx),
    ...(handlerError === undefined ? {} : { handlerError }),
    overlappedWith: own.overlappedWith.slice(),
    peakConcurrency: own.peakConcurrency,
  };
  ctx.invocations.push(result);
  ctx.progress({ type: 'invoke-done', requestId, status, durationMs: runtimeDurationMs });
  return result;
}

/** The invoker of an LMI sandbox. */
export function createManagedInvoker(ctx: SandboxContext, config: ManagedInstancesConfig): ManagedInvoker {
  const inFlight = new Map<string, InFlight>();
  let closing = false;
  const admit = (requestId: string): InFlight => {
    const concurrency = inFlight.size + 1;
    for (const other of inFlight.values()) {
      if (other.overlappedWith.length < MAX_OVERLAP_IDS) other.overlappedWith.push(requestId);
      other.peakConcurrency = Math.max(other.peakConcurrency, concurrency);
    }
    const own: InFlight = { overlappedWith: [...inFlight.keys()].slice(0, MAX_OVERLAP_IDS), peakConcurrency: concurrency };
    inFlight.set(requestId, own);
    return own;
  };
  return {
    async invoke(spec) {
      if (ctx.initFailure !== null) throw new Error(`cannot invoke: sandbox init failed (${ctx.initFailure})`);
      if (closing || ctx.phase !== 'ready') throw new Error(`cannot invoke: the sandbox is ${closing ? 'shutting down' : `in phase ${ctx.phase}`}`);
      if (inFlight.size >= config.maxConcurrency) {
        throw new Error(`cannot invoke: ${inFlight.size} invocations in flight, maxConcurrency is ${config.maxConcurrency}`);
      }
      const requestId = spec.requestId ?? randomUUID();
      if (inFlight.has(requestId)) throw new Error(`cannot invoke: ${requestId} is already in flight`);
      const own = admit(requestId);
      try {
        return await run(ctx, spec, requestId, own);
      } finally {
        inFlight.delete(requestId);
        ctx.signal.notify();
      }
    },
    async drain() {
      closing = true;
      await ctx.signal.until(() => inFlight.size === 0, Infinity);
    },
  };
}

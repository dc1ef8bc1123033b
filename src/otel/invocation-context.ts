/**
 * Decides the trace id and span id of each invocation span as soon as its platform.start
 * arrives, long before the span itself can be built (that needs platform.report, which
 * arrives with the next invocation). Function log records of the invocation carry these ids,
 * and the span is later created with exactly them.
 *
 * The function's own spans, relayed through the local receiver, may make the invocation span
 * adopt their trace ({@link InvocationContexts.adopt}) until the span is built: then log
 * records still waiting for export follow, since they share {@link InvocationContext.logContext}.
 */
import { TraceFlags } from '@opentelemetry/api';
import type { Link, SpanContext } from '@opentelemetry/api';
import { RandomIdGenerator } from '@opentelemetry/sdk-trace';
import type { XrayContextMode } from './config.ts';
import { TRACE_CONTEXT_TYPE } from '../telemetry/constants.ts';
import type { TraceContext } from '../telemetry/events.ts';
import { parseXrayHeader, spanIdOrNull } from './xray.ts';

export interface InvocationContext {
  readonly traceId: string;
  readonly spanId: string;
  /** The remote parent (X-Ray's, or the function root span's), if the span joins its trace under one. */
  readonly parent: SpanContext | undefined;
  readonly links: readonly Link[];
  /** False when X-Ray said `Sampled=0` and that is respected: no spans for this invocation. */
  readonly sampled: boolean;
  /** The span context of the invocation's log records: one object, so that an adopted trace id reaches them. */
  readonly logContext: SpanContext;
}

export interface InvocationContexts {
  /** The ids of `requestId`'s invocation span, decided on first call from its trace header. */
  of(requestId: string, tracing: TraceContext | undefined): InvocationContext;
  /** As {@link of}, for building the span: from now on the context no longer changes. */
  seal(requestId: string, tracing: TraceContext | undefined): InvocationContext;
  /**
   * The function's root span of `requestId` arrived, in trace `traceId` under `parentSpanId`
   * (null: none). Until its span is built, the invocation span moves into that trace, under
   * that parent (a parent of its own in another trace becomes a link); afterwards it can only
   * be joined in the trace it already has. Returns the invocation span's id, to become the
   * root span's parent, or null when the two cannot be joined (another trace, or X-Ray did
   * not sample the invocation, so no invocation span comes).
   */
  adopt(requestId: string, traceId: string, parentSpanId: string | null): string | null;
}

export interface InvocationContextOptions {
  readonly xrayContext: XrayContextMode;
  readonly xrayRespectSampled: boolean;
  /** Decided contexts kept at most; the oldest is forgotten first. */
  readonly maxEntries: number;
}

export function createInvocationContexts(options: InvocationContextOptions): InvocationContexts {
  const random = new RandomIdGenerator();
  const decided = new Map<string, Decided>();

  function decide(tracing: TraceContext | undefined): Decided {
    const xray = options.xrayContext === 'ignore' || tracing?.type !== TRACE_CONTEXT_TYPE ? null : parseXrayHeader(tracing.value);
    if (xray === null) return newContext(random.generateTraceId(), random.generateSpanId(), undefined, [], true);
    const sampled = !(xray.sampled === false && options.xrayRespectSampled);
    if (options.xrayContext === 'link') {
      const links = xray.parentId === null ? [] : [{ context: remote(xray.traceId, xray.parentId) }];
      return newContext(random.generateTraceId(), random.generateSpanId(), undefined, links, sampled);
    }
    // parent: the span joins the X-Ray trace, under its Parent, with Lambda's own span id.
    const spanId = (tracing?.spanId === undefined ? null : spanIdOrNull(tracing.spanId)) ?? random.generateSpanId();
    return newContext(xray.traceId, spanId, xray.parentId === null ? undefined : remote(xray.traceId, xray.parentId), [], sampled);
  }

  function remember(requestId: string, context: Decided): Decided {
    if (decided.size >= options.maxEntries) decided.delete(decided.keys().next().value!);
    decided.set(requestId, context);
    return context;
  }

  const of = (requestId: string, tracing: TraceContext | undefined): Decided => decided.get(requestId) ?? remember(requestId, decide(tracing));

  return {
    of,
    seal(requestId, tracing) {
      const context = of(requestId, tracing);
      context.sealed = true;
      return context;
    },
    adopt(requestId, traceId, parentSpanId) {
      const context = decided.get(requestId);
      const parent = parentSpanId === null ? undefined : remote(traceId, parentSpanId);
      if (context === undefined) return remember(requestId, newContext(traceId, random.generateSpanId(), parent, [], true)).spanId;
      if (!context.sampled) return null;
      if (parentSpanId === context.spanId) return context.spanId;
      if (context.traceId === traceId) {
        if (!context.sealed && parent !== undefined) context.parent = parent;
        return context.spanId;
      }
      if (context.sealed) return null;
      if (context.parent !== undefined) context.links = [...context.links, { context: context.parent }];
      context.traceId = traceId;
      context.logContext.traceId = traceId;
      context.parent = parent;
      return context.spanId;
    },
  };
}

/** A decided context; its trace may still change by {@link InvocationContexts.adopt} until sealed. */
interface Decided {
  traceId: string;
  readonly spanId: string;
  parent: SpanContext | undefined;
  links: readonly Link[];
  readonly sampled: boolean;
  readonly logContext: { traceId: string; readonly spanId: string; readonly traceFlags: number };
  sealed: boolean;
}

function newContext(traceId: string, spanId: string, parent: SpanContext | undefined, links: readonly Link[], sampled: boolean): Decided {
  return { traceId, spanId, parent, links, sampled, logContext: { traceId, spanId, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE }, sealed: false };
}

function remote(traceId: string, spanId: string): SpanContext {
  return { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true };
}

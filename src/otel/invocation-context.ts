/**
 * Decides the trace id and span id of each invocation span as soon as its platform.start
 * arrives, long before the span itself can be built (that needs platform.report, which
 * arrives with the next invocation). Function log records of the invocation carry these ids,
 * and the span is later created with exactly them.
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
  /** The remote X-Ray parent, if the span joins its trace under one. */
  readonly parent: SpanContext | undefined;
  readonly links: readonly Link[];
  /** False when X-Ray said `Sampled=0` and that is respected: no spans for this invocation. */
  readonly sampled: boolean;
}

export interface InvocationContexts {
  /** The ids of `requestId`'s invocation span, decided on first call from its trace header. */
  of(requestId: string, tracing: TraceContext | undefined): InvocationContext;
}

export interface InvocationContextOptions {
  readonly xrayContext: XrayContextMode;
  readonly xrayRespectSampled: boolean;
  /** Decided contexts kept at most; the oldest is forgotten first. */
  readonly maxEntries: number;
}

export function createInvocationContexts(options: InvocationContextOptions): InvocationContexts {
  const random = new RandomIdGenerator();
  const decided = new Map<string, InvocationContext>();

  function decide(tracing: TraceContext | undefined): InvocationContext {
    const xray = options.xrayContext === 'ignore' || tracing?.type !== TRACE_CONTEXT_TYPE ? null : parseXrayHeader(tracing.value);
    if (xray === null) return { traceId: random.generateTraceId(), spanId: random.generateSpanId(), parent: undefined, links: [], sampled: true };
    const sampled = !(xray.sampled === false && options.xrayRespectSampled);
    if (options.xrayContext === 'link') {
      const links = xray.parentId === null ? [] : [{ context: { traceId: xray.traceId, spanId: xray.parentId, traceFlags: TraceFlags.SAMPLED, isRemote: true } }];
      return { traceId: random.generateTraceId(), spanId: random.generateSpanId(), parent: undefined, links, sampled };
    }
    // parent: the span joins the X-Ray trace, under its Parent, with Lambda's own span id.
    const spanId = (tracing?.spanId === undefined ? null : spanIdOrNull(tracing.spanId)) ?? random.generateSpanId();
    const parent = xray.parentId === null ? undefined : { traceId: xray.traceId, spanId: xray.parentId, traceFlags: TraceFlags.SAMPLED, isRemote: true };
    return { traceId: xray.traceId, spanId, parent, links: [], sampled };
  }

  return {
    of(requestId, tracing) {
      let context = decided.get(requestId);
      if (context === undefined) {
        context = decide(tracing);
        if (decided.size >= options.maxEntries) decided.delete(decided.keys().next().value!);
        decided.set(requestId, context);
      }
      return context;
    },
  };
}

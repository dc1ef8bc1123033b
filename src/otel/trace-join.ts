/**
 * One trace per invocation: the function's root span of an invocation (the span carrying its
 * request id in `faas.invocation_id`, `faas.invocation.id` or the older `faas.execution`, whose parent is not another
 * such span) is put under the invocation span, which moves into the function's trace and under
 * that root's former parent (see InvocationContexts.adopt). Only the root's `parentSpanId`
 * changes; every other field of every span stays as the function sent it, so its children,
 * its log records and its exemplars keep pointing where they did.
 */
import { ATTR_FAAS_INVOCATION_ID } from '@opentelemetry/semantic-conventions/incubating';
import type { ExportTraceRequest, Span } from '../otlp/codec.ts';
import { ATTR_LEGACY_FAAS_EXECUTION, ATTR_LEGACY_FAAS_INVOCATION_ID } from './attributes.ts';
import type { InvocationContexts } from './invocation-context.ts';

export interface JoinResult {
  /** Root spans put under their invocation span. */
  readonly joined: number;
  /** Root spans that could not be: their invocation span was built in another trace, or X-Ray did not sample it. */
  readonly unjoined: number;
}

/** Re-parents the invocation root spans in `request`, in place. */
export function joinInvocations(request: ExportTraceRequest, contexts: Pick<InvocationContexts, 'adopt'>): JoinResult {
  let roots: Map<string, Span[]> | null = null;
  for (const resourceSpans of request.resourceSpans ?? []) {
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        const requestId = invocationIdOf(span);
        if (requestId === null) continue;
        roots ??= new Map();
        const spans = roots.get(requestId);
        if (spans === undefined) roots.set(requestId, [span]);
        else spans.push(span);
      }
    }
  }
  let joined = 0;
  let unjoined = 0;
  for (const [requestId, spans] of roots ?? []) {
    const ids = new Set(spans.map((span) => hex(span.spanId) + hex(span.traceId)));
    for (const span of spans) {
      const parent = span.parentSpanId === undefined || span.parentSpanId.length === 0 ? null : hex(span.parentSpanId);
      if (parent !== null && ids.has(parent + hex(span.traceId))) continue;
      const under = contexts.adopt(requestId, hex(span.traceId), parent);
      if (under === null) {
        unjoined++;
        continue;
      }
      span.parentSpanId = Buffer.from(under, 'hex');
      joined++;
    }
  }
  return { joined, unjoined };
}

const INVOCATION_ID_KEYS: ReadonlySet<string> = new Set([ATTR_LEGACY_FAAS_INVOCATION_ID, ATTR_FAAS_INVOCATION_ID, ATTR_LEGACY_FAAS_EXECUTION]);

function invocationIdOf(span: Span): string | null {
  for (const attribute of span.attributes ?? []) {
    if (!INVOCATION_ID_KEYS.has(attribute.key)) continue;
    const value = attribute.value?.stringValue;
    if (typeof value === 'string' && value !== '') return value;
  }
  return null;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

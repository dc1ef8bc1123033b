/**
 * The demo function's own OpenTelemetry, as an instrumented Node.js function has it: the SDK's
 * tracer with its OTLP/HTTP protobuf exporter pointed at the layer's local receiver. Each
 * handler makes a SERVER span carrying its request id (`faas.invocation_id`, as
 * instrumentation-aws-lambda does) with two children, and flushes before it returns; under
 * X-Ray it continues the trace the header names.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { parseXrayHeader } from '../../src/otel/xray.ts';
import type { InvocationSpec } from '../../src/sandbox/index.ts';

/** The function's instrumentation scope, which the waterfall marks `(function)`. */
export const FUNCTION_SCOPE = 'demo-orders-handler';

export interface FunctionOtel {
  /** The handler for `spec`: its spans take about `spec.durationMs`. */
  handler(spec: InvocationSpec): NonNullable<InvocationSpec['handler']>;
  shutdown(): Promise<void>;
}

export function createFunctionOtel(receiverPort: number, serviceName: string): FunctionOtel {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `http://127.0.0.1:${receiverPort}/v1/traces` }) })],
  });
  const tracer = provider.getTracer(FUNCTION_SCOPE);
  return {
    handler: (spec) => async ({ requestId, traceHeader }) => {
      const parent = traceHeader === null ? ROOT_CONTEXT : xrayParent(traceHeader);
      const workMs = Math.max(4, (spec.durationMs ?? 20) - 6);
      const root = tracer.startSpan('handle order', { kind: SpanKind.SERVER, attributes: { 'faas.invocation_id': requestId } }, parent);
      const inRoot = trace.setSpan(parent, root);
      await child('load order', inRoot, workMs * 0.4);
      await child('save order', inRoot, workMs * 0.5);
      if (spec.status === 'error') root.setStatus({ code: SpanStatusCode.ERROR, message: spec.errorType });
      root.end();
      await provider.forceFlush();
    },
    shutdown: () => provider.shutdown(),
  };

  async function child(name: string, parent: Context, ms: number): Promise<void> {
    const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL }, parent);
    await sleep(ms);
    span.end();
  }
}

function xrayParent(header: string): Context {
  const xray = parseXrayHeader(header);
  if (xray === null || xray.parentId === null) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: xray.traceId, spanId: xray.parentId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
}

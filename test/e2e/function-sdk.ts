/**
 * A function's own OpenTelemetry, as a Node.js function sets it up at init and uses in its
 * handler: the real SDK (traces and metrics over OTLP/HTTP protobuf, logs over OTLP/HTTP JSON)
 * exporting to the layer's local OTLP receiver, flushed before the handler returns. Each
 * exporter's result is kept, each forceFlush timed; every span also goes to an in-memory
 * exporter and, through a second OTLP exporter, to a mirror receiver: what the function's SDK
 * produced, to compare with what reached the backend through the relay.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { AggregationTemporalityPreference } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** The function's instrumentation scope: how its spans, points and records are told from the extension's. */
export const FUNCTION_SCOPE = 'orders-handler';
export const FUNCTION_SERVICE = 'orders-fn-sdk';
export const FUNCTION_COUNTER = 'orders.placed';
/** How long the handler works before it flushes (ms). */
const WORK_MS = 50;
/** Nothing is exported on a timer: only by the handler's forceFlush, while the extension is thawed. */
const NEVER_MS = 3_600_000;

type Invocation = { readonly requestId: string; readonly traceHeader: string | null };

export interface FunctionTelemetry {
  /** The handler of invocation `n` (1-based): a SERVER span, an INTERNAL child, a counter add of `n`, one log record; then forceFlush of all three. */
  handle(invocation: Invocation, n: number): Promise<void>;
  /** Every span the function's SDK ended, as the SDK saw it. */
  finished(): ReadableSpan[];
  /** Result codes of every export the function's OTLP exporters made, by signal. */
  readonly results: Record<'traces' | 'metrics' | 'logs', ExportResultCode[]>;
  /** How long each forceFlush took (ms), by signal. */
  readonly flushMs: Record<'traces' | 'metrics' | 'logs', number[]>;
  shutdown(): Promise<void>;
}

/** The remote parent an X-Ray header names: trace id = Root less `1-` and dashes, span id = Parent. */
export function xrayParentContext(header: string): Context {
  const field = (name: string): string => {
    const part = header.split(';').find((p) => p.trim().startsWith(`${name}=`));
    if (part === undefined) throw new Error(`no ${name} in the X-Ray header ${header}`);
    return part.trim().slice(name.length + 1);
  };
  const traceId = field('Root').slice(2).replaceAll('-', '');
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: field('Parent'), traceFlags: TraceFlags.SAMPLED, isRemote: true });
}

type Exporting = { export: (items: never, cb: (result: ExportResult) => void) => void };

/** `exporter`, with the result of each of its exports pushed to `into`. */
function recording<T extends Exporting>(exporter: T, into: ExportResultCode[]): T {
  const original = exporter.export.bind(exporter) as (items: unknown, cb: (result: ExportResult) => void) => void;
  (exporter as unknown as { export: (items: unknown, cb: (result: ExportResult) => void) => void }).export = (items, cb) =>
    original(items, (result) => {
      into.push(result.code);
      cb(result);
    });
  return exporter;
}

async function timed(into: number[], flush: () => Promise<void>): Promise<void> {
  const startedMs = performance.now();
  await flush();
  into.push(performance.now() - startedMs);
}

/** Sets up the function's telemetry: `receiverUrl` is the layer's local receiver (`http://127.0.0.1:PORT`), `mirrorUrl` a test receiver of its own. */
export function createFunctionTelemetry(receiverUrl: string, mirrorUrl: string): FunctionTelemetry {
  const results: FunctionTelemetry['results'] = { traces: [], metrics: [], logs: [] };
  const flushMs: FunctionTelemetry['flushMs'] = { traces: [], metrics: [], logs: [] };
  const resource = resourceFromAttributes({ 'service.name': FUNCTION_SERVICE });
  const memory = new InMemorySpanExporter();
  const batch = { scheduledDelayMillis: NEVER_MS, maxExportBatchSize: 512 };
  const tracerProvider = new TracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor({ exporter: recording(new OTLPTraceExporter({ url: `${receiverUrl}/v1/traces` }), results.traces), ...batch }),
      new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${mirrorUrl}/v1/traces` }), ...batch }),
      new SimpleSpanProcessor({ exporter: memory }),
    ],
  });
  const metricExporter = recording(new OTLPMetricExporter({ url: `${receiverUrl}/v1/metrics`, temporalityPreference: AggregationTemporalityPreference.DELTA }), results.metrics);
  const meterProvider = new MeterProvider({ resource, readers: [new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: NEVER_MS })] });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor({ exporter: recording(new OTLPLogExporter({ url: `${receiverUrl}/v1/logs` }), results.logs), ...batch })],
  });
  const tracer = tracerProvider.getTracer(FUNCTION_SCOPE);
  const counter = meterProvider.getMeter(FUNCTION_SCOPE).createCounter(FUNCTION_COUNTER, { unit: '{order}' });
  const logger = loggerProvider.getLogger(FUNCTION_SCOPE);
  let kept: ReadableSpan[] | null = null;

  return {
    async handle({ requestId, traceHeader }, n) {
      const parent = traceHeader === null ? ROOT_CONTEXT : xrayParentContext(traceHeader);
      const root = tracer.startSpan('handle order', { kind: SpanKind.SERVER, attributes: { 'faas.invocation_id': requestId, 'order.n': n } }, parent);
      const inRoot = trace.setSpan(parent, root);
      const child = tracer.startSpan('price order', { kind: SpanKind.INTERNAL, attributes: { 'order.n': n } }, inRoot);
      // The function's work. The layer's receiver listens from the first INVOKE on, within some 15 ms.
      await sleep(WORK_MS);
      child.end();
      counter.add(n, { 'order.kind': 'book' });
      logger.emit({ context: inRoot, severityText: 'INFO', severityNumber: 9, body: `order ${n} placed`, attributes: { 'order.n': n } });
      root.end();
      await Promise.all([
        timed(flushMs.traces, () => tracerProvider.forceFlush()),
        timed(flushMs.metrics, () => meterProvider.forceFlush()),
        timed(flushMs.logs, () => loggerProvider.forceFlush()),
      ]);
    },
    finished: () => kept ?? memory.getFinishedSpans(),
    results,
    flushMs,
    async shutdown() {
      // The in-memory exporter forgets its spans when shut down.
      kept = memory.getFinishedSpans().slice();
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]);
    },
  };
}

export { ExportResultCode };

/**
 * The simulated function of the relay benchmark (relay.ts), a child process in the layer's
 * memory cgroup (on Lambda the function and its extensions share one memory limit). It uses
 * the OpenTelemetry SDK as a function would: a TracerProvider with a BatchSpanProcessor in
 * front of the OTLP/HTTP protobuf exporter, sending to the layer's local receiver, and a
 * `forceFlush()` at the end of each request, which is what a handler waits for before it
 * returns.
 *
 * Usage: `relay-function.ts <receiver url> <spans per request>`. It prints `ready`, then answers
 * each request id read on stdin with one JSON line: {@link FunctionAnswer}.
 */
import { createInterface } from 'node:readline';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** What the function tells the benchmark about one request. */
export interface FunctionAnswer {
  readonly requestId: string;
  /** Wall time of `forceFlush()`, the export as the function sees it, in ms. */
  readonly exportMs: number;
  /** Null when the export succeeded, else why it failed. */
  readonly error: string | null;
  /** Hex span ids: the root span first, then its children. */
  readonly spanIds: readonly string[];
}

/** The attribute the layer joins a root span to its invocation by (OpenTelemetry's Lambda instrumentation sets it). */
const INVOCATION_ID = 'faas.invocation_id';
/** Exports come from forceFlush only, never from the processor's timer. */
const NEVER_MS = 3_600_000;

const [url = '', spansText = '10'] = process.argv.slice(2);
const spansPerRequest = Number(spansText);
let lastResult: ExportResult | null = null;

function exporterTo(url: string): SpanExporter {
  const inner = new OTLPTraceExporter({ url });
  // Passes everything on; only notes the outcome, which forceFlush does not report.
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      inner.export(spans, (result) => {
        lastResult = result;
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  };
}

const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: exporterTo(url), scheduledDelayMillis: NEVER_MS })] });
const tracer = provider.getTracer('bench-function', '1.0.0');

/** One request's spans: a SERVER root with the request id, and its children, ended. */
function handle(requestId: string): string[] {
  const root = tracer.startSpan('GET /orders/{id}', {
    kind: SpanKind.SERVER,
    attributes: { [INVOCATION_ID]: requestId, 'http.request.method': 'GET', 'http.route': '/orders/{id}', 'url.path': '/orders/42' },
  });
  const parent = trace.setSpan(context.active(), root);
  const ids = [root.spanContext().spanId];
  for (let i = 1; i < spansPerRequest; i++) {
    const child = tracer.startSpan(
      i % 3 === 0 ? 'GET' : 'SELECT orders',
      {
        kind: SpanKind.CLIENT,
        attributes: i % 3 === 0 ? { 'http.request.method': 'GET', 'server.address': 'inventory.internal', 'http.response.status_code': 200 } : { 'db.system.name': 'postgresql', 'db.query.text': 'SELECT * FROM orders WHERE id = $1', 'db.namespace': 'shop' },
      },
      parent,
    );
    ids.push(child.spanContext().spanId);
    child.end();
  }
  root.setAttribute('http.response.status_code', 200);
  root.end();
  return ids;
}

async function answer(requestId: string): Promise<FunctionAnswer> {
  const spanIds = handle(requestId);
  lastResult = null;
  const startedAt = performance.now();
  await provider.forceFlush();
  const exportMs = performance.now() - startedAt;
  const result = lastResult as ExportResult | null;
  const error = result === null ? 'no export' : result.code === ExportResultCode.SUCCESS ? null : String(result.error ?? 'export failed');
  return { requestId, exportMs, error, spanIds };
}

const lines = createInterface({ input: process.stdin });
let chain = Promise.resolve();
lines.on('line', (requestId) => {
  chain = chain
    .then(() => answer(requestId))
    .catch((error: unknown): FunctionAnswer => ({ requestId, exportMs: Number.NaN, error: String(error), spanIds: [] }))
    .then((reply) => void process.stdout.write(`${JSON.stringify(reply)}\n`));
});
lines.on('close', () => void chain.then(() => provider.shutdown()));
process.stdout.write('ready\n');

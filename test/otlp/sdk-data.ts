/**
 * Real SDK telemetry for the codec tests: spans, metrics and log records made by the official
 * OpenTelemetry SDK, with the attribute kinds, events, links, statuses and instrument kinds an
 * instrumented function produces.
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

const resource = resourceFromAttributes({ 'service.name': 'codec-test', 'cloud.provider': 'aws', 'process.pid': 42 });
const attributes = { str: 'text é ✓', int: 7, double: 0.5, bool: false, strings: ['a', 'b'], ints: [1, 2, 3], empty: '' };

/** `count` spans in one trace: a server root, its children with events, links and statuses. */
export async function sdkSpans(count: number): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('codec-test', '1.0.0');
  const root = tracer.startSpan('GET /orders', { kind: SpanKind.SERVER, attributes, startTime: [1_700_000_000, 123_456_789] });
  const parent = trace.setSpan(context.active(), root);
  for (let i = 1; i < count; i++) {
    const child = tracer.startSpan(`child ${i}`, { kind: i % 2 === 0 ? SpanKind.CLIENT : SpanKind.INTERNAL, attributes: { ...attributes, index: i }, links: i % 3 === 0 ? [{ context: root.spanContext(), attributes: { link: i } }] : [] }, parent);
    child.addEvent('step', { at: i }, [1_700_000_000, 200_000_000 + i]);
    if (i % 4 === 0) child.setStatus({ code: SpanStatusCode.ERROR, message: `failure ${i}` });
    else child.setStatus({ code: SpanStatusCode.OK });
    child.end([1_700_000_001, i]);
  }
  root.end([1_700_000_002, 987_654_321]);
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

class CollectingReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** One collection of every instrument kind: counter, up-down counter, gauge, histogram, exponential histogram, observable gauge. */
export async function sdkMetrics(): Promise<ResourceMetrics> {
  const reader = new CollectingReader();
  const provider = new MeterProvider({
    resource,
    readers: [reader],
    views: [{ instrumentName: 'exponential', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter('codec-test', '1.0.0');
  meter.createCounter('requests', { unit: '1', description: 'requests served' }).add(3, { route: '/orders' });
  meter.createUpDownCounter('in_flight').add(-2);
  meter.createGauge('temperature', { unit: 'Cel' }).record(21.5, { room: 'a' });
  const histogram = meter.createHistogram('duration', { unit: 'ms' });
  for (const value of [0.5, 12, 250, 9000]) histogram.record(value, { route: '/orders' });
  const exponential = meter.createHistogram('exponential');
  for (const value of [0, 1, 3, 7, 1e6]) exponential.record(value);
  meter.createObservableGauge('heap').addCallback((result) => result.observe(123_456_789_012, { kind: 'used' }));
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return resourceMetrics;
}

/** Log records of each body kind and severity, some within a span. */
export async function sdkLogs(): Promise<ReadableLogRecord[]> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('codec-test', '1.0.0');
  const spanContext = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', traceFlags: 1 };
  const inSpan = trace.setSpanContext(context.active(), spanContext);
  logger.emit({ body: 'plain text', severityNumber: 9, severityText: 'INFO', attributes, timestamp: [1_700_000_000, 123_456_789] });
  logger.emit({ body: { message: 'structured', nested: { n: 1 } }, severityNumber: 17, context: inSpan, eventName: 'order.failed' });
  logger.emit({ body: 42.5, attributes: { bytes: new Uint8Array([1, 2, 3]) } });
  await provider.forceFlush();
  const records = exporter.getFinishedLogRecords();
  await provider.shutdown();
  return records;
}

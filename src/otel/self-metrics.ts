/**
 * The extension's own health as OpenTelemetry metrics under `lambda_otel.`: what it took in,
 * what it exported, what it dropped, failed exports and flush durations. Observable counters
 * read the counters the pipeline keeps anyway, at each collection.
 */
import type { Meter } from '@opentelemetry/api';
import type { IntakeStats } from '../lambda/listener.ts';
import type { ReceiverStats } from '../otlp/receiver.ts';
import type { Relay } from './relay.ts';
import type { RetainingStats } from './retaining-exporter.ts';

export interface SelfMetricSources {
  readonly intake: () => IntakeStats;
  readonly spans: () => RetainingStats;
  readonly spansRefusedQueueFull: () => number;
  readonly logRecords: () => RetainingStats;
  readonly logRecordsRefusedQueueFull: () => number;
  readonly metricPointsDropped: () => number;
  /** The relay of the function's own telemetry, once it took a request. */
  readonly relay: () => Pick<Relay, 'stats' | 'joins'> | null;
  readonly receiver: () => ReceiverStats | null;
}

const RELAYED = [
  { signal: 'traces', name: 'spans', unit: '{span}', what: 'spans' },
  { signal: 'metrics', name: 'metric_points', unit: '{point}', what: 'metric points' },
  { signal: 'logs', name: 'log_records', unit: '{record}', what: 'log records' },
] as const;

export interface SelfMetrics {
  /** Records how long one flush (all signals) took, in ms. */
  flushed(durationMs: number): void;
}

export function createSelfMetrics(meter: Meter, sources: SelfMetricSources): SelfMetrics {
  // `read` gives undefined while there is nothing to count (no point is exported then).
  const counter = (name: string, unit: string, description: string, read: () => number | undefined): void => {
    meter.createObservableCounter(name, { unit, description }).addCallback((result) => {
      const value = read();
      if (value !== undefined) result.observe(value);
    });
  };
  counter('lambda_otel.events.received', '{event}', 'Telemetry API events handed to the pipeline.', () => sources.intake().events);
  counter('lambda_otel.events.rejected', '{event}', 'Telemetry API items or bodies refused as invalid.', () => sources.intake().rejected);
  counter('lambda_otel.spans.exported', '{span}', 'Spans the backend accepted.', () => sources.spans().exported);
  counter('lambda_otel.spans.dropped', '{span}', 'Spans dropped: queue full, over the retention bound, or refused as invalid.', () => {
    const s = sources.spans();
    return s.droppedOverflow + s.droppedRefused + sources.spansRefusedQueueFull();
  });
  counter('lambda_otel.log_records.exported', '{record}', 'Log records the backend accepted.', () => sources.logRecords().exported);
  counter('lambda_otel.log_records.dropped', '{record}', 'Log records dropped: queue full, over the retention bound, or refused as invalid.', () => {
    const s = sources.logRecords();
    return s.droppedOverflow + s.droppedRefused + sources.logRecordsRefusedQueueFull();
  });
  counter('lambda_otel.metric_points.dropped', '{point}', 'Metric points dropped: over the retention bound or refused as invalid.', sources.metricPointsDropped);
  counter('lambda_otel.exports.failed', '{export}', 'Exports of spans or log records that failed (their data is retained).', () => sources.spans().failedExports + sources.logRecords().failedExports);
  for (const { signal, name, unit, what } of RELAYED) {
    const stats = () => sources.relay()?.stats(signal);
    counter(`lambda_otel.relay.${name}.received`, unit, `The function's own ${what} taken by the local OTLP receiver.`, () => stats()?.received);
    counter(`lambda_otel.relay.${name}.exported`, unit, `The function's own ${what} the backend accepted.`, () => stats()?.exported);
    counter(`lambda_otel.relay.${name}.dropped`, unit, `The function's own ${what} dropped: refused to the function while the relay was full, refused by the backend as invalid, or over the retention bound.`, () => {
      const s = stats();
      return s === undefined ? undefined : s.refused + s.dropped;
    });
  }
  counter('lambda_otel.relay.requests.refused', '{request}', 'Requests to the local OTLP receiver refused as malformed, too large or of an unsupported type.', () => sources.receiver()?.refused);
  counter('lambda_otel.relay.roots.unjoined', '{span}', 'Root spans of the function that could not be joined to their invocation span.', () => sources.relay()?.joins().unjoined);
  const flushDuration = meter.createHistogram('lambda_otel.flush.duration', {
    unit: 'ms',
    description: 'Duration of one flush of every signal.',
    advice: { explicitBucketBoundaries: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] },
  });
  return { flushed: (durationMs) => flushDuration.record(durationMs) };
}

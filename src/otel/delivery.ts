/**
 * Where finished telemetry waits and how it leaves. Spans and log records wait in bounded export
 * queues, each in front of a retaining exporter (what a down backend does not take is kept for
 * the next export, up to a bound); metric points wait in the metric buffer. `exportAll` sends
 * everything pending, and `pendingBytes` estimates what waits, for the bytes threshold.
 */
import type { InstrumentationScope } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { Logger } from '../util/logger.ts';
import type { OtelConfig } from './config.ts';
import { createExportQueue } from './export-queue.ts';
import type { ExportQueue } from './export-queue.ts';
import type { Exporters } from './exporters.ts';
import type { GaugeSeries } from './gauge-series.ts';
import { createMetricBuffer } from './metric-buffer.ts';
import type { MetricBuffer } from './metric-buffer.ts';
import { createRetainingExporter } from './retaining-exporter.ts';
import type { RetainingExporter } from './retaining-exporter.ts';

/**
 * Spans that may wait for export at once: two max-size Telemetry API batches of invocations
 * (up to 3 333 each, four spans apiece) arriving faster than the backend takes them.
 */
const SPAN_QUEUE_RESERVE = 32_768;
/** Log records per export request. */
const LOG_EXPORT_BATCH = 512;
/** Rough OTLP protobuf sizes, measured on this pipeline's output, for the bytes threshold. */
const ESTIMATED_SPAN_BYTES = 300;
const ESTIMATED_POINT_BYTES = 90;

/** How one signal leaves: its queue, and the exporter behind it. */
export interface SignalOutlet<T> {
  readonly queue: ExportQueue<T>;
  readonly exporter: RetainingExporter<T>;
}

export interface Delivery {
  readonly spans: SignalOutlet<ReadableSpan>;
  readonly logRecords: SignalOutlet<ReadableLogRecord>;
  readonly metrics: MetricBuffer;
  /** Counts log records just queued, by their estimated size on the wire (bytes). */
  addLogBytes(bytes: number): void;
  /** Estimated OTLP bytes waiting: queued spans, pending metric points, log records since the last export. */
  pendingBytes(): number;
  /**
   * Collects the metrics and exports everything pending, the three signals at once; what a
   * down backend left retained goes again once it took this export.
   */
  exportAll(): Promise<void>;
}

export interface DeliveryOptions {
  readonly config: Pick<OtelConfig, 'retainItems' | 'flushSpans' | 'flushPoints' | 'logQueue'>;
  readonly exporters: Exporters;
  /** The per-invocation gauge points, exported with the metrics under `gaugeScope`. */
  readonly gauges: Pick<GaugeSeries<string>, 'count' | 'take'>;
  readonly gaugeScope: InstrumentationScope;
  readonly logger: Logger;
}

export function createDelivery({ config, exporters, gauges, gaugeScope, logger }: DeliveryOptions): Delivery {
  const spanExporter = createRetainingExporter(exporters.traces, { maxItems: config.retainItems, batchSize: config.flushSpans });
  const logExporter = createRetainingExporter(exporters.logs, { maxItems: config.retainItems, batchSize: LOG_EXPORT_BATCH });
  const spanQueue = createExportQueue(spanExporter, { capacity: Math.max(config.flushSpans * 4, SPAN_QUEUE_RESERVE), batchSize: config.flushSpans });
  const logQueue = createExportQueue(logExporter, { capacity: config.logQueue, batchSize: LOG_EXPORT_BATCH });
  const metrics = createMetricBuffer({ exporter: exporters.metrics, gauges, gaugeScope, maxRetainedPoints: config.retainItems, batchPoints: config.flushPoints });
  let pendingLogBytes = 0;

  return {
    spans: { queue: spanQueue, exporter: spanExporter },
    logRecords: { queue: logQueue, exporter: logExporter },
    metrics,
    addLogBytes(bytes) {
      pendingLogBytes += bytes;
    },
    pendingBytes: () => spanQueue.length * ESTIMATED_SPAN_BYTES + metrics.pendingPoints() * ESTIMATED_POINT_BYTES + pendingLogBytes,
    async exportAll() {
      await metrics.collect();
      pendingLogBytes = 0;
      const [, result] = await Promise.all([
        // What a down backend left retained goes again only once the backend took this flush.
        spanQueue.flush().then((ok) => (ok ? spanExporter.retryRetained() : undefined)),
        metrics.export(),
        logQueue.flush().then((ok) => (ok ? logExporter.retryRetained() : undefined)),
      ]);
      if (result.code !== 0) logger.warn('metrics export failed; kept for the next export', { cause: result.error?.message });
    },
  };
}

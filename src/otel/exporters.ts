/**
 * The official OTLP/HTTP exporters, protobuf by default or JSON per
 * `OTEL_EXPORTER_OTLP_[TRACES_|METRICS_|LOGS_]PROTOCOL`. Endpoint, headers, compression and timeout
 * come from the standard `OTEL_EXPORTER_OTLP_*` variables, read by the exporters themselves from
 * `process.env`, where the processor's init put the values the extension goes by (`otel-env.ts`).
 */
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { OtelConfig } from './config.ts';
import type { RelayExporters } from './relay-exporter.ts';
import { sendOncePerExport } from './single-attempt.ts';

export interface Exporters {
  readonly traces: SpanExporter;
  readonly metrics: PushMetricExporter;
  readonly logs: LogRecordExporter;
  /** For the function's relayed telemetry; default: the OTLP relay exporters (relay-exporter.ts). */
  readonly relay?: RelayExporters;
}

/** The exporters, each sending one request per export: retries are the pipeline's (single-attempt.ts). */
export function createExporters(config: Pick<OtelConfig, 'tracesProtocol' | 'metricsProtocol' | 'logsProtocol'>): Exporters {
  const once = <T extends object>(exporter: T): T => {
    sendOncePerExport(exporter);
    return exporter;
  };
  return {
    traces: once(config.tracesProtocol === 'http/json' ? new JsonTraceExporter() : new ProtoTraceExporter()),
    metrics: once(config.metricsProtocol === 'http/json' ? new JsonMetricExporter() : new ProtoMetricExporter()),
    logs: once(config.logsProtocol === 'http/json' ? new JsonLogExporter() : new ProtoLogExporter()),
  };
}

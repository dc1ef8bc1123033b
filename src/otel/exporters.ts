/**
 * The official OTLP/HTTP exporters, protobuf by default or JSON per
 * `OTEL_EXPORTER_OTLP_[TRACES_|METRICS_]PROTOCOL`. Endpoint, headers, compression and timeout
 * come from the standard `OTEL_EXPORTER_OTLP_*` variables, read by the exporters themselves.
 */
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { OtelConfig } from '../config.ts';

export interface Exporters {
  readonly traces: SpanExporter;
  readonly metrics: PushMetricExporter;
}

export function createExporters(config: Pick<OtelConfig, 'tracesProtocol' | 'metricsProtocol'>): Exporters {
  return {
    traces: config.tracesProtocol === 'http/json' ? new JsonTraceExporter() : new ProtoTraceExporter(),
    metrics: config.metricsProtocol === 'http/json' ? new JsonMetricExporter() : new ProtoMetricExporter(),
  };
}

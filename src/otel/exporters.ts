/**
 * The official OTLP/HTTP exporters, protobuf by default or JSON per
 * `OTEL_EXPORTER_OTLP_[TRACES_|METRICS_|LOGS_]PROTOCOL`. Endpoint, headers, compression and timeout
 * come from the standard `OTEL_EXPORTER_OTLP_*` variables, read by the exporters themselves from
 * `process.env`, where the processor's init put the values the extension goes by (`otel-env.ts`).
 * In protobuf, spans and log records are encoded by our encoders (protobuf-spans.ts,
 * protobuf-logs.ts: the busiest path of the extension, in one pass) and sent by the SDK's
 * transport, as its protobuf exporters are built; metrics keep the SDK's encoder.
 */
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { LogsExporterMetricsHelper, ProtobufLogsSerializer, ProtobufTraceSerializer, TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { IExporterMetricsHelper, ISerializer } from '@opentelemetry/otlp-transformer';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { encodeLogsRequest } from './protobuf-logs.ts';
import { encodeTraceRequest } from './protobuf-spans.ts';
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
    traces: once(config.tracesProtocol === 'http/json' ? new JsonTraceExporter() : protobufTraceExporter()),
    metrics: once(config.metricsProtocol === 'http/json' ? new JsonMetricExporter() : new ProtoMetricExporter()),
    logs: once(config.logsProtocol === 'http/json' ? new JsonLogExporter() : protobufLogExporter()),
  };
}

/** Where a signal's exports go: its `OTEL_EXPORTER_OTLP_<IDENTIFIER>_*` variables and default path. */
const OTLP_TARGETS = {
  traces: { identifier: 'TRACES', path: 'v1/traces' },
  metrics: { identifier: 'METRICS', path: 'v1/metrics' },
  logs: { identifier: 'LOGS', path: 'v1/logs' },
} as const;

/**
 * An exporter built as the SDK builds its OTLP/HTTP ones, around a serializer of ours: the SDK's
 * transport, retries, timeout, compression, headers and `OTEL_EXPORTER_OTLP_*` configuration.
 */
export function otlpHttpExporter<T>(
  signal: keyof typeof OTLP_TARGETS,
  contentType: string,
  serializer: ISerializer<T, unknown>,
  componentType: string,
  metricsHelper: IExporterMetricsHelper<T>,
): OTLPExporterBase<T> {
  const { identifier, path } = OTLP_TARGETS[signal];
  const options = convertLegacyHttpOptions({}, identifier, path, { 'Content-Type': contentType });
  return new OTLPExporterBase<T>(createOtlpHttpExportDelegate(options, serializer, componentType, metricsHelper, undefined));
}

const PROTOBUF = 'application/x-protobuf';

/** `@opentelemetry/exporter-trace-otlp-proto`'s exporter, with our encoder. */
function protobufTraceExporter(): SpanExporter {
  const serializer = { serializeRequest: encodeTraceRequest, deserializeResponse: ProtobufTraceSerializer.deserializeResponse };
  return otlpHttpExporter<ReadableSpan[]>('traces', PROTOBUF, serializer, 'otlp_http_span_exporter', TraceExporterMetricsHelper);
}

/** `@opentelemetry/exporter-logs-otlp-proto`'s exporter, with our encoder. */
function protobufLogExporter(): LogRecordExporter {
  const serializer = { serializeRequest: encodeLogsRequest, deserializeResponse: ProtobufLogsSerializer.deserializeResponse };
  return otlpHttpExporter<ReadableLogRecord[]>('logs', PROTOBUF, serializer, 'otlp_http_log_exporter', LogsExporterMetricsHelper);
}

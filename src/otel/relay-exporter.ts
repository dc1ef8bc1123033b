/**
 * Exporters of what the function sent to the local receiver. Each relayed request is kept as
 * its OTLP protobuf encoding; an export sends a batch of them as one request through the
 * SDK's OTLP/HTTP transport (the same endpoint, headers, compression, timeout and
 * `OTEL_EXPORTER_OTLP_*` configuration as our own telemetry, one attempt per export as in
 * exporters.ts). In protobuf, a batch is the concatenation of its requests: protobuf appends
 * the repeated `resource_*` fields of concatenated messages, so nothing is decoded again. In
 * JSON (`http/json`), the batch is decoded and written as OTLP/JSON.
 */
import type { OtlpSignal } from '../otlp/codec.ts';
import { loadedCodec } from '../otlp/lazy-codec.ts';
import type { OtlpProtocol } from './config.ts';
import { otlpHttpExporter } from './exporters.ts';
import type { ArrayExporter } from './retaining-exporter.ts';
import { sendOncePerExport } from './single-attempt.ts';

/** One relayed export request of the function, as protobuf, with how many spans, points or records it holds. */
export interface RelayItem {
  readonly bytes: Uint8Array;
  readonly items: number;
}

export type RelayExporters = Readonly<Record<OtlpSignal, ArrayExporter<RelayItem>>>;

/** What the SDK's exporter metrics count a signal's items as. */
const UNITS = { traces: 'span', metrics: 'metric_data_point', logs: 'log' } as const satisfies Record<OtlpSignal, string>;

export function createRelayExporters(protocols: Readonly<Record<OtlpSignal, OtlpProtocol>>): RelayExporters {
  return {
    traces: createRelayExporter('traces', protocols.traces),
    metrics: createRelayExporter('metrics', protocols.metrics),
    logs: createRelayExporter('logs', protocols.logs),
  };
}

function createRelayExporter(signal: OtlpSignal, protocol: OtlpProtocol): ArrayExporter<RelayItem> {
  const json = protocol === 'http/json';
  const serializer = {
    serializeRequest(batch: RelayItem[]): Uint8Array {
      const codec = loadedCodec();
      const merged = codec.concatRequests(batch.map((item) => item.bytes));
      return json ? new TextEncoder().encode(codec.toJson(signal, codec.decode(signal, merged))) : merged;
    },
    // The backend's partial-success answer is not acted on: what it refused, it will refuse again.
    deserializeResponse: (): Record<string, never> => ({}),
  };
  const metricsHelper = { name: UNITS[signal], countItems: (batch: RelayItem[]) => batch.reduce((sum, item) => sum + item.items, 0) };
  const exporter = otlpHttpExporter<RelayItem[]>(signal, json ? 'application/json' : 'application/x-protobuf', serializer, `lambda_otel_relay_${signal}`, metricsHelper);
  sendOncePerExport(exporter);
  return exporter;
}

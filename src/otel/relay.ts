/**
 * The relay of the function's own telemetry, taken in by the local OTLP receiver: each request
 * (its spans joined to their invocations first, see trace-join.ts) waits in an export queue of
 * its signal in front of a retaining exporter, as our own spans and log records do, and leaves
 * with every flush of the pipeline: before the freeze in `end` mode, on the timer on Managed
 * Instances, and at SHUTDOWN. The function never waits for the backend: a request is taken or,
 * when its signal already holds {@link RELAY_MAX_HELD_BYTES} (a backend down for long), refused
 * at once as a partial success, and counted.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportTraceRequest, OtlpRequest, OtlpResult, OtlpSignal } from '../otlp/codec.ts';
import type { OtlpCodec } from '../otlp/lazy-codec.ts';
import { createExportQueue } from './export-queue.ts';
import type { ExportQueue } from './export-queue.ts';
import type { InvocationContexts } from './invocation-context.ts';
import type { RelayExporters, RelayItem } from './relay-exporter.ts';
import { createRetainingExporter } from './retaining-exporter.ts';
import type { ArrayExporter, RetainingExporter } from './retaining-exporter.ts';
import { RELAY_MAX_HELD_BYTES } from './receiver-config.ts';
import { joinInvocations } from './trace-join.ts';
import type { JoinResult } from './trace-join.ts';

/** The function's requests per export request (and at most {@link RELAY_MAX_HELD_BYTES}). */
const RELAY_BATCH_REQUESTS = 16;
/** Requests one signal's queue and retention hold at most; the bytes bound usually comes first. */
const RELAY_MAX_REQUESTS = 4096;

export const RELAY_SIGNALS: readonly OtlpSignal[] = ['traces', 'metrics', 'logs'];

/** Counted in spans, metric points or log records. */
export interface RelaySignalStats {
  /** Taken from the function. */
  readonly received: number;
  /** Refused to the function at once (partial success): the relay held its bound. */
  readonly refused: number;
  readonly exported: number;
  /** Taken, then dropped: refused by the backend as invalid, or over the retention bound. */
  readonly dropped: number;
}

export interface Relay {
  /** Takes one decoded request of the function; answers at once. */
  accept(signal: OtlpSignal, request: OtlpRequest, protobuf: Uint8Array | null, codec: OtlpCodec): OtlpResult;
  /** Exports what is queued, then what a down backend left retained once it took that; never rejects. */
  flush(): Promise<void>;
  stats(signal: OtlpSignal): RelaySignalStats;
  /** Of one signal: spans, points or records taken and not delivered yet, or refused or dropped. */
  undelivered(signal: OtlpSignal): number;
  joins(): JoinResult;
}

export interface RelayOptions {
  readonly exporters: RelayExporters;
  readonly contexts: Pick<InvocationContexts, 'adopt'>;
  /** Join the function's spans to their invocations (`LAMBDA_OTEL_RELAY_JOIN_TRACES`). */
  readonly joinTraces: boolean;
  /** Called after a request was taken: there is something to export. */
  readonly onAccepted: () => void;
  readonly maxHeldBytes?: number;
}

interface Lane {
  readonly queue: ExportQueue<RelayItem>;
  readonly exporter: RetainingExporter<RelayItem>;
  received: number;
  refused: number;
  exported: number;
  dropped: number;
  heldBytes: number;
}

const weigh = (items: readonly RelayItem[]): number => items.reduce((sum, item) => sum + item.items, 0);
const bytesOf = (items: readonly RelayItem[]): number => items.reduce((sum, item) => sum + item.bytes.byteLength, 0);

export function createRelay(options: RelayOptions): Relay {
  const maxHeldBytes = options.maxHeldBytes ?? RELAY_MAX_HELD_BYTES;
  let joined = 0;
  let unjoined = 0;

  function lane(inner: ArrayExporter<RelayItem>): Lane {
    const counting: ArrayExporter<RelayItem> = {
      export(items, resultCallback) {
        inner.export(items, (result) => {
          if (result.code === ExportResultCode.SUCCESS) {
            self.exported += weigh(items);
            self.heldBytes -= bytesOf(items);
          }
          resultCallback(result);
        });
      },
      shutdown: () => inner.shutdown(),
    };
    const exporter = createRetainingExporter(counting, {
      maxItems: RELAY_MAX_REQUESTS,
      batchSize: RELAY_BATCH_REQUESTS,
      onDropped: (items) => {
        self.dropped += weigh(items);
        self.heldBytes -= bytesOf(items);
      },
    });
    const queue = createExportQueue(exporter, { capacity: RELAY_MAX_REQUESTS, batchSize: RELAY_BATCH_REQUESTS });
    const self: Lane = { queue, exporter, received: 0, refused: 0, exported: 0, dropped: 0, heldBytes: 0 };
    return self;
  }

  const lanes: Record<OtlpSignal, Lane> = {
    traces: lane(options.exporters.traces),
    metrics: lane(options.exporters.metrics),
    logs: lane(options.exporters.logs),
  };

  return {
    accept(signal, request, protobuf, codec) {
      const items = codec.countItems(signal, request);
      if (items === 0) return { rejected: 0 };
      let bytes = protobuf;
      if (signal === 'traces' && options.joinTraces) {
        const result = joinInvocations(request as ExportTraceRequest, options.contexts);
        joined += result.joined;
        unjoined += result.unjoined;
        if (result.joined > 0) bytes = null;
      }
      bytes ??= codec.encode(signal, request);
      const target = lanes[signal];
      // push refuses once the queue holds its capacity.
      if (target.heldBytes + bytes.byteLength > maxHeldBytes || !target.queue.push({ bytes, items })) {
        target.refused += items;
        return { rejected: items, errorMessage: 'the extension holds as much of the function\'s telemetry as it may while the backend does not take it; these items were dropped' };
      }
      target.received += items;
      target.heldBytes += bytes.byteLength;
      options.onAccepted();
      return { rejected: 0 };
    },

    async flush() {
      await Promise.all(
        RELAY_SIGNALS.map(async (signal) => {
          const { queue, exporter } = lanes[signal];
          if (await queue.flush()) await exporter.retryRetained();
        }),
      );
    },

    stats(signal) {
      const { received, refused, exported, dropped } = lanes[signal];
      return { received, refused, exported, dropped };
    },

    undelivered(signal) {
      const { received, refused, exported } = lanes[signal];
      return refused + received - exported;
    },

    joins: () => ({ joined, unjoined }),
  };
}

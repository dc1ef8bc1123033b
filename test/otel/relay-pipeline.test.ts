/**
 * The relay inside the pipeline: the function's requests leave with the pipeline's exports,
 * and a backend refusing them (503) backs off like our own and is tried again at SHUTDOWN.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTEL_DEFAULTS } from '../../src/otel/config.ts';
import { createOtelPipeline } from '../../src/otel/pipeline.ts';
import type { RelayItem } from '../../src/otel/relay-exporter.ts';
import * as codec from '../../src/otlp/codec.ts';
import { createLogger } from '../../src/util/logger.ts';

const accepting = () => ({ export: (_items: unknown[], done: (result: ExportResult) => void) => done({ code: ExportResultCode.SUCCESS }), shutdown: () => Promise.resolve(), forceFlush: () => Promise.resolve() });

describe('otel pipeline: the relay', () => {
  it('a backend refusing the function\'s spans with 503 backs every flush off, and SHUTDOWN sends them once it takes them', async () => {
    let refusals = 1;
    const sent: RelayItem[][] = [];
    const relayTraces = {
      export(items: RelayItem[], done: (result: ExportResult) => void) {
        sent.push(items);
        if (refusals-- > 0) done({ code: ExportResultCode.FAILED, error: Object.assign(new Error('unavailable'), { code: 503 }) });
        else done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: () => Promise.resolve(),
    };
    const pipeline = createOtelPipeline({
      registration: { extensionName: 'lambda-telemetry-otel', functionName: 'relay-fn', functionVersion: '$LATEST', accountId: '123456789012' },
      config: { ...OTEL_DEFAULTS, flush: { kind: 'shutdown' } },
      logger: createLogger('test', 'error'),
      platformSubscribed: true,
      exporters: { traces: accepting(), metrics: { ...accepting(), selectAggregationTemporality: () => 0 } as never, logs: accepting(), relay: { traces: relayTraces, metrics: accepting(), logs: accepting() } },
    });
    const body = codec.encode('traces', { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: new Uint8Array(16).fill(7), spanId: new Uint8Array(8).fill(7), name: 'handler' }] }] }] });
    assert.deepEqual(pipeline.relay('traces', codec.decode('traces', body), body, codec), { rejected: 0 });

    await pipeline.shutdown(Date.now() + 3000);
    assert.equal(sent.length, 2, 'refused once, sent again after the backoff within the SHUTDOWN deadline');
    assert.deepEqual(sent[1], sent[0]);
  });
});

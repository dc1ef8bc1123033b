import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { createInvocationContexts } from '../../src/otel/invocation-context.ts';
import { createRelay } from '../../src/otel/relay.ts';
import type { RelayExporters, RelayItem } from '../../src/otel/relay-exporter.ts';
import type { ArrayExporter } from '../../src/otel/retaining-exporter.ts';
import * as codec from '../../src/otlp/codec.ts';
import type { ExportTraceRequest } from '../../src/otlp/codec.ts';

/** An exporter answering from a list of results (default success), recording every batch. */
function scriptedExporter(results: ExportResult[] = []): ArrayExporter<RelayItem> & { batches: RelayItem[][] } {
  const batches: RelayItem[][] = [];
  return {
    batches,
    export(items, callback) {
      batches.push(items);
      callback(results.shift() ?? { code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => {},
  };
}

const failure = (code: number): ExportResult => ({ code: ExportResultCode.FAILED, error: Object.assign(new Error(`HTTP ${code}`), { code }) });

function traces(requestId: string, spans = 1): ExportTraceRequest {
  const list = Array.from({ length: spans }, (_, i) => ({
    traceId: new Uint8Array(16).fill(0xab),
    spanId: new Uint8Array(8).fill(i + 1),
    name: `span-${i}`,
    attributes: i === 0 ? [{ key: 'faas.invocation_id', value: { stringValue: requestId } }] : [],
  }));
  return codec.decode('traces', codec.encode('traces', { resourceSpans: [{ scopeSpans: [{ spans: list }] }] }));
}

function relayWith(exporters: Partial<RelayExporters>, options: { maxHeldBytes?: number; joinTraces?: boolean } = {}) {
  const all = { traces: scriptedExporter(), metrics: scriptedExporter(), logs: scriptedExporter(), ...exporters };
  const contexts = createInvocationContexts({ xrayContext: 'parent', xrayRespectSampled: true, maxEntries: 10 });
  let accepted = 0;
  const relay = createRelay({ exporters: all, contexts, joinTraces: options.joinTraces ?? true, maxHeldBytes: options.maxHeldBytes, onAccepted: () => accepted++ });
  return { relay, contexts, accepted: () => accepted };
}

describe('relay', () => {
  it('takes a request at once and exports it with the next flush, joined, counted in spans', async () => {
    const exporter = scriptedExporter();
    const { relay, contexts, accepted } = relayWith({ traces: exporter });
    const body = codec.encode('traces', traces('req-1', 3));
    assert.deepEqual(relay.accept('traces', codec.decode('traces', body), body, codec), { rejected: 0 });
    assert.equal(accepted(), 1);
    assert.equal(exporter.batches.length, 0, 'nothing leaves before a flush');
    await relay.flush();
    const sent = codec.decode('traces', codec.concatRequests(exporter.batches.flat().map((item) => item.bytes)));
    const spans = sent.resourceSpans[0]!.scopeSpans[0]!.spans;
    assert.equal(spans.length, 3);
    assert.equal(Buffer.from(spans[0]!.parentSpanId!).toString('hex'), contexts.of('req-1', undefined).spanId);
    assert.deepEqual(relay.stats('traces'), { received: 3, refused: 0, exported: 3, dropped: 0 });
    assert.equal(relay.undelivered('traces'), 0);
    assert.deepEqual(relay.joins(), { joined: 1, unjoined: 0 });
  });

  it('unchanged requests go on as the bytes that came; the join off leaves spans alone', async () => {
    const exporter = scriptedExporter();
    const { relay } = relayWith({ traces: exporter }, { joinTraces: false });
    const body = codec.encode('traces', traces('req-1'));
    relay.accept('traces', codec.decode('traces', body), body, codec);
    await relay.flush();
    assert.equal(exporter.batches[0]![0]!.bytes, body);
  });

  it('a down backend: kept and sent again once it takes a flush; a refused batch is dropped and counted', async () => {
    const exporter = scriptedExporter([failure(503), failure(503)]);
    const { relay } = relayWith({ metrics: scriptedExporter([failure(400)]), traces: exporter });
    const body = codec.encode('traces', traces('req-1', 2));
    relay.accept('traces', codec.decode('traces', body), body, codec);
    await relay.flush();
    assert.equal(relay.undelivered('traces'), 2);
    await relay.flush();
    assert.equal(relay.undelivered('traces'), 2, 'still down');
    await relay.flush();
    assert.deepEqual(relay.stats('traces'), { received: 2, refused: 0, exported: 2, dropped: 0 });
    const metrics = codec.fromJson('metrics', JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'm', gauge: { dataPoints: [{ asDouble: 1, timeUnixNano: '1' }] } }] }] }] }));
    relay.accept('metrics', metrics, null, codec);
    await relay.flush();
    assert.deepEqual(relay.stats('metrics'), { received: 1, refused: 0, exported: 0, dropped: 1 });
    assert.equal(relay.undelivered('metrics'), 1);
  });

  it('at its bytes bound it refuses new requests to the function as a partial success, and takes them again once delivered', async () => {
    const exporter = scriptedExporter([failure(503)]);
    const body = codec.encode('traces', traces('req-1', 2));
    const { relay } = relayWith({ traces: exporter }, { maxHeldBytes: body.byteLength * 2, joinTraces: false });
    for (let i = 0; i < 2; i++) assert.equal(relay.accept('traces', codec.decode('traces', body), body, codec).rejected, 0);
    await relay.flush();
    const answer = relay.accept('traces', codec.decode('traces', body), body, codec);
    assert.equal(answer.rejected, 2);
    assert.match(answer.errorMessage ?? '', /dropped/);
    assert.deepEqual(relay.stats('traces'), { received: 4, refused: 2, exported: 0, dropped: 0 });
    await relay.flush();
    assert.equal(relay.stats('traces').exported, 4);
    assert.equal(relay.accept('traces', codec.decode('traces', body), body, codec).rejected, 0);
    assert.equal(relay.undelivered('traces'), 2 + 2, 'the refused ones count as lost, the new one waits');
  });

  it('an empty request is answered and not queued', () => {
    const { relay, accepted } = relayWith({});
    assert.deepEqual(relay.accept('logs', { resourceLogs: [] }, new Uint8Array(), codec), { rejected: 0 });
    assert.equal(accepted(), 0);
  });
});

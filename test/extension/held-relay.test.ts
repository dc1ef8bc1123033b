/**
 * The function's requests that reach the local receiver before the first INVOKE loaded the
 * pipeline are held, within bounds (16 requests, 4 MiB), and refused as a partial success
 * beyond: a real receiver on a free port, requests from the function's side over HTTP.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOtelProcessor } from '../../src/extension/otel-processor.ts';
import * as codec from '../../src/otlp/codec.ts';
import type { RunContext } from '../../src/lifecycle/run.ts';
import { createLogger } from '../../src/util/logger.ts';
import { freePort } from '../../scripts/free-port.ts';
import { loadOtlpProtos } from '../support/otlp-protos.ts';

// The official protos read the answers: what a function's SDK would see.
const protos = loadOtlpProtos();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function traces(spans: number, nameBytes = 8): Uint8Array {
  const list = Array.from({ length: spans }, (_, i) => ({ traceId: new Uint8Array(16).fill(1), spanId: new Uint8Array(8).fill(i + 1), name: 'x'.repeat(nameBytes) }));
  return codec.encode('traces', { resourceSpans: [{ scopeSpans: [{ spans: list }] }] });
}

async function post(port: number, body: Uint8Array): Promise<{ status: number; rejected: number }> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' }, body });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const decoded = protos.decodeResponse('traces', bytes) as { partialSuccess?: { rejectedSpans?: unknown } };
  return { status: response.status, rejected: Number(decoded.partialSuccess?.rejectedSpans ?? 0) };
}

async function started(): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const processor = createOtelProcessor({ LAMBDA_OTEL_RECEIVER: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
  const lines: string[] = [];
  const context = {
    registration: { extensionName: 'test', functionName: 'fn', functionVersion: '$LATEST', accountId: undefined, identifier: 'id' },
    config: { telemetryTypes: ['platform', 'function'], buffering: { maxItems: 1000, maxBytes: 262144, timeoutMs: 25 } },
    logger: createLogger('test', 'info', (line) => lines.push(line)),
    intake: () => ({ batches: 0, events: 0, rejected: 0 }),
    managedInstances: false,
  } as unknown as RunContext;
  await processor.init?.(context);
  for (let i = 0; i < 100 && !lines.some((l) => l.includes('local OTLP receiver listening')); i++) await sleep(10);
  assert.ok(lines.some((l) => l.includes('local OTLP receiver listening')), lines.join(''));
  return { port, stop: () => Promise.resolve(processor.shutdown?.('spindown', Date.now() + 300)).then(() => undefined) };
}

describe('requests before the pipeline is loaded', () => {
  it('holds 16, refuses the 17th as a partial success', async () => {
    const { port, stop } = await started();
    try {
      for (let i = 0; i < 16; i++) assert.deepEqual(await post(port, traces(2)), { status: 200, rejected: 0 }, `request ${i + 1}`);
      assert.deepEqual(await post(port, traces(3)), { status: 200, rejected: 3 });
    } finally {
      await stop();
    }
  });

  it('holds at most 4 MiB of them', async () => {
    const { port, stop } = await started();
    try {
      assert.deepEqual(await post(port, traces(1, 3 * 1024 * 1024)), { status: 200, rejected: 0 });
      assert.deepEqual(await post(port, traces(2, 1536 * 1024)), { status: 200, rejected: 2 }, 'over 4 MiB held');
      assert.deepEqual(await post(port, traces(1, 1024)), { status: 200, rejected: 0 }, 'a small one still fits');
    } finally {
      await stop();
    }
  });
});

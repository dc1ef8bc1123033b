/**
 * The built layer never holds an invocation beyond its documented bounds: a runtimeDone that
 * never comes (dropped, malformed, omitted) releases `next` on the telemetry stream, and a
 * backend that refuses connections costs invocations no flush budget.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSandbox } from '../../src/sandbox/index.ts';
import type { RuntimeDoneFate } from '../../src/sandbox/index.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver } from '../support/otlp-receiver.ts';
import { EXTENSION, assertLayerBuilt, freePort, layerEnv, logLines, only } from './support.ts';

/**
 * A function timeout far above every bound: the old wait held until 100 ms before it. What is
 * asserted is the bound (quiet stream 225 ms plus at most the 1 s flush budget), not a speed.
 */
const FUNCTION_TIMEOUT_MS = 10_000;
const HELD_AT_MOST_MS = 2_500;

describe('invoke-path bounds', () => {
  let receiver: OtlpReceiver;
  before(async () => {
    assertLayerBuilt();
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());

  const env = (extra: Record<string, string> = {}) => layerEnv(receiver, extra);

  for (const fate of ['dropped', 'malformed', 'omitted'] as const satisfies readonly RuntimeDoneFate[]) {
    it(`a runtimeDone ${fate}: next is released within the bound and the invocation still exported from its report`, async () => {
      const name = `runtime-done-${fate}`;
      const sandbox = await startSandbox({ extensions: [EXTENSION], env: await env(), function: { name, timeoutMs: FUNCTION_TIMEOUT_MS } });
      const first = await sandbox.invoke({ durationMs: 20 });
      const lost = await sandbox.invoke({ durationMs: 20, runtimeDone: fate, status: 'error', errorType: 'Boom' });
      const report = await sandbox.shutdown();
      assert.equal(only(report).exit?.code, 0, 'exited on its own before the SHUTDOWN deadline');
      assert.equal(only(report).exit?.killed, false);
      assert.ok(lost.postRuntimeDurationMs < HELD_AT_MOST_MS, `held ${lost.postRuntimeDurationMs} ms after the runtime answered`);
      assert.equal(lost.status, 'error', 'not turned into a timeout');

      const servers = receiver.spans().filter((s) => s.kind === 'SERVER' && s.resource['faas.name'] === name);
      const span = servers.find((s) => s.attributes['faas.invocation_id'] === lost.requestId);
      assert.ok(span !== undefined, 'the invocation whose runtimeDone was lost is exported');
      assert.equal(span.status.code, 'ERROR', 'status from the report');
      assert.equal(span.attributes['aws.lambda.completion'], undefined, 'complete from its report, not flushed at SHUTDOWN');
      assert.equal(servers.filter((s) => s.attributes['faas.invocation_id'] === first.requestId).length, 1);
    });
  }

  it('start and report without runtimeDone, then SHUTDOWN: exits before the deadline with the span exported', async () => {
    const name = 'report-only-then-shutdown';
    const sandbox = await startSandbox({ extensions: [EXTENSION], env: await env(), function: { name, timeoutMs: FUNCTION_TIMEOUT_MS } });
    const only1 = await sandbox.invoke({ durationMs: 20, runtimeDone: 'omitted' });
    const report = await sandbox.shutdown({ shutdownMs: 2000 });
    assert.ok(only1.postRuntimeDurationMs < HELD_AT_MOST_MS, `held ${only1.postRuntimeDurationMs} ms after the runtime answered`);
    assert.equal(only(report).exit?.code, 0);
    assert.equal(only(report).exit?.killed, false);
    const spans = receiver.spans().filter((s) => s.kind === 'SERVER' && s.resource['faas.name'] === name);
    assert.deepEqual(spans.map((s) => s.attributes['faas.invocation_id']), [only1.requestId]);
  });

  it('runtimeDone missing for 3 invocations in a row: stops waiting for it and says so once', async () => {
    const name = 'runtime-done-unreliable';
    const sandbox = await startSandbox({ extensions: [EXTENSION], env: await env(), function: { name, timeoutMs: FUNCTION_TIMEOUT_MS } });
    const ids: string[] = [];
    // The miss of invocation N is known at report N, during invocation N+1.
    for (let i = 0; i < 6; i++) ids.push((await sandbox.invoke({ durationMs: 20, runtimeDone: 'omitted' })).requestId);
    const report = await sandbox.shutdown();
    const said = logLines(only(report)).filter((l) => String(l.msg).includes('no longer waiting for it'));
    assert.equal(said.length, 1, 'one log line');
    const spans = receiver.spans().filter((s) => s.kind === 'SERVER' && s.resource['faas.name'] === name);
    assert.deepEqual(spans.map((s) => s.attributes['faas.invocation_id']).sort(), [...ids].sort(), 'every invocation exported once');
  });

  it('a backend refusing connections for 10 invocations costs no flush budget; afterwards everything arrives once', async () => {
    const port = await freePort();
    const name = 'backend-refusing';
    const sandbox = await startSandbox({
      extensions: [EXTENSION],
      // The exporters' default 10 s timeout: the old end-of-invocation flush then waited its whole 1 s budget.
      env: await env({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` }),
      function: { name, timeoutMs: FUNCTION_TIMEOUT_MS },
    });
    let backend: OtlpReceiver | null = null;
    try {
      const ids: string[] = [];
      const heldMs: number[] = [];
      for (let i = 0; i < 10; i++) {
        const result = await sandbox.invoke({ durationMs: 10, logs: [`[INFO] refused ${i}`] });
        ids.push(result.requestId);
        heldMs.push(result.postRuntimeDurationMs);
      }
      backend = await startOtlpReceiver({ port });
      ids.push((await sandbox.invoke({ durationMs: 10, logs: ['[INFO] back'] })).requestId);
      const report = await sandbox.shutdown();
      assert.equal(only(report).exit?.code, 0);
      // The first invocation learns that the backend is down; the others must not wait on it.
      const later = heldMs.slice(1).sort((a, b) => a - b);
      assert.ok(later[Math.floor(later.length / 2)]! < 500, `post-runtime ms while refused: ${heldMs.join(', ')}`);
      const warned = logLines(only(report)).filter((l) => String(l.msg).includes('no longer wait for it'));
      assert.ok(warned.length >= 1 && warned.length <= 4, `said once (and once per signal), not per invocation: ${warned.length}`);

      const servers = backend.spans().filter((s) => s.kind === 'SERVER');
      assert.deepEqual(servers.map((s) => s.attributes['faas.invocation_id']).sort(), [...ids].sort(), 'each invocation exactly once');
      assert.deepEqual(
        backend.logs().map((l) => String(l.body)).sort(),
        ['back', ...ids.slice(0, 10).map((_, i) => `refused ${i}`)].sort(),
        `the extension said: ${only(report).stderr}`,
      );
      assert.equal(backend.metrics().filter((m) => m.name === 'aws.lambda.duration').length, 11, 'one gauge point per invocation, once');
    } finally {
      await backend?.close();
    }
  });
});

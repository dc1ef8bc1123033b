/**
 * What the layer's node loads. On Node 22 and 24 an ESM import of a built-in builds its export
 * facade, whose getters load more modules: node:http's load undici, tls and http2 (10 to 30 ms
 * of CPU), node:fs's fs/promises and readline. The layer avoids every such import, in its own
 * sources before the first event/next and in the bundled SDK after it (scripts/build.mjs), so
 * none of these modules loads at all while it exports over plain http.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startSandbox } from '../../src/sandbox/index.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver } from '../support/otlp-receiver.ts';
import { EXTENSION, assertLayerBuilt, layerEnv, only } from './support.ts';

const PROBE = fileURLToPath(new URL('./fixtures/builtins-probe.cjs', import.meta.url));
/** What the facades of node:http and node:fs would load; none of it serves an http exporter. */
const NEVER = ['internal/deps/undici/undici', 'tls', 'http2', 'internal/fs/promises', 'internal/readline/interface'];
/** Nor does the path to the first event/next need compression, crypto or workers. */
const NOT_BEFORE_FIRST_NEXT = [...NEVER, 'zlib', 'crypto', 'worker_threads'];

function probed(stderr: string, point: string): string[] {
  const line = stderr.split('\n').find((l) => l.startsWith(`builtins-probe ${point} `));
  assert.ok(line !== undefined, `no builtins-probe ${point} line in: ${stderr}`);
  return JSON.parse(line.slice(`builtins-probe ${point} `.length)) as string[];
}

describe('the built-in modules the layer loads', () => {
  let receiver: OtlpReceiver;
  before(async () => {
    assertLayerBuilt();
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());

  it('before the first event/next, and until it exits after exporting over http', async () => {
    const sandbox = await startSandbox({ extensions: [EXTENSION], env: await layerEnv(receiver, { LAMBDA_OTEL_NODE_OPTIONS: `--require ${PROBE}` }) });
    const { requestId } = await sandbox.invoke({ durationMs: 10, logs: ['[INFO] exported'] });
    await sandbox.invoke({ durationMs: 10 });
    const extension = only(await sandbox.shutdown());
    assert.equal(extension.exit?.code, 0, extension.stderr);
    assert.ok(receiver.spans().some((span) => span.attributes['faas.invocation_id'] === requestId), 'the SDK exported');

    const firstNext = probed(extension.stderr, 'first-next');
    assert.ok(firstNext.includes('http') && firstNext.includes('net'), 'the probe sees what is loaded');
    assert.deepEqual(NOT_BEFORE_FIRST_NEXT.filter((name) => firstNext.includes(name)), []);
    assert.deepEqual(NEVER.filter((name) => probed(extension.stderr, 'exit').includes(name)), []);
  });
});

/**
 * Which node the layer runs on. `npm test` puts the pinned Node.js 24, then 22, first on PATH
 * (scripts/run-tests.mjs --layer-node): these tests prove the layer really runs on that node, and
 * that it still starts on the test runner's own node (Node 20 here), with a warning below 22.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSandbox } from '../../src/sandbox/index.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver } from '../support/otlp-receiver.ts';
import { EXTENSION, assertLayerBuilt, layerEnv, logLines, only, subscribedNode } from './support.ts';

async function oneInvocation(receiver: OtlpReceiver, path: string, requestId: string): Promise<Array<Record<string, unknown>>> {
  const sandbox = await startSandbox({ extensions: [EXTENSION], env: { ...(await layerEnv(receiver)), PATH: path } });
  await sandbox.invoke({ requestId, durationMs: 5 });
  const extension = only(await sandbox.shutdown());
  assert.equal(extension.exit?.code, 0, extension.stderr);
  assert.ok(
    receiver.spans().some((span) => span.attributes['faas.invocation_id'] === requestId),
    `no span of ${requestId} arrived`,
  );
  return logLines(extension);
}

const oldNodeWarnings = (lines: ReadonlyArray<Record<string, unknown>>): unknown[] =>
  lines.filter((line) => String(line.msg).startsWith('running on Node.js')).map((line) => line.msg);

describe('the node the layer runs on', () => {
  let receiver: OtlpReceiver;
  before(async () => {
    assertLayerBuilt();
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());

  it('is the node first on PATH, as on a Node.js runtime', async () => {
    const path = process.env.PATH ?? '';
    const expected = execFileSync('node', ['--version'], { encoding: 'utf8', env: { PATH: path } }).trim();
    const lines = await oneInvocation(receiver, path, 'on-path');
    assert.equal(subscribedNode(lines), expected);
    const major = Number(expected.slice(1).split('.')[0]);
    assert.equal(oldNodeWarnings(lines).length, major < 22 ? 1 : 0);
  });

  it('runs with one malloc arena (MALLOC_ARENA_MAX=1), whatever the function set', async () => {
    const env = { ...(await layerEnv(receiver)), MALLOC_ARENA_MAX: '8' };
    const sandbox = await startSandbox({ extensions: [EXTENSION], env });
    const pid = sandbox.report().extensions[0]?.pid;
    // The environment node was exec'd with, read while it waits for its next event.
    const environ = pid == null ? [] : readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const extension = only(await sandbox.shutdown());
    assert.equal(extension.exit?.code, 0, extension.stderr);
    assert.deepEqual(environ.filter((entry) => entry.startsWith('MALLOC_ARENA_MAX=')), ['MALLOC_ARENA_MAX=1']);
  });

  it("also starts on the test runner's node, warning when it is older than 22", async () => {
    const lines = await oneInvocation(receiver, `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, 'runner-node');
    assert.equal(subscribedNode(lines), process.version);
    const warnings = oldNodeWarnings(lines);
    if (Number(process.versions.node.split('.')[0]) < 22) {
      assert.deepEqual(warnings, [
        `running on Node.js ${process.version}; this extension is built and tested for Node.js 22 and 24 (the nodejs22.x and nodejs24.x runtimes)`,
      ]);
    } else {
      assert.deepEqual(warnings, []);
    }
  });
});

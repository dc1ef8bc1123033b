/**
 * The standalone x86_64 layer, unpacked as Lambda unpacks it at /opt, on a runtime with no node
 * anywhere (Python, Java, .NET, Ruby, OS-only): PATH is an empty folder, the launcher (#!/bin/sh)
 * starts the bundled, stripped Node.js binary, and the whole end-to-end OpenTelemetry scenario
 * passes on it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSandbox } from '../../src/sandbox/index.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver } from '../support/otlp-receiver.ts';
import { coldStartScenario } from '../e2e/cold-start-scenario.ts';
import { layerEnv, logLines, only, subscribedNode } from '../e2e/support.ts';
import { BUNDLED_NODE_VERSION, ELF_MACHINE, STANDALONE_NODE_ENTRY, assertStandaloneBuilt, elfMachine, standaloneZip, unzipLayer } from './support.ts';

describe('standalone x86_64 layer', () => {
  let opt: string;
  let noNode: string;
  let receiver: OtlpReceiver;
  const launcher = () => join(opt, 'extensions', 'lambda-telemetry-otel');
  before(async () => {
    assertStandaloneBuilt('x86_64');
    opt = unzipLayer(standaloneZip('x86_64'));
    noNode = mkdtempSync(join(tmpdir(), 'no-node-'));
    receiver = await startOtlpReceiver();
  });
  after(async () => {
    await receiver.close();
    rmSync(opt, { recursive: true, force: true });
    rmSync(noNode, { recursive: true, force: true });
  });

  it('carries an x86-64 node', () => {
    assert.equal(elfMachine(join(opt, STANDALONE_NODE_ENTRY)), ELF_MACHINE.x86_64);
  });

  it('passes the end-to-end OpenTelemetry scenario with no node on PATH, on the bundled node', async () => {
    assert.deepEqual(readdirSync(noNode), [], 'PATH holds nothing');
    const { extension } = await coldStartScenario(receiver, launcher(), { PATH: noNode });
    assert.equal(subscribedNode(logLines(extension)), BUNDLED_NODE_VERSION);
  });

  it("prefers the bundled node to one on PATH (here the test runner's)", async () => {
    const sandbox = await startSandbox({ extensions: [launcher()], env: await layerEnv(receiver, { PATH: `${dirname(process.execPath)}${delimiter}${noNode}` }) });
    await sandbox.invoke({ requestId: 'path-has-node' });
    const extension = only(await sandbox.shutdown());
    assert.equal(extension.exit?.code, 0, extension.stderr);
    assert.equal(subscribedNode(logLines(extension)), BUNDLED_NODE_VERSION);
    assert.ok(receiver.spans().some((span) => span.attributes['faas.invocation_id'] === 'path-has-node'));
  });
});

/**
 * The standalone arm64 layer's own node and bundle, run under qemu-user on this x86_64 machine:
 * register, subscribe, INVOKE, SHUTDOWN, exit 0, and the invocation's span at the receiver.
 *
 * Why not through the layer's launcher: the launcher execs bin/node, and this machine has no
 * binfmt_misc entry for aarch64, so the kernel refuses to exec an arm64 binary. A two-line
 * wrapper extension in a temporary extensions folder starts the unpacked layer's bin/node with
 * its index.mjs under qemu-aarch64-static instead. The launcher is the same file in both zips
 * (layer-zips.test.ts) and runs for real in x86_64.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSandbox } from '../../src/sandbox/index.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver } from '../support/otlp-receiver.ts';
import { layerEnv, logLines, only, subscribedNode } from '../e2e/support.ts';
import { BUNDLED_NODE_VERSION, ELF_MACHINE, STANDALONE_NODE_ENTRY, assertStandaloneBuilt, elfMachine, standaloneZip, unzipLayer } from './support.ts';

/** Debian's aarch64 runtime, where the cross packages put it. */
const SYSROOT = '/usr/aarch64-linux-gnu';
const NEEDED = ['lib/ld-linux-aarch64.so.1', 'lib/libc.so.6', 'lib/libstdc++.so.6', 'lib/libgcc_s.so.1'];
const INSTALL = 'apt-get install qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross';
// Node under emulation starts in about a second and loads the OpenTelemetry SDK in a few more.
const INIT_TIMEOUT_MS = 60_000;
const SHUTDOWN_MS = 30_000;
// A wedged emulator fails the test instead of holding up the suite.
const TEST_TIMEOUT_MS = 120_000;

function findQemu(): string {
  const which = spawnSync('sh', ['-c', 'command -v qemu-aarch64-static'], { encoding: 'utf8' });
  const qemu = which.stdout.trim();
  assert.ok(which.status === 0 && qemu !== '', `qemu-aarch64-static is not installed: ${INSTALL}`);
  const missing = NEEDED.filter((lib) => !existsSync(join(SYSROOT, lib)));
  assert.deepEqual(missing, [], `the aarch64 libraries the bundled node needs are missing from ${SYSROOT}: ${INSTALL}`);
  return qemu;
}

describe('standalone arm64 layer, under qemu-user', () => {
  let opt: string;
  let extensions: string;
  let noNode: string;
  let qemu: string;
  let receiver: OtlpReceiver;
  before(async () => {
    assertStandaloneBuilt('arm64');
    qemu = findQemu();
    opt = unzipLayer(standaloneZip('arm64'));
    extensions = mkdtempSync(join(tmpdir(), 'qemu-extensions-'));
    noNode = mkdtempSync(join(tmpdir(), 'no-node-'));
    receiver = await startOtlpReceiver();
  });
  after(async () => {
    await receiver.close();
    for (const dir of [opt, extensions, noNode]) rmSync(dir, { recursive: true, force: true });
  });

  it('carries an arm64 node, which runs under qemu', () => {
    const node = join(opt, STANDALONE_NODE_ENTRY);
    assert.equal(elfMachine(node), ELF_MACHINE.arm64);
    assert.equal(execFileSync(qemu, ['-L', SYSROOT, node, '-p', 'process.version + " " + process.arch'], { encoding: 'utf8' }).trim(), `${BUNDLED_NODE_VERSION} arm64`);
  });

  it('registers, subscribes, exports the invocation at SHUTDOWN and exits 0', { timeout: TEST_TIMEOUT_MS }, async () => {
    // The file name is the extension name, as in the layer.
    mkdirSync(join(extensions, 'extensions'));
    const wrapper = join(extensions, 'extensions', 'lambda-telemetry-otel');
    const app = join(opt, 'lambda-telemetry-otel');
    writeFileSync(wrapper, `#!/bin/sh\nexec '${qemu}' -L '${SYSROOT}' '${app}/bin/node' '${app}/index.mjs'\n`, { mode: 0o755 });

    const sandbox = await startSandbox({
      extensions: [wrapper],
      // Exports only at SHUTDOWN: no invocation waits on an emulated export.
      env: await layerEnv(receiver, { PATH: noNode, LAMBDA_OTEL_FLUSH: 'shutdown' }),
      function: { name: 'arm64-fn', timeoutMs: 30_000 },
      initTimeoutMs: INIT_TIMEOUT_MS,
    });
    await sandbox.invoke({ requestId: 'on-arm64', durationMs: 10 });
    const extension = only(await sandbox.shutdown({ shutdownMs: SHUTDOWN_MS }));
    assert.equal(extension.spawnError, null);
    assert.deepEqual(extension.registered?.events, ['INVOKE', 'SHUTDOWN']);
    assert.equal(extension.subscription?.statusCode, 200);
    assert.deepEqual(extension.exit && { code: extension.exit.code, killed: extension.exit.killed }, { code: 0, killed: false }, extension.stderr);
    assert.equal(subscribedNode(logLines(extension)), BUNDLED_NODE_VERSION);
    const span = receiver.spans().find((s) => s.attributes['faas.invocation_id'] === 'on-arm64');
    assert.ok(span, 'the invocation span arrived');
    assert.equal(span.kind, 'SERVER');
    assert.equal(span.resource['faas.name'], 'arm64-fn');
  });
});

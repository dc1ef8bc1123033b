/**
 * The built layer zip, unpacked somewhere else as Lambda unpacks it at /opt, runs as a real
 * extension process.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runScenario } from '../../src/sandbox/index.ts';
import { LAYER_ZIP, assertLayerBuilt, freePort, only } from './support.ts';

describe('layer zip', () => {
  let opt: string;
  before(() => {
    assertLayerBuilt();
    opt = mkdtempSync(join(tmpdir(), 'layer-opt-'));
  });
  after(() => rmSync(opt, { recursive: true, force: true }));

  it('holds extensions/<name> (executable) and the bundle beside it, at the zip root', () => {
    const listing = execFileSync('unzip', ['-Z', LAYER_ZIP], { encoding: 'utf8' }).split('\n');
    const entries = listing.filter((line) => /^[-d]r/.test(line));
    const names = entries.map((line) => line.split(/\s+/).at(-1)!);
    assert.ok(names.includes('extensions/lambda-telemetry-otel') && names.includes('lambda-telemetry-otel/index.mjs'), names.join(', '));
    assert.deepEqual(names.filter((name) => !/^lambda-telemetry-otel\/(index|chunks\/[\w-]+)\.mjs$/.test(name)), ['extensions/lambda-telemetry-otel']);
    const launcher = entries.find((line) => line.endsWith('extensions/lambda-telemetry-otel'))!;
    assert.match(launcher, /^-rwxr-xr-x/);
    assert.ok(entries.filter((line) => line !== launcher).every((line) => line.startsWith('-rw-r--r--')));
    assert.ok(statSync(LAYER_ZIP).size < 1024 * 1024, 'layer zip stays under 1 MB');
  });

  it('keeps the OTLP decoder (protobufjs) in a chunk of its own, imported dynamically: loaded at the function\'s first request', () => {
    const names = execFileSync('unzip', ['-Z1', LAYER_ZIP], { encoding: 'utf8' }).split('\n').filter((name) => name.endsWith('.mjs'));
    const text = new Map(names.map((name) => [name, execFileSync('unzip', ['-p', LAYER_ZIP, name], { encoding: 'utf8' })]));
    const codec = names.filter((name) => /\/chunks\/codec-[\w-]+\.mjs$/.test(name));
    assert.equal(codec.length, 1, names.join(', '));
    const file = codec[0]!.split('/').at(-1)!;
    // A message of protobufjs's reader: in the codec chunk, in no other file.
    const withProtobufjs = names.filter((name) => text.get(name)!.includes('max depth exceeded'));
    assert.deepEqual(withProtobufjs, codec);
    const importers = names.filter((name) => text.get(name)!.includes(`import("./${file}")`) || text.get(name)!.includes(`import("./chunks/${file}")`));
    assert.ok(importers.length > 0, `no dynamic import of ${file}`);
    const statically = names.filter((name) => new RegExp(`from\\s*"\\./(chunks/)?${file.replace('.', '\\.')}"`).test(text.get(name)!));
    assert.deepEqual(statically, [], 'nothing imports the codec statically');
  });

  it('runs from wherever it is unpacked', async () => {
    execFileSync('unzip', ['-q', LAYER_ZIP, '-d', opt]);
    const report = await runScenario({
      extensions: [join(opt, 'extensions', 'lambda-telemetry-otel')],
      env: { LAMBDA_OTEL_LISTENER_PORT: String(await freePort()), LAMBDA_OTEL_RECEIVER: String(await freePort()) },
      scenario: { invocations: [{}], shutdown: { shutdownMs: 2000 } },
    });
    const extension = only(report);
    assert.equal(extension.spawnError, null);
    assert.deepEqual(extension.registered?.events, ['INVOKE', 'SHUTDOWN']);
    assert.equal(extension.subscription?.statusCode, 200);
    assert.deepEqual(extension.exit && { code: extension.exit.code, killed: extension.exit.killed }, { code: 0, killed: false });
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { fixture, readRecords, receivedEvents, tempDir } from './helpers.ts';

const CLI = fileURLToPath(new URL('../../src/sandbox/cli.ts', import.meta.url));

function runCli(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('sandbox CLI', () => {
  it('prints usage with --help', () => {
    const { status, stdout } = runCli(['--help']);
    assert.equal(status, 0);
    assert.match(stdout, /Usage: lambda-sandbox --extension <path>/);
  });

  it('exits 2 on a usage error', () => {
    const { status, stderr } = runCli(['--invocations', '2']);
    assert.equal(status, 2);
    assert.match(stderr, /at least one --extension is required/);
  });

  it('refuses --discard-otlp beside an OTLP endpoint of its own', () => {
    const { status, stderr } = runCli(['--extension', fixture('minimal-extension.mjs'), '--discard-otlp', '--env', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:9']);
    assert.equal(status, 2);
    assert.match(stderr, /--discard-otlp sets the OTLP endpoint itself; unset OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/);
  });

  it("refuses --discard-otlp beside lambda-telemetry-otel's own endpoint, which would win over the sink", () => {
    const { status, stderr } = runCli(['--extension', fixture('minimal-extension.mjs'), '--discard-otlp', '--env', 'LAMBDA_OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9']);
    assert.equal(status, 2);
    assert.match(stderr, /--discard-otlp sets the OTLP endpoint itself; unset LAMBDA_OTEL_EXPORTER_OTLP_ENDPOINT/);
  });

  it('runs a scenario and summarises it', () => {
    const { status, stdout } = runCli([
      '--extension', fixture('minimal-extension.mjs'),
      '--invocations', '2', '--error-every', '2', '--gap-ms', '10', '--log', 'hello', '--tracing',
    ]);
    assert.equal(status, 0, stdout);
    assert.match(stdout, /init done/);
    assert.match(stdout, /registered {4}INVOKE,SHUTDOWN/);
    assert.match(stdout, /2\. \S+ error \(Error\)/);
    assert.match(stdout, /exit {10}code 0/);
    assert.match(stdout, /result {8}OK/);
  });

  it('passes extension output through and also produces it as `extension` events', (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const record = dir.file('cli-chatty.jsonl');
    const { status, stdout, stderr } = runCli([
      '--extension', fixture('chatty-extension.mjs'), '--invocations', '1', '--env', `RECORD_FILE=${record}`,
    ]);
    assert.equal(status, 0, stdout);
    assert.match(stdout, /^init out 1\n/m);
    assert.match(stdout, /^invoke 1 split line\n/m);
    assert.match(stderr, /^invoke 1 err\n/m);
    // 2 + 1 lines at init, 3 for the invocation, 1 before exiting.
    assert.match(stdout, /log events {4}7 extension events/);
    const heard = receivedEvents(readRecords(record)).filter((event) => event.type === 'extension');
    assert.equal(heard.length, 6);
  });

  it('runs a Managed Instances scenario with overlapping invocations', (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const record = dir.file('cli-lmi.jsonl');
    const { status, stdout } = runCli([
      '--extension', fixture('lmi-extension.mjs'), '--managed-instances', '--concurrency', '3',
      '--invocations', '3', '--duration-ms', '200', '--log', 'hello', '--env', `RECORD_FILE=${record}`,
    ]);
    assert.equal(status, 0, stdout);
    assert.match(stdout, /registered {4}SHUTDOWN at/);
    assert.match(stdout, /subscription {2}2025-01-29 /);
    assert.equal(stdout.match(/overlapped 2, peak concurrency 3/g)?.length, 3, stdout);
    const env = readRecords(record).find((line) => line.kind === 'env')?.env ?? {};
    assert.equal(env['AWS_LAMBDA_MAX_CONCURRENCY'], '3');
  });

  it('refuses --concurrency without --managed-instances', () => {
    const { status, stderr } = runCli(['--extension', fixture('minimal-extension.mjs'), '--concurrency', '2']);
    assert.equal(status, 2);
    assert.match(stderr, /--concurrency needs --managed-instances/);
  });

  it('exits 1 when an extension had to be killed at the deadline', () => {
    const { status, stdout } = runCli([
      '--extension', fixture('stubborn-extension.mjs'), '--invocations', '1', '--shutdown-ms', '300',
    ]);
    assert.equal(status, 1);
    assert.match(stdout, /still running at the SHUTDOWN deadline and was killed/);
  });
});

/**
 * The built layer in the environment of a function that has its own OpenTelemetry SDK and node
 * flags: Lambda gives every extension the function's environment. The function's NODE_OPTIONS
 * and NODE_PATH must not reach the extension's node, its OTEL_* settings for gRPC must not fail
 * init, and the LAMBDA_ forms must send everything where the extension is told to.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startSandbox } from '../../src/sandbox/index.ts';
import type { ExtensionReport, SandboxReport } from '../../src/sandbox/index.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver } from '../support/otlp-receiver.ts';
import { EXTENSION, ROOT, assertLayerBuilt, freePort, logLines, only } from './support.ts';

const PROBE = fileURLToPath(new URL('./fixtures/node-options-probe.cjs', import.meta.url));
const FUNCTION = 'orders-with-sdk';

/** What the function's own OpenTelemetry SDK and node are configured with. */
function functionEnv(sdkEndpoint: string): Record<string, string> {
  return {
    NODE_OPTIONS: '--require ./missing.cjs --max-old-space-size=64',
    NODE_PATH: '/nonexistent',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    OTEL_EXPORTER_OTLP_ENDPOINT: sdkEndpoint,
    OTEL_EXPORTER_OTLP_HEADERS: 'x-function-key=fn-s3cret',
  };
}

async function layerEnv(extra: Record<string, string>): Promise<Record<string, string>> {
  return { LAMBDA_OTEL_LISTENER_PORT: String(await freePort()), LAMBDA_OTEL_RECEIVER: String(await freePort()), LAMBDA_OTEL_LOG_LEVEL: 'info', ...extra };
}

/** Cold start and three invocations with a log line each, then SHUTDOWN. */
async function invocations(env: Record<string, string>): Promise<SandboxReport> {
  const sandbox = await startSandbox({ extensions: [EXTENSION], env, function: { name: FUNCTION } });
  for (let i = 1; i <= 3; i++) await sandbox.invoke({ requestId: `iso-${i}`, durationMs: 5, logs: [`line ${i}\n`] });
  return sandbox.shutdown();
}

function assertStarted(extension: ExtensionReport): void {
  assert.equal(extension.initError, null, extension.stderr);
  assert.equal(extension.exit?.code, 0, extension.stderr);
}

/** Every invocation span, the init span and every log line reached `receiver`, as protobuf. */
function assertEverythingAt(receiver: OtlpReceiver, report: SandboxReport): void {
  const spans = receiver.spans().filter((s) => s.resource['faas.name'] === FUNCTION);
  const ids = report.invocations.map((i) => i.requestId);
  assert.deepEqual(spans.filter((s) => s.kind === 'SERVER').map((s) => s.attributes['faas.invocation_id']).sort(), ids);
  assert.equal(spans.filter((s) => s.name === 'init').length, 1);
  assert.deepEqual(receiver.logs().filter((l) => l.resource['faas.name'] === FUNCTION).map((l) => l.body).sort(), ['line 1', 'line 2', 'line 3']);
  assert.ok(receiver.metrics().some((m) => m.name === 'faas.invocations'));
  assert.deepEqual([...new Set(receiver.requests.map((r) => r.encoding))], ['protobuf']);
}

const warnings = (extension: ExtensionReport): unknown[] => logLines(extension).filter((l) => l.level === 'warn').map((l) => l.msg);

function probe(extension: ExtensionReport): Record<string, unknown> {
  const line = extension.stderr.split('\n').find((l) => l.startsWith('node-options-probe '));
  assert.ok(line, `the LAMBDA_OTEL_NODE_OPTIONS --require did not run: ${extension.stderr}`);
  return JSON.parse(line.slice('node-options-probe '.length)) as Record<string, unknown>;
}

describe("isolation from the function's environment", () => {
  let receiver: OtlpReceiver;
  let sdkBackend: OtlpReceiver;
  before(async () => {
    assertLayerBuilt();
    receiver = await startOtlpReceiver();
    sdkBackend = await startOtlpReceiver();
  });
  after(async () => {
    await receiver.close();
    await sdkBackend.close();
  });

  it("with LAMBDA_ overrides: starts, sends everything there as protobuf and nothing to the function's backend; node gets LAMBDA_OTEL_NODE_OPTIONS only", async () => {
    const nodeOptions = `--require ${JSON.stringify(PROBE)} --max-old-space-size=300`;
    const report = await invocations(
      await layerEnv({
        ...functionEnv(sdkBackend.url),
        LAMBDA_OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        LAMBDA_OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        LAMBDA_OTEL_NODE_OPTIONS: nodeOptions,
      }),
    );
    const extension = only(report);
    assertStarted(extension);
    assertEverythingAt(receiver, report);
    assert.deepEqual([sdkBackend.requests.length, sdkBackend.strays.length], [0, 0], "something reached the function's backend");
    assert.ok(receiver.requests.every((r) => r.headers['x-function-key'] === undefined), "the function's headers went to the extension's backend");
    assert.deepEqual(warnings(extension), []);
    const setAside = logLines(extension).find((l) => String(l.msg).startsWith('the extension exports to its own endpoint'));
    assert.match(String(setAside?.msg), /the function's OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_EXPORTER_OTLP_HEADERS are not used$/);
    assert.ok(!extension.stderr.includes('s3cret'), 'a header value reached the log');

    const seen = probe(extension);
    assert.equal(seen.NODE_OPTIONS, nodeOptions);
    assert.equal(seen.NODE_PATH, null);
    const heapLimitMiB = Number(seen.heapLimitMiB);
    assert.ok(heapLimitMiB >= 300 && heapLimitMiB < 600, `heap limit ${heapLimitMiB} MiB: not the --max-old-space-size=300 of LAMBDA_OTEL_NODE_OPTIONS`);
  });

  it('without overrides: starts all the same, and one warn line says why nothing goes out over gRPC', async () => {
    const report = await invocations(await layerEnv(functionEnv(sdkBackend.url)));
    const extension = only(report);
    assertStarted(extension);
    assert.deepEqual(warnings(extension), [
      "OTEL_EXPORTER_OTLP_PROTOCOL=grpc is the function's (this extension exports OTLP/HTTP only): exporting http/protobuf to the same endpoint, " +
        "which fails if it serves gRPC only (port 4317); set LAMBDA_OTEL_EXPORTER_OTLP_ENDPOINT and LAMBDA_OTEL_EXPORTER_OTLP_PROTOCOL to choose the extension's own",
    ]);
    // The shared endpoint and headers are kept: here the function's backend speaks OTLP/HTTP too.
    assertEverythingAt(sdkBackend, report);
    assert.ok(sdkBackend.requests.every((r) => r.headers['x-function-key'] === 'fn-s3cret'));
  });

  it("a function's gRPC endpoint without scheme is left out with a warning that does not echo it", async () => {
    const sandbox = await startSandbox({
      extensions: [EXTENSION],
      env: await layerEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector.internal:4317', LAMBDA_OTEL_FLUSH: 'shutdown' }),
    });
    const extension = only(await sandbox.shutdown());
    assertStarted(extension);
    // Exports to the default endpoint may fail and say so too: only the configuration's lines count.
    const lines = warnings(extension).map(String).filter((line) => line.includes(" is the function's"));
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0]!, /^OTEL_EXPORTER_OTLP_ENDPOINT is the function's and unusable here \(must be an http:\/\/ or https:\/\/ URL\): ignored; set LAMBDA_OTEL_EXPORTER_OTLP_ENDPOINT/);
    assert.match(lines[1]!, /^OTEL_EXPORTER_OTLP_PROTOCOL=grpc is the function's/);
    assert.ok(!extension.stderr.includes('collector.internal'), 'an endpoint value reached the log');
  });

  it("the README lists every node variable the launcher unsets, and the launcher keeps NODE_EXTRA_CA_CERTS", () => {
    const launcher = readFileSync(EXTENSION, 'utf8').replace(/\\\n/g, ' ');
    const unset = /^unset (.+)$/m.exec(launcher)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
    assert.ok(unset.includes('NODE_OPTIONS') && unset.includes('NODE_PATH'), launcher);
    assert.ok(!unset.includes('NODE_EXTRA_CA_CERTS'));
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const paragraph = readme.slice(readme.indexOf('**Node.** The launcher'), readme.indexOf('LAMBDA_OTEL_NODE_OPTIONS', readme.indexOf('**Node.** The launcher')));
    assert.deepEqual(unset.filter((name) => !paragraph.includes(`\`${name}\``)), [], 'README, Isolation, Node: names missing');
  });

  describe('NODE_EXTRA_CA_CERTS reaches the extension: a private HTTPS endpoint with its own CA', () => {
    let dir: string;
    let certPath: string;
    let tls: OtlpReceiver;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'isolation-ca-'));
      certPath = join(dir, 'cert.pem');
      const keyPath = join(dir, 'key.pem');
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath,
      ], { stdio: 'pipe' });
      tls = await startOtlpReceiver({ tls: { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') } });
    });
    after(async () => {
      await tls.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const run = async (extra: Record<string, string>): Promise<ExtensionReport> => {
      const sandbox = await startSandbox({
        extensions: [EXTENSION],
        env: await layerEnv({ ...functionEnv(sdkBackend.url), LAMBDA_OTEL_EXPORTER_OTLP_ENDPOINT: tls.url, LAMBDA_OTEL_FLUSH: 'shutdown', ...extra }),
        function: { name: FUNCTION },
      });
      await sandbox.invoke({ requestId: 'over-tls', durationMs: 5 });
      const extension = only(await sandbox.shutdown());
      assertStarted(extension);
      return extension;
    };

    it('with it, the export is trusted and arrives', async () => {
      await run({ NODE_EXTRA_CA_CERTS: certPath });
      assert.ok(tls.url.startsWith('https://'));
      assert.ok(tls.spans().some((s) => s.attributes['faas.invocation_id'] === 'over-tls'), 'no span arrived over HTTPS');
    });

    it('without it (control), the same certificate is refused', async () => {
      const before = tls.requests.length;
      await run({});
      assert.equal(tls.requests.length, before, 'an export was accepted without the CA');
    });
  });
});

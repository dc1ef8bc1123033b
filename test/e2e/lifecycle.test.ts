/**
 * The built layer as a real child process inside the local Lambda sandbox: registration,
 * subscription, every event received and decoded, SHUTDOWN inside the deadline, and start-up
 * errors reported through init/error.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULTS } from '../../src/lifecycle/config.ts';
import { runScenario, startSandbox } from '../../src/sandbox/index.ts';
import type { SandboxOptions, SandboxReport } from '../../src/sandbox/index.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver } from '../support/otlp-receiver.ts';
import { EXTENSION, assertLayerBuilt, freePort, logLines, only, producedByType } from './support.ts';

const SHUTDOWN_MS = 2000;
/** The extension exits at least this long before the deadline (its margin is 300 ms). */
const EXIT_MARGIN_MS = 300;

let receiver: OtlpReceiver;

async function options(env: Record<string, string> = {}, extra: Partial<SandboxOptions> = {}): Promise<SandboxOptions> {
  return {
    extensions: [EXTENSION],
    env: { LAMBDA_OTEL_LISTENER_PORT: String(await freePort()), LAMBDA_OTEL_RECEIVER: String(await freePort()), LAMBDA_OTEL_LOG_LEVEL: 'info', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env },
    ...extra,
  };
}

function received(stderrLines: Array<Record<string, unknown>>): { byType: Record<string, number> } {
  const line = stderrLines.find((l) => l.msg === 'telemetry received');
  assert.ok(line, `no "telemetry received" line in ${JSON.stringify(stderrLines)}`);
  return line as unknown as { byType: Record<string, number> };
}

/** Every invocation of the run was exported as a complete span (its report arrived in time). */
function assertExportedComplete(report: SandboxReport): void {
  for (const { requestId } of report.invocations) {
    const span = receiver.spans().find((s) => s.attributes['faas.invocation_id'] === requestId);
    assert.ok(span, `no span for ${requestId}`);
    assert.equal(span.attributes['aws.lambda.completion'], undefined, `${requestId} was exported incomplete`);
    assert.equal(typeof span.attributes['aws.lambda.duration_ms'], 'number');
  }
}

function post(port: number, body: string | Buffer, path = '/telemetry'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('built layer in the sandbox', () => {
  before(async () => {
    assertLayerBuilt();
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());

  it('registers, subscribes, receives every event, and exits before the SHUTDOWN deadline', async () => {
    const sandbox = await startSandbox(await options());
    await sandbox.invoke({ logs: ['first', { level: 'INFO', message: 'json log' }] });
    await sandbox.idle(150);
    await sandbox.invoke({ status: 'error', errorType: 'Handler.Boom', tracing: true });
    await sandbox.idle(150);
    await sandbox.invoke({ tracing: true, logs: ['last'] });
    const report = await sandbox.shutdown({ reason: 'spindown', shutdownMs: SHUTDOWN_MS });
    const extension = only(report);

    assert.deepEqual(extension.registered && { events: extension.registered.events, feature: extension.registered.acceptFeature }, {
      events: ['INVOKE', 'SHUTDOWN'],
      feature: 'accountId',
    });
    const subscription = extension.subscription!;
    assert.equal(subscription.schemaVersion, '2022-12-13');
    assert.deepEqual(subscription.types, ['platform', 'function']);
    assert.deepEqual(subscription.buffering, { maxItems: 1000, maxBytes: 262144, timeoutMs: 25 });
    assert.match(subscription.uri, /^http:\/\/sandbox\.localdomain:\d+\/telemetry$/);
    assert.ok(extension.firstNextMs !== null && extension.firstNextMs > 0);
    assert.deepEqual(extension.nextCalls.map((call) => call.delivered), ['INVOKE', 'INVOKE', 'INVOKE', 'SHUTDOWN']);
    assert.deepEqual(extension.violations, []);

    // Every event Lambda (the sandbox) produced for the subscribed streams was delivered,
    // accepted and decoded: the extension's own count by type equals what was produced.
    assert.equal(extension.delivery.failures, 0);
    assert.equal(extension.delivery.undeliveredEvents, 0);
    const seen = received(logLines(extension));
    assert.deepEqual(seen.byType, producedByType(report));
    assert.equal(seen.byType['platform.report'], 3);
    assert.equal(seen.byType.function, 3);
    assertExportedComplete(report);
    assert.equal(logLines(extension).filter((l) => l.msg === 'telemetry rejected').length, 0);

    assert.equal(extension.exit?.code, 0);
    assert.equal(extension.exit?.killed, false);
    assert.ok(extension.exit!.atMs - report.shutdown!.startedAtMs < SHUTDOWN_MS - EXIT_MARGIN_MS, 'exits well before the deadline');
  });

  for (const reason of ['timeout', 'failure'] as const) {
    it(`exits on its own on SHUTDOWN with reason ${reason}`, async () => {
      const sandbox = await startSandbox(await options());
      await sandbox.invoke();
      const report = await sandbox.shutdown({ reason, shutdownMs: SHUTDOWN_MS });
      const extension = only(report);
      assert.deepEqual({ code: extension.exit?.code, killed: extension.exit?.killed }, { code: 0, killed: false });
      assert.equal(received(logLines(extension)).byType['platform.report'], 1, 'the last report is still received during SHUTDOWN');
    });
  }

  it('receives the report of a timed-out invocation during the SHUTDOWN that follows it', async () => {
    const report = await runScenario({
      ...(await options()),
      function: { timeoutMs: 300 },
      scenario: { invocations: [{}, { status: 'timeout' }] },
    });
    const extension = only(report);
    assert.equal(report.shutdown?.reason, 'timeout');
    assert.equal(extension.exit?.code, 0);
    const seen = received(logLines(extension));
    assert.deepEqual(seen.byType, producedByType(report));
    assertExportedComplete(report);
  });

  it('falls back to schema 2025-01-29 when Lambda refuses 2022-12-13', async () => {
    const report = await runScenario({
      ...(await options({}, { telemetryApi: { supportedSchemaVersions: ['2025-01-29'] } })),
      scenario: { invocations: [{}] },
    });
    const extension = only(report);
    assert.deepEqual(extension.subscribeAttempts.map((a) => [(a.body as { schemaVersion: string }).schemaVersion, a.statusCode]), [
      ['2022-12-13', 400],
      ['2025-01-29', 200],
    ]);
    assert.equal(extension.subscription?.schemaVersion, '2025-01-29');
    assert.equal(extension.exit?.code, 0);
  });

  it('keeps running and keeps the valid events when the listener gets malformed bodies', async () => {
    const opts = await options({}, { freeze: false, function: { name: 'malformed-input-fn' } });
    const port = Number(opts.env!.LAMBDA_OTEL_LISTENER_PORT);
    const sandbox = await startSandbox(opts);
    assert.equal(await post(port, '{not json'), 400);
    assert.equal(await post(port, '{"time":"2024-01-01T00:00:00Z"}'), 400);
    assert.equal(await post(port, Buffer.alloc(2 * 1024 * 1024, 0x20)), 413);
    assert.equal(await post(port, '[]', '/other'), 404);
    const mixed = [{ time: '2024-01-01T00:00:00.000Z', type: 'function', record: 'kept' }, { type: 'function' }, { time: '2024-01-01T00:00:00.000Z', type: 'platform.future' }];
    assert.equal(await post(port, JSON.stringify(mixed)), 200);
    await sandbox.invoke();
    const report = await sandbox.shutdown({ shutdownMs: SHUTDOWN_MS });
    const extension = only(report);
    assert.equal(extension.exit?.code, 0);
    const produced = producedByType(report);
    assert.deepEqual(received(logLines(extension)).byType, { ...produced, function: (produced.function ?? 0) + 1 });
    const rejected = logLines(extension).filter((l) => l.msg === 'telemetry rejected').map((l) => l.kind);
    assert.deepEqual(rejected.sort(), ['batch invalid-json', 'batch not-an-array', 'invalid-time function', 'unknown-type platform.future']);
    assert.ok(!extension.stderr.includes('kept'), 'event contents are never logged');
    // The extension's own metrics count it too.
    const own = (name: string) => Math.max(0, ...receiver.metrics().filter((m) => m.name === name && m.resource['faas.name'] === 'malformed-input-fn').map((m) => m.point.value ?? 0));
    assert.equal(own('lambda_otel.events.rejected'), 4, 'two bodies and two items');
    const producedTotal = Object.values(produced).reduce((a, b) => a + b, 0);
    assert.equal(own('lambda_otel.events.received'), producedTotal + 1, 'every valid event, the injected one included');
  });

  const failing = fileURLToPath(new URL('./fixtures/failing-invoke-extension', import.meta.url));

  it('logs a processor error after init and goes on', async () => {
    const report = await runScenario({
      extensions: [failing],
      env: { LAMBDA_OTEL_LISTENER_PORT: String(await freePort()), LAMBDA_OTEL_RECEIVER: String(await freePort()) },
      scenario: { invocations: [{}, {}] },
    });
    const extension = only(report);
    assert.equal(extension.exitError, null);
    assert.deepEqual(extension.nextCalls.map((c) => c.delivered), ['INVOKE', 'INVOKE', 'SHUTDOWN']);
    assert.match(extension.stderr, /processor invoke failed; going on.*processor broke on INVOKE/);
    assert.match(extension.stderr, /shutdown spindown\n/);
    assert.equal(extension.exit?.code, 0);
  });

  it('reports an ExtensionError thrown after init through exit/error, after letting the processor flush', async () => {
    const report = await runScenario({
      extensions: [failing],
      env: { LAMBDA_OTEL_LISTENER_PORT: String(await freePort()), LAMBDA_OTEL_RECEIVER: String(await freePort()), FAIL_MODE: 'fatal' },
      scenario: { invocations: [{}] },
    });
    const extension = only(report);
    assert.equal(extension.initError, null);
    assert.equal(extension.exitError?.errorType, 'Extension.ProcessorGaveUp');
    assert.match((extension.exitError?.body as { errorMessage: string }).errorMessage, /processor gave up on INVOKE/);
    assert.match(extension.stderr, /shutdown failure after processor gave up on INVOKE/);
    assert.equal(extension.exit?.code, 1);
  });

  describe('start-up errors are reported through init/error and exit non-zero', () => {
    it('invalid configuration: Extension.ConfigInvalid naming every bad variable', async () => {
      const report = await runScenario({
        ...(await options({ LAMBDA_OTEL_BUFFER_TIMEOUT_MS: '5', LAMBDA_OTEL_TELEMETRY_TYPES: 'platform,traces' })),
        scenario: { invocations: [{}] },
      });
      const extension = only(report);
      assert.equal(extension.initError?.errorType, 'Extension.ConfigInvalid');
      const message = (extension.initError?.body as { errorMessage: string }).errorMessage;
      assert.match(message, /LAMBDA_OTEL_TELEMETRY_TYPES: unknown type\(s\) traces/);
      assert.match(message, /LAMBDA_OTEL_BUFFER_TIMEOUT_MS: must be between 25 and 30000 \(got 5\)/);
      assert.match(extension.stderr, /LAMBDA_OTEL_BUFFER_TIMEOUT_MS/);
      assert.deepEqual(extension.subscribeAttempts, []);
      assert.equal(extension.exit?.code, 1);
      assert.notEqual(report.initFailure, null);
      assert.equal(report.invocations.length, 0);
    });

    it('subscription refused: Extension.SubscriptionFailed carrying Lambda\'s errorType', async () => {
      const refuse = { statusCode: 403, errorType: 'Telemetry.AccessDenied', errorMessage: 'not allowed here' };
      const report = await runScenario({ ...(await options({}, { telemetryApi: { refuse } })), scenario: { invocations: [{}] } });
      const extension = only(report);
      assert.equal(extension.initError?.errorType, 'Extension.SubscriptionFailed');
      assert.match((extension.initError?.body as { errorMessage: string }).errorMessage, /HTTP 403 Telemetry\.AccessDenied: not allowed here/);
      assert.equal(extension.exit?.code, 1);
    });

    it('listener port taken: Extension.ListenerFailed', async () => {
      const port = await freePort();
      const blocker: Server = createServer();
      await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
      try {
        const report = await runScenario({ ...(await options({ LAMBDA_OTEL_LISTENER_PORT: String(port) })), scenario: { invocations: [{}] } });
        const extension = only(report);
        assert.equal(extension.initError?.errorType, 'Extension.ListenerFailed');
        assert.match((extension.initError?.body as { errorMessage: string }).errorMessage, new RegExp(`${port}: EADDRINUSE`));
        assert.equal(extension.exit?.code, 1);
      } finally {
        blocker.close();
      }
    });
  });

  it('default listener port taken by another extension: listens on a free port, says so once, and the function runs', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve, reject) => {
      blocker.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve() : reject(error)));
      blocker.listen(DEFAULTS.listenerPort, '127.0.0.1', resolve);
    });
    try {
      const base = await options();
      const { LAMBDA_OTEL_LISTENER_PORT: _explicit, ...env } = base.env ?? {};
      const report = await runScenario({ ...base, env, scenario: { invocations: [{ logs: ['hello'] }, {}] } });
      const extension = only(report);
      assert.equal(report.initFailure, null, extension.stderr);
      const port = Number(/^http:\/\/sandbox\.localdomain:(\d+)\/telemetry$/.exec(extension.subscription?.uri ?? '')?.[1]);
      assert.ok(port > 0 && port !== DEFAULTS.listenerPort, `subscribed with ${extension.subscription?.uri}`);
      const said = logLines(extension).filter((l) => typeof l.msg === 'string' && l.msg.includes('in use'));
      assert.deepEqual(said.map((l) => [l.level, l.msg]), [['warn', `port ${DEFAULTS.listenerPort} is in use; listening on ${port} instead`]]);
      assert.equal(extension.delivery.failures, 0);
      assert.equal(received(logLines(extension)).byType['platform.report'], 2);
      assertExportedComplete(report);
      assert.equal(extension.exit?.code, 0);
    } finally {
      blocker.close();
    }
  });
});

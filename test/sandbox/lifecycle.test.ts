import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startSandbox } from '../../src/sandbox/index.ts';
import { fixture, rawCall, readRecords, tempDir } from './helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('sandbox lifecycle', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('runs register, next, INVOKE and SHUTDOWN and reports them', async () => {
    // Prepare
    const sandbox = await startSandbox({ extensions: [fixture('minimal-extension.mjs')] });

    // Act
    const first = await sandbox.invoke({ durationMs: 10, requestId: 'req-1' });
    await sandbox.idle(20);
    const second = await sandbox.invoke({ durationMs: 10, status: 'error' });
    const report = await sandbox.shutdown({ shutdownMs: 1000 });

    // Assess
    assert.equal(report.initDone, true);
    assert.equal(report.initFailure, null);
    assert.match(sandbox.runtimeApi, /^127\.0\.0\.1:\d+$/);
    const [ext] = report.extensions;
    assert.ok(ext !== undefined);
    assert.equal(ext.name, 'minimal-extension.mjs');
    assert.deepEqual(ext.registered?.events, ['INVOKE', 'SHUTDOWN']);
    assert.equal(ext.registered?.acceptFeature, null);
    assert.match(ext.identifier ?? '', UUID);
    assert.equal(typeof ext.firstNextMs, 'number');
    assert.deepEqual(
      ext.nextCalls.map((call) => call.delivered),
      ['INVOKE', 'INVOKE', 'SHUTDOWN'],
    );
    assert.deepEqual(ext.exit && { code: ext.exit.code, killed: ext.exit.killed, beforeDeadline: ext.exit.beforeDeadline }, {
      code: 0,
      killed: false,
      beforeDeadline: true,
    });
    assert.deepEqual(ext.violations, []);
    assert.equal(first.requestId, 'req-1');
    assert.equal(second.status, 'error');
    assert.equal(second.errorType, 'Error');
    assert.ok(first.durationMs >= first.runtimeDurationMs);
    assert.ok(first.maxMemoryUsedMB >= 1);
    assert.deepEqual(
      report.events.map((event) => event.type),
      [
        'platform.initStart',
        'platform.extension',
        'platform.initRuntimeDone',
        'platform.initReport',
        'platform.start',
        'platform.runtimeDone',
        'platform.report',
        'platform.start',
        'platform.runtimeDone',
        'platform.report',
      ],
    );
    const firstReport = report.events[6];
    assert.ok(firstReport?.type === 'platform.report');
    assert.equal(firstReport.record.requestId, 'req-1');
    assert.equal(typeof firstReport.record.metrics.initDurationMs, 'number');
    assert.equal(firstReport.record.metrics.memorySizeMB, 128);
    const secondReport = report.events[9];
    assert.ok(secondReport?.type === 'platform.report');
    assert.equal(secondReport.record.metrics.initDurationMs, undefined);
    assert.equal(secondReport.record.status, 'error');
    assert.equal(report.shutdown?.reason, 'spindown');
    await assert.rejects(sandbox.invoke(), /cannot invoke/);
  });

  it('ends init only after every extension called next, and passes the Lambda env', async () => {
    const record = dir.file('init-wait.jsonl');
    const sandbox = await startSandbox({
      extensions: [fixture('minimal-extension.mjs'), fixture('recording-extension.mjs')],
      env: { RECORD_FILE: record, RECORD_INIT_DELAY_MS: '300', LAMBDA_OTEL_TEST: 'yes' },
      function: { name: 'my-fn', memorySizeMB: 256, region: 'eu-west-1' },
    });
    const atInit = sandbox.report();
    const report = await sandbox.shutdown({ shutdownMs: 1000 });

    assert.equal(atInit.initDone, true);
    const slow = atInit.extensions[1];
    assert.ok(slow !== undefined && slow.nextCalls[0] !== undefined && atInit.initEndedAtMs !== null);
    assert.ok(slow.nextCalls[0].atMs <= atInit.initEndedAtMs);
    assert.ok((atInit.initDurationMs ?? 0) >= 300);
    const initReport = report.events.find((event) => event.type === 'platform.initReport');
    assert.ok(initReport?.type === 'platform.initReport');
    assert.ok(initReport.record.metrics.durationMs >= 300);
    const env = readRecords(record).find((line) => line.kind === 'env')?.env ?? {};
    assert.equal(env['AWS_LAMBDA_RUNTIME_API'], sandbox.runtimeApi);
    assert.equal(env['AWS_LAMBDA_FUNCTION_NAME'], 'my-fn');
    assert.equal(env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'], '256');
    assert.equal(env['AWS_REGION'], 'eu-west-1');
    assert.equal(env['AWS_LAMBDA_LOG_GROUP_NAME'], '/aws/lambda/my-fn');
    assert.equal(env['AWS_LAMBDA_INITIALIZATION_TYPE'], 'on-demand');
    assert.equal(env['TZ'], ':UTC');
    assert.equal(env['LAMBDA_OTEL_TEST'], 'yes');
    assert.equal(report.extensions[1]?.registered?.acceptFeature, 'accountId');
  });

  it('answers API misuse with AWS ErrorResponse bodies', async () => {
    const sandbox = await startSandbox({ extensions: [fixture('minimal-extension.mjs')] });
    try {
      const api = sandbox.runtimeApi;
      const registerLate = await rawCall(api, 'POST', '/2020-01-01/extension/register', {
        'Lambda-Extension-Name': 'minimal-extension.mjs',
      }, '{"events":["INVOKE"]}');
      const noName = await rawCall(api, 'POST', '/2020-01-01/extension/register', {}, '{"events":["INVOKE"]}');
      const unknownId = await rawCall(api, 'GET', '/2020-01-01/extension/event/next', {
        'Lambda-Extension-Identifier': '00000000-0000-0000-0000-000000000000',
      });
      const noId = await rawCall(api, 'PUT', '/2022-07-01/telemetry', {}, '{}');
      const notFound = await rawCall(api, 'GET', '/2020-01-01/nope');
      const wrongMethod = await rawCall(api, 'GET', '/2020-01-01/extension/register');
      const tooLarge = await rawCall(api, 'POST', '/2020-01-01/extension/register', {}, 'x'.repeat(1024 * 1024 + 1));

      assert.deepEqual([registerLate.status, (registerLate.json as { errorType: string }).errorType], [403, 'Extension.RegistrationClosed']);
      assert.deepEqual([noName.status, (noName.json as { errorType: string }).errorType], [400, 'Extension.InvalidExtensionName']);
      assert.deepEqual(unknownId.json, {
        errorMessage: 'missing or unknown Lambda-Extension-Identifier header',
        errorType: 'Extension.InvalidExtensionIdentifier',
      });
      assert.equal(unknownId.status, 403);
      assert.equal(noId.status, 403);
      assert.equal(notFound.status, 404);
      assert.equal(wrongMethod.status, 405);
      assert.equal(tooLarge.status, 413);
    } finally {
      await sandbox.shutdown({ shutdownMs: 1000 });
    }
  });
});

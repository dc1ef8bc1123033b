import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runScenario, startSandbox } from '../../src/sandbox/index.ts';
import { fixture, readRecords, tempDir } from './helpers.ts';

describe('misbehaving extensions', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('records init/error, reports the exit code and shuts the others down with reason failure', async () => {
    const record = dir.file('init-error.jsonl');
    const sandbox = await startSandbox({
      extensions: [fixture('init-error-extension.mjs'), fixture('recording-extension.mjs')],
      env: { RECORD_FILE: record },
    });
    const report = sandbox.report();

    assert.equal(report.initDone, false);
    assert.match(report.initFailure ?? '', /init-error-extension\.mjs reported init error Extension\.ConfigInvalid/);
    const failed = report.extensions[0];
    assert.equal(failed?.initError?.errorType, 'Extension.ConfigInvalid');
    assert.deepEqual(failed?.initError?.body, {
      errorMessage: 'LAMBDA_OTEL_ENDPOINT is not a URL',
      errorType: 'Extension.ConfigInvalid',
      stackTrace: [],
    });
    assert.equal(failed?.exit?.code, 1);
    assert.equal(report.shutdown?.reason, 'failure');
    const shutdown = readRecords(record).find((line) => line.kind === 'event' && line.eventType === 'SHUTDOWN');
    assert.equal(shutdown?.event?.['shutdownReason'], 'failure');
    const initReport = report.events.find((event) => event.type === 'platform.initReport');
    assert.ok(initReport?.type === 'platform.initReport');
    assert.deepEqual([initReport.record.status, initReport.record.errorType], ['error', 'Extension.ConfigInvalid']);
    await assert.rejects(sandbox.invoke(), /init failed/);
    assert.equal((await sandbox.shutdown()).shutdown?.reason, 'failure');
  });

  it('SIGKILLs an extension that ignores SHUTDOWN at the deadline', async () => {
    const report = await runScenario({
      extensions: [fixture('stubborn-extension.mjs'), fixture('minimal-extension.mjs')],
      scenario: { invocations: [{ durationMs: 10 }], shutdown: { shutdownMs: 500 } },
    });

    const [stubborn, minimal] = report.extensions;
    assert.deepEqual(stubborn?.exit && [stubborn.exit.signal, stubborn.exit.killed, stubborn.exit.beforeDeadline], ['SIGKILL', true, false]);
    assert.deepEqual(stubborn?.violations, ['next after SHUTDOWN']);
    assert.equal(stubborn?.nextCalls.at(-1)?.delivered, null);
    assert.deepEqual(minimal?.exit && [minimal.exit.code, minimal.exit.killed, minimal.exit.beforeDeadline], [0, false, true]);
  });

  it('fails init after initTimeoutMs and still shuts down cleanly', async () => {
    const record = dir.file('init-timeout.jsonl');
    const sandbox = await startSandbox({
      extensions: [fixture('recording-extension.mjs')],
      // The extension must have registered before the timeout for SHUTDOWN to reach it: a node
      // start alone can take over 100 ms on a loaded machine, so the timeout leaves room for it.
      env: { RECORD_FILE: record, RECORD_INIT_DELAY_MS: '1500' },
      initTimeoutMs: 1000,
    });
    const report = sandbox.report();

    assert.equal(report.initDone, false);
    assert.ok(report.extensions[0]?.registered, 'registered before the init timeout');
    assert.match(report.initFailure ?? '', /init timed out after 1000 ms waiting for recording-extension\.mjs/);
    assert.equal(report.shutdown?.reason, 'timeout');
    assert.equal(report.extensions[0]?.exit?.code, 0);
    assert.equal(report.extensions[0]?.nextCalls[0]?.delivered, 'SHUTDOWN');
  });

  it('reports an executable that cannot be started', async () => {
    const sandbox = await startSandbox({ extensions: [dir.file('does-not-exist')] });
    const report = sandbox.report();

    assert.equal(report.initDone, false);
    assert.equal(report.extensions[0]?.spawnError, 'ENOENT');
    assert.match(report.initFailure ?? '', /could not be started \(ENOENT\)/);
  });

  it('resets the environment after a timeout: SHUTDOWN with reason timeout, report delivered during it', async () => {
    const record = dir.file('timeout.jsonl');
    const report = await runScenario({
      extensions: [fixture('recording-extension.mjs')],
      env: { RECORD_FILE: record },
      function: { timeoutMs: 100 },
      scenario: { invocations: [{ status: 'timeout' }, { durationMs: 10 }], shutdown: { shutdownMs: 1000 } },
    });

    assert.equal(report.invocations.length, 1);
    const invocation = report.invocations[0];
    assert.deepEqual([invocation?.status, invocation?.errorType], ['timeout', 'Sandbox.Timedout']);
    assert.ok((invocation?.runtimeDurationMs ?? 0) >= 100);
    assert.equal(report.shutdown?.reason, 'timeout');
    const records = readRecords(record);
    const shutdown = records.find((line) => line.kind === 'event' && line.eventType === 'SHUTDOWN');
    assert.equal(shutdown?.event?.['shutdownReason'], 'timeout');
    const delivered = records.flatMap((line) => line.events ?? []);
    const timedOut = delivered.find((event) => event.type === 'platform.report');
    assert.ok(timedOut?.type === 'platform.report');
    assert.equal(timedOut.record.status, 'timeout');
    assert.equal(report.extensions[0]?.exit?.code, 0);
  });
});

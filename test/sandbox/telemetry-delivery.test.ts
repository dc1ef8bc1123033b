import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runScenario, startSandbox } from '../../src/sandbox/index.ts';
import type { TelemetryEvent } from '../../src/telemetry/events.ts';
import { fixture, readRecords, receivedEvents, tempDir } from './helpers.ts';

function reportOf(events: readonly TelemetryEvent[], requestId: string): TelemetryEvent | undefined {
  return events.find((event) => event.type === 'platform.report' && event.record.requestId === requestId);
}

describe('telemetry delivery', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('delivers report N only after the extension called next: during N+1 or SHUTDOWN', async () => {
    const record = dir.file('report-order.jsonl');
    const sandbox = await startSandbox({ extensions: [fixture('recording-extension.mjs')], env: { RECORD_FILE: record } });
    const first = await sandbox.invoke({ durationMs: 10 });
    // Without the freeze, report 1 would arrive here, 25 ms after the first invoke phase.
    await sandbox.idle(150);
    const second = await sandbox.invoke({ durationMs: 10 });
    const report = await sandbox.shutdown({ shutdownMs: 1000 });

    const records = readRecords(record);
    const batchWith = (requestId: string) =>
      records.find((line) => line.kind === 'batch' && line.events?.some((e) => e.type === 'platform.report' && e.record.requestId === requestId));
    const report1 = batchWith(first.requestId);
    const report2 = batchWith(second.requestId);
    assert.ok(report1 !== undefined, 'report 1 delivered');
    assert.ok(report2 !== undefined, 'report 2 delivered during SHUTDOWN');
    assert.ok(report1.atEpochMs >= second.startEpochMs, 'report 1 arrived during invocation 2');
    const shutdownLine = records.find((line) => line.kind === 'event' && line.eventType === 'SHUTDOWN');
    assert.ok(shutdownLine !== undefined && report2.atEpochMs >= shutdownLine.atEpochMs);
    const received = receivedEvents(records);
    assert.deepEqual(
      received.slice(0, 5).map((event) => event.type),
      ['platform.initStart', 'platform.extension', 'platform.telemetrySubscription', 'platform.initRuntimeDone', 'platform.initReport'],
    );
    assert.equal(report1.host?.startsWith('sandbox.localdomain:'), true);
    assert.equal(report1.contentType, 'application/json');
    const ext = report.extensions[0];
    assert.equal(ext?.subscription?.schemaVersion, '2022-12-13');
    assert.deepEqual(ext?.subscription?.buffering, { maxItems: 1000, maxBytes: 262144, timeoutMs: 25 });
    assert.equal(ext?.delivery.failures, 0);
    assert.equal(ext?.delivery.events, received.length);
    assert.equal(ext?.exit?.code, 0);
  });

  it('sends a full batch at maxItems without waiting for timeoutMs', async () => {
    const record = dir.file('max-items.jsonl');
    const logs = Array.from({ length: 1200 }, (_, i) => `line ${i}`);
    const started = Date.now();
    const report = await runScenario({
      extensions: [fixture('recording-extension.mjs')],
      env: {
        RECORD_FILE: record,
        RECORD_TYPES: 'function',
        RECORD_BUFFERING: JSON.stringify({ maxItems: 1000, timeoutMs: 30000 }),
        RECORD_DRAIN_MS: '200',
      },
      scenario: { invocations: [{ durationMs: 20, logs }], shutdown: { shutdownMs: 1000 } },
    });

    const batches = readRecords(record).filter((line) => line.kind === 'batch');
    assert.equal(batches[0]?.events?.length, 1000);
    assert.ok((batches[0]?.atEpochMs ?? Infinity) - started < 30000);
    assert.equal(batches[0]?.events?.[0]?.record, 'line 0');
    assert.equal(report.extensions[0]?.delivery.undeliveredEvents, 200);
  });

  it('flushes after timeoutMs and keeps batches within maxBytes', async () => {
    const record = dir.file('timeout.jsonl');
    const big = 'x'.repeat(100_000);
    const report = await runScenario({
      extensions: [fixture('recording-extension.mjs')],
      env: { RECORD_FILE: record, RECORD_BUFFERING: JSON.stringify({ maxItems: 1000, maxBytes: 262144, timeoutMs: 50 }) },
      scenario: {
        invocations: [
          { durationMs: 30, logs: [big, big, big, { level: 'INFO', message: 'json log' }], tracing: true },
        ],
        shutdown: { shutdownMs: 1000 },
      },
    });

    const records = readRecords(record);
    const batches = records.filter((line) => line.kind === 'batch');
    assert.ok(batches.length >= 2);
    for (const batch of batches) assert.ok((batch.bytes ?? 0) <= 262144, `batch of ${batch.bytes} bytes`);
    const received = receivedEvents(records);
    assert.ok(received.some((event) => event.type === 'function' && typeof event.record === 'object' && event.record['message'] === 'json log'));
    const start = received.find((event) => event.type === 'platform.start');
    assert.ok(start?.type === 'platform.start');
    assert.match(start.record.tracing?.value ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/);
    assert.match(start.record.tracing?.spanId ?? '', /^[0-9a-f]{16}$/);
    const invoke = records.find((line) => line.kind === 'event' && line.eventType === 'INVOKE')?.event;
    assert.equal((invoke?.['tracing'] as { value: string } | undefined)?.value, start.record.tracing?.value);
    const requestId = report.invocations[0]?.requestId ?? '';
    assert.ok(reportOf(received, requestId) !== undefined);
    const runtimeDone = received.find((event) => event.type === 'platform.runtimeDone');
    assert.ok(runtimeDone?.type === 'platform.runtimeDone');
    assert.deepEqual(runtimeDone.record.spans?.map((span) => span.name), ['responseLatency', 'responseDuration']);
  });

  it('drops a failed batch and later sends platform.logsDropped', async () => {
    const record = dir.file('dropped.jsonl');
    const report = await runScenario({
      extensions: [fixture('recording-extension.mjs')],
      env: { RECORD_FILE: record, RECORD_FAIL_FIRST: '1' },
      // The first invocation outlasts timeoutMs (25 ms), so the init batch goes out (and fails) during it.
      scenario: { invocations: [{ durationMs: 100 }, { durationMs: 10, gapMs: 20 }], shutdown: { shutdownMs: 1000 } },
    });

    const records = readRecords(record);
    assert.equal(records.filter((line) => line.kind === 'refused-batch').length, 1);
    const dropped = receivedEvents(records).find((event) => event.type === 'platform.logsDropped');
    assert.ok(dropped?.type === 'platform.logsDropped');
    assert.ok(dropped.record.droppedRecords >= 1);
    assert.ok(dropped.record.droppedBytes > 0);
    const ext = report.extensions[0];
    assert.equal(ext?.delivery.failures, 1);
    assert.equal(ext?.delivery.lastError, 'HTTP 500');
    assert.ok(report.events.some((event) => event.type === 'platform.logsDropped'));
    assert.ok(reportOf(receivedEvents(records), report.invocations[1]?.requestId ?? '') !== undefined);
    assert.equal(ext?.exit?.code, 0);
  });
});

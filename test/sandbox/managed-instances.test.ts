/**
 * The sandbox's Lambda Managed Instances mode, through a real extension process over real
 * sockets: registration for SHUTDOWN only, schema 2025-01-29 only, concurrent invocations
 * without INVOKE events or runtimeDone, logs that name their request.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startSandbox } from '../../src/sandbox/index.ts';
import type { InvocationResult, SandboxReport } from '../../src/sandbox/index.ts';
import type { ReportEvent, StartEvent, TelemetryEvent } from '../../src/telemetry/events.ts';
import { fixture, readRecords, receivedEvents, tempDir } from './helpers.ts';
import type { RecordLine } from './helpers.ts';

const INVOKE_REFUSAL = '{"errorMessage":"INVOKE: ErrorInvalidEventType","errorType":"Extension.InvalidEventType"}\n';
const SCHEMA_REFUSAL =
  '{"errorType": "ValidationError", "errorMessage": "schema validation error: jsonschema: \'/schemaVersion\' does not validate ' +
  'with file:///var/task/telemetry-subscription-schema.json#/properties/schemaVersion/enum: value must be "2025-01-29""}';
const CONCURRENT = 8;
/** Bodies captured from AWS's runtime emulator in LMI mode, beside the repository (not part of it). */
const CAPTURE_DIR = new URL('../../../shared/fixtures/telemetry-lmi/', import.meta.url);

/** One LMI run shared by the tests: 8 concurrent invocations, then an error, a timeout and a traced one at once. */
interface LmiRun {
  readonly report: SandboxReport;
  readonly records: RecordLine[];
  readonly received: TelemetryEvent[];
  readonly concurrent: InvocationResult[];
  readonly error: InvocationResult;
  readonly timeout: InvocationResult;
  readonly traced: InvocationResult;
}

async function runLmi(recordFile: string): Promise<LmiRun> {
  const sandbox = await startSandbox({
    extensions: [fixture('lmi-extension.mjs')],
    managedInstances: true,
    maxConcurrency: CONCURRENT,
    function: { name: 'fixture-fn', timeoutMs: 600 },
    env: {
      RECORD_FILE: recordFile,
      RECORD_EXPECT_REPORTS: String(CONCURRENT + 3),
      RECORD_BUFFERING: JSON.stringify({ maxItems: 1000, maxBytes: 262144, timeoutMs: 500 }),
    },
  });
  const concurrent = await Promise.all(
    Array.from({ length: CONCURRENT }, (_, i) =>
      sandbox.invoke({ requestId: randomUUID(), durationMs: 300, logs: [`text ${i} a`, { level: 'INFO', message: `json ${i}` }, `text ${i} b`] }),
    ),
  );
  const [error, timeout, traced] = await Promise.all([
    sandbox.invoke({ status: 'error', errorType: 'Runtime.Unknown', durationMs: 30 }),
    sandbox.invoke({ status: 'timeout', logs: ['still running'] }),
    sandbox.invoke({ tracing: true, durationMs: 30 }),
  ]);
  const report = await sandbox.shutdown();
  const records = readRecords(recordFile);
  return { report, records, received: receivedEvents(records), concurrent, error: error!, timeout: timeout!, traced: traced! };
}

function ofType<T extends TelemetryEvent>(events: readonly TelemetryEvent[], type: T['type']): T[] {
  return events.filter((event): event is T => event.type === type);
}

describe('sandbox in Managed Instances mode', () => {
  const dir = tempDir();
  let run: LmiRun;
  before(async () => {
    run = await runLmi(dir.file('lmi.jsonl'));
  });
  after(() => dir.cleanup());

  it('refuses a registration for INVOKE with the exact 403, then accepts SHUTDOWN only', () => {
    const answers = run.records.filter((line) => line.kind === 'register');
    const registered = '{"functionName":"fixture-fn","functionVersion":"$LATEST","handler":"index.handler"}\n';
    assert.deepEqual(answers.map((line) => [line.status, line.body, line.contentLength]), [
      [403, INVOKE_REFUSAL, '90'],
      [200, registered, String(registered.length)],
    ]);
    assert.deepEqual(run.report.extensions[0]?.registered?.events, ['SHUTDOWN']);
  });

  it('refuses schema 2022-12-13 with the emulator\'s ValidationError, accepts 2025-01-29', () => {
    const answers = run.records.filter((line) => line.kind === 'subscribe');
    assert.deepEqual(answers.map((line) => [line.schemaVersion, line.status, line.body]), [
      ['2022-12-13', 400, SCHEMA_REFUSAL],
      ['2025-01-29', 200, '"OK"'],
    ]);
    const attempts = run.report.extensions[0]?.subscribeAttempts ?? [];
    assert.deepEqual(attempts.map((attempt) => attempt.errorType), ['ValidationError', null]);
  });

  it('gives the extensions the LMI environment', () => {
    const env = run.records.find((line) => line.kind === 'env')?.env ?? {};
    assert.equal(env['AWS_LAMBDA_INITIALIZATION_TYPE'], 'lambda-managed-instances');
    assert.equal(env['AWS_LAMBDA_MAX_CONCURRENCY'], String(CONCURRENT));
    assert.equal(env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'], '2048');
  });

  it('sends no INVOKE, only SHUTDOWN, and the extension exits before the deadline', () => {
    const events = run.records.filter((line) => line.kind === 'event').map((line) => line.eventType);
    assert.deepEqual(events, ['SHUTDOWN']);
    const ext = run.report.extensions[0]!;
    assert.deepEqual(ext.nextCalls.map((call) => call.delivered), ['SHUTDOWN']);
    assert.equal(ext.exit?.code, 0, ext.stderr);
    assert.equal(ext.exit?.beforeDeadline, true);
    assert.deepEqual(ext.violations, []);
  });

  it('produces no platform.runtimeDone and no initDurationMs', () => {
    assert.equal(run.report.events.filter((event) => event.type === 'platform.runtimeDone').length, 0);
    for (const report of ofType<ReportEvent>(run.report.events, 'platform.report')) {
      assert.deepEqual(Object.keys(report.record.metrics), ['durationMs']);
    }
  });

  it('runs the 8 invocations concurrently and says which overlapped', () => {
    const ids = run.concurrent.map((result) => result.requestId);
    for (const result of run.concurrent) {
      assert.deepEqual([...(result.overlappedWith ?? [])].sort(), ids.filter((id) => id !== result.requestId).sort());
      assert.equal(result.peakConcurrency, CONCURRENT);
      assert.equal(result.postRuntimeDurationMs, 0);
    }
  });

  it('interleaves the concurrent invocations\' log lines in one batch', () => {
    const ids = new Set(run.concurrent.map((result) => result.requestId));
    const interleaved = run.records.some((line) => {
      const owners = (line.events ?? []).filter((event) => event.type === 'function').map(ownerOf).filter((id) => ids.has(id));
      const runs = owners.filter((id, i) => i === 0 || owners[i - 1] !== id).length;
      return new Set(owners).size >= 2 && runs > new Set(owners).size;
    });
    assert.ok(interleaved, 'no batch where lines of one invocation are separated by lines of another');
  });

  it('writes JSON logs with requestId and text lines with the id in field 2', () => {
    run.concurrent.forEach((result, i) => {
      const mine = run.received.filter((event) => event.type === 'function' && ownerOf(event) === result.requestId);
      const records = mine.map((event) => event.record);
      assert.equal(records.length, 3);
      assert.deepEqual(records[1], { level: 'INFO', message: `json ${i}`, requestId: result.requestId });
      for (const [index, text] of [[0, `text ${i} a`], [2, `text ${i} b`]] as const) {
        const fields = String(records[index]).split('\t');
        assert.deepEqual(fields.slice(1), [result.requestId, 'INFO', text]);
        assert.ok(!Number.isNaN(Date.parse(fields[0]!)));
      }
    });
  });

  it('reports each invocation with its two response spans before SHUTDOWN, without waiting for next', () => {
    const shutdownAt = run.records.findIndex((line) => line.kind === 'event');
    const reports = run.records.slice(0, shutdownAt).flatMap((line) => ofType<ReportEvent>(line.events ?? [], 'platform.report'));
    for (const result of [...run.concurrent, run.error, run.traced]) {
      const report = reports.find((event) => event.record.requestId === result.requestId);
      assert.ok(report, `report of ${result.requestId} before SHUTDOWN`);
      assert.deepEqual(report.record.spans?.map((span) => span.name), ['responseLatency', 'responseDuration']);
    }
  });

  it('gives start its functionArn and a traced invocation its tracing', () => {
    const starts = ofType<StartEvent>(run.received, 'platform.start');
    assert.equal(starts.length, CONCURRENT + 3);
    for (const start of starts) assert.equal(start.record.functionArn, 'arn:aws:lambda:us-east-1:123456789012:function:fixture-fn');
    const traced = starts.find((start) => start.record.requestId === run.traced.requestId);
    assert.equal(traced?.record.tracing?.value, run.traced.tracing);
    const report = ofType<ReportEvent>(run.received, 'platform.report').find((event) => event.record.requestId === run.traced.requestId);
    assert.equal(report?.record.tracing?.value, run.traced.tracing);
  });

  it('ends an error with errorType, a timeout with Sandbox.Timedout and no spans, and keeps the environment', () => {
    const reports = ofType<ReportEvent>(run.received, 'platform.report');
    const error = reports.find((event) => event.record.requestId === run.error.requestId);
    assert.deepEqual([error?.record.status, error?.record.errorType], ['error', 'Runtime.Unknown']);
    const timeout = reports.find((event) => event.record.requestId === run.timeout.requestId);
    assert.deepEqual([timeout?.record.status, timeout?.record.errorType], ['timeout', 'Sandbox.Timedout']);
    assert.equal(timeout?.record.spans, undefined);
    assert.ok(run.timeout.runtimeDurationMs >= 600);
    assert.equal(run.report.shutdown?.reason, 'spindown');
  });

  it('produces each platform event with the keys, in the order, of the emulator capture', (t) => {
    const captured = capturedEvents();
    if (captured === null) {
      t.skip(`no capture at ${CAPTURE_DIR.pathname} (../shared is not beside this checkout)`);
      return;
    }
    const traced = run.traced.requestId;
    const ours = run.report.events.filter((event) => !('requestId' in Object(event.record)) || (event.record as { requestId: string }).requestId !== traced);
    // The capture has no timeout (a report without spans) and no traced invocation.
    const key = (event: TelemetryEvent): string =>
      event.type !== 'platform.report' ? event.type : `${event.type} (${event.record.spans === undefined ? 'timeout' : 'errorType' in event.record ? 'error' : 'success'})`;
    const expected = new Map<string, string[]>();
    for (const event of captured) if (event.type.startsWith('platform.')) expected.set(key(event), shapeOf(event.record));
    assert.ok(expected.size >= 7, [...expected.keys()].join(', '));
    for (const [type, shape] of expected) {
      const mine = ours.filter((event) => key(event) === type && event.record !== null);
      assert.ok(mine.length > 0, `the sandbox produced no ${type}`);
      for (const event of mine) assert.deepEqual(shapeOf(event.record), shape, type);
    }
    const lines = captured.filter((event) => event.type === 'extension').map((event) => String(event.record));
    assert.ok(lines.includes(`[testext] register 403 ${INVOKE_REFUSAL.trimEnd()}`));
    assert.ok(lines.includes(`[testext] subscribe 400 ${SCHEMA_REFUSAL}`));
  });

  it('starts init with the LMI initStart', () => {
    const [initStart] = run.report.events.filter((event) => event.type === 'platform.initStart');
    assert.ok(initStart !== undefined && initStart.type === 'platform.initStart');
    assert.equal(initStart.record.initializationType, 'lambda-managed-instances');
    assert.equal(initStart.record.instanceMaxMemory, 2048 * 1024 * 1024);
    assert.match(initStart.record.instanceId ?? '', /^i-[0-9a-f]{17}$/);
  });
});

/** Keys of a record in order, with those of its metrics and spans: what a decoder sees of its shape. */
function shapeOf(record: unknown): string[] {
  if (typeof record !== 'object' || record === null) return [typeof record];
  const fields = record as Record<string, unknown>;
  const spans = Array.isArray(fields['spans']) ? (fields['spans'] as unknown[]) : [];
  const metrics = fields['metrics'];
  return [
    ...Object.keys(fields),
    ...(typeof metrics === 'object' && metrics !== null ? Object.keys(metrics).map((key) => `metrics.${key}`) : []),
    ...spans.flatMap((span) => Object.keys(span as object).map((key) => `spans.${key}`)),
  ];
}

/** The captured `rie-lmi-post-*` events in delivery order, null when ../shared is absent. */
function capturedEvents(): TelemetryEvent[] | null {
  if (!existsSync(CAPTURE_DIR)) return null;
  const files = readdirSync(CAPTURE_DIR).filter((name) => /^rie-lmi-post-\d+\.json$/.test(name)).sort();
  return files.flatMap((name) => JSON.parse(readFileSync(new URL(name, CAPTURE_DIR), 'utf8')) as TelemetryEvent[]);
}

function ownerOf(event: TelemetryEvent): string {
  const record = event.record;
  if (typeof record === 'string') return record.split('\t')[1] ?? '';
  return typeof record === 'object' && record !== null && 'requestId' in record ? String(record.requestId) : '';
}

describe('sandbox in Managed Instances mode, limits and options', () => {
  it('rejects an invocation beyond maxConcurrency and keeps running the others', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const sandbox = await startSandbox({
      extensions: [fixture('lmi-extension.mjs')],
      managedInstances: true,
      maxConcurrency: 2,
      env: { RECORD_FILE: dir.file('limit.jsonl') },
    });
    const first = sandbox.invoke({ durationMs: 200 });
    const second = sandbox.invoke({ durationMs: 200 });
    await assert.rejects(sandbox.invoke({ durationMs: 200 }), /2 invocations in flight, maxConcurrency is 2/);
    const results = await Promise.all([first, second]);
    assert.deepEqual(results.map((result) => result.status), ['success', 'success']);
    await sandbox.invoke({ durationMs: 10 });
    const report = await sandbox.shutdown();
    assert.equal(report.invocations.length, 3);
  });

  it('refuses options that contradict the mode', async () => {
    const extensions = [fixture('lmi-extension.mjs')];
    await assert.rejects(startSandbox({ extensions, managedInstances: true, freeze: true }), RangeError);
    await assert.rejects(startSandbox({ extensions, maxConcurrency: 4 }), RangeError);
    await assert.rejects(startSandbox({ extensions, managedInstances: true, maxConcurrency: 0 }), RangeError);
  });
});

/**
 * decode(): one POST body of the Telemetry API -> typed events + rejected items + dropped optional fields.
 * Valid cases are our own fixtures (test/fixtures/telemetry), written from
 * https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html;
 * malformed cases are one table row per malformation.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { EVENT_TYPES } from '../../src/telemetry/constants.ts';
import { decode } from '../../src/telemetry/decode.ts';
import type { BatchError, DecodeResult, RejectReason } from '../../src/telemetry/decode.ts';
import type { TelemetryEventType } from '../../src/telemetry/events.ts';
import { OWN_FIXTURES, plain, readFixture, withoutPaths } from './support.ts';

const TIME = '2025-03-14T09:26:53.589Z';
const REQUEST_ID = '3f6c1d2e-8b4a-4c7e-9a15-2d0e7b91c4f8';
const TRACE_VALUE = 'Root=1-67d3f1a2-9c4e2b7a1f0d3e5c8b6a4d21;Parent=4f2a9c7e1b3d5a60;Sampled=1';
const REPORT_METRICS = { durationMs: 144.062, billedDurationMs: 145, memorySizeMB: 512, maxMemoryUsedMB: 93 };

/** The three shapes a body can reach `decode` in. */
const INPUT_FORMS = {
  string: (bytes: Buffer): unknown => bytes.toString('utf8'),
  Buffer: (bytes: Buffer): unknown => bytes,
  parsed: (bytes: Buffer): unknown => JSON.parse(bytes.toString('utf8')),
} as const;

interface ValidCase {
  readonly file: string;
  readonly type: TelemetryEventType;
  /** Fields of the input that are not in the schema, so not in the decoded event. */
  readonly dropped?: readonly string[];
}

/** One event per file; every event type, with and without its optional fields. */
const VALID: readonly ValidCase[] = [
  { file: 'platform-initStart-on-demand.json', type: 'platform.initStart' },
  { file: 'platform-initStart-minimal.json', type: 'platform.initStart' },
  { file: 'platform-initStart-invoke-phase.json', type: 'platform.initStart' },
  { file: 'platform-initStart-snap-start.json', type: 'platform.initStart' },
  { file: 'platform-initStart-managed-instances.json', type: 'platform.initStart' },
  { file: 'platform-initRuntimeDone-success.json', type: 'platform.initRuntimeDone' },
  { file: 'platform-initRuntimeDone-error.json', type: 'platform.initRuntimeDone' },
  { file: 'platform-initRuntimeDone-failure.json', type: 'platform.initRuntimeDone' },
  { file: 'platform-initRuntimeDone-timeout.json', type: 'platform.initRuntimeDone' },
  { file: 'platform-initReport-success.json', type: 'platform.initReport' },
  { file: 'platform-initReport-error.json', type: 'platform.initReport' },
  { file: 'platform-initReport-timeout.json', type: 'platform.initReport' },
  { file: 'platform-initReport-no-status.json', type: 'platform.initReport' },
  { file: 'platform-initReport-snap-start-billed.json', type: 'platform.initReport' },
  { file: 'platform-start.json', type: 'platform.start' },
  { file: 'platform-start-minimal.json', type: 'platform.start' },
  { file: 'platform-start-tenant.json', type: 'platform.start' },
  { file: 'platform-runtimeDone-success.json', type: 'platform.runtimeDone' },
  { file: 'platform-runtimeDone-error.json', type: 'platform.runtimeDone' },
  { file: 'platform-runtimeDone-failure.json', type: 'platform.runtimeDone' },
  { file: 'platform-runtimeDone-timeout.json', type: 'platform.runtimeDone' },
  { file: 'platform-runtimeDone-minimal.json', type: 'platform.runtimeDone' },
  { file: 'platform-runtimeDone-tenant.json', type: 'platform.runtimeDone' },
  {
    file: 'platform-runtimeDone-unknown-fields.json',
    type: 'platform.runtimeDone',
    dropped: [
      'record.executionEnvironmentHint',
      'record.metrics.cpuTimeMs',
      'record.spans.0.kind',
      'record.tracing.sampledBy',
    ],
  },
  { file: 'platform-report-success.json', type: 'platform.report' },
  { file: 'platform-report-error.json', type: 'platform.report' },
  { file: 'platform-report-failure.json', type: 'platform.report' },
  { file: 'platform-report-timeout.json', type: 'platform.report' },
  { file: 'platform-report-no-status.json', type: 'platform.report' },
  { file: 'platform-report-snap-start.json', type: 'platform.report' },
  { file: 'platform-report-managed-instances.json', type: 'platform.report' },
  { file: 'platform-restoreStart.json', type: 'platform.restoreStart' },
  { file: 'platform-restoreStart-minimal.json', type: 'platform.restoreStart' },
  { file: 'platform-restoreRuntimeDone-success.json', type: 'platform.restoreRuntimeDone' },
  { file: 'platform-restoreRuntimeDone-error.json', type: 'platform.restoreRuntimeDone' },
  { file: 'platform-restoreRuntimeDone-timeout.json', type: 'platform.restoreRuntimeDone' },
  { file: 'platform-restoreReport-success.json', type: 'platform.restoreReport' },
  { file: 'platform-restoreReport-failure.json', type: 'platform.restoreReport' },
  { file: 'platform-restoreReport-no-metrics.json', type: 'platform.restoreReport' },
  { file: 'platform-restoreReport-no-status.json', type: 'platform.restoreReport' },
  { file: 'platform-extension.json', type: 'platform.extension' },
  { file: 'platform-extension-shutdown-only.json', type: 'platform.extension' },
  { file: 'platform-extension-error.json', type: 'platform.extension' },
  { file: 'platform-telemetrySubscription.json', type: 'platform.telemetrySubscription' },
  { file: 'platform-logsDropped.json', type: 'platform.logsDropped' },
  { file: 'function-text.json', type: 'function' },
  { file: 'function-text-empty.json', type: 'function' },
  { file: 'function-json-log.json', type: 'function' },
  { file: 'function-json-log-error.json', type: 'function' },
  { file: 'function-json-log-minimal.json', type: 'function' },
  { file: 'extension-text.json', type: 'extension' },
  { file: 'extension-json-log.json', type: 'extension' },
];

const BATCH_FILES = ['batch-cold-start-and-invocation.json'];

describe('decode: valid events', () => {
  for (const { file, type, dropped = [] } of VALID) {
    it(`${file} decodes to one ${type} equal to the input`, () => {
      // Prepare
      const bytes = readFixture(file);
      const input = JSON.parse(bytes.toString('utf8')) as unknown[];
      assert.equal(input.length, 1, 'a valid fixture holds one event');
      const expected = withoutPaths(input[0], dropped);

      for (const [form, toBody] of Object.entries(INPUT_FORMS)) {
        // Act
        const result = decode(toBody(bytes));

        // Assess
        assert.equal(result.batchError, null, form);
        assert.deepEqual(result.rejected, [], form);
        assert.deepEqual(result.dropped, [], form);
        assert.equal(result.events.length, 1, form);
        assert.equal(result.events[0]?.type, type, form);
        assert.deepEqual(plain(result.events[0]), expected, form);
      }
    });
  }

  it('the table covers every event type', () => {
    const covered = new Set(VALID.map((c) => c.type));
    assert.deepEqual([...covered].sort(), Object.values(EVENT_TYPES).sort());
  });

  it('the table lists every fixture file, so none goes untested', () => {
    const onDisk = readdirSync(OWN_FIXTURES).filter((name) => name.endsWith('.json'));
    assert.deepEqual(onDisk.sort(), [...VALID.map((c) => c.file), ...BATCH_FILES].sort());
  });

  it('keeps the user fields of a JSON-log record and drops unknown envelope fields', () => {
    const record = { timestamp: TIME, level: 'DEBUG', requestId: REQUEST_ID, message: 'm', cartSize: 3, tags: ['a'] };
    const result = decode([{ time: TIME, type: 'function', record, deliveredBy: 'lambda' }]);
    assert.deepEqual(plain(result.events), [{ time: TIME, type: 'function', record }]);
  });

  it('decodes a cold start and one invocation in one batch, in order', () => {
    // Prepare
    const bytes = readFixture('batch-cold-start-and-invocation.json');
    const input = JSON.parse(bytes.toString('utf8')) as unknown[];

    // Act
    const result = decode(bytes);

    // Assess
    assert.equal(result.batchError, null);
    assert.deepEqual(result.rejected, []);
    assert.deepEqual(plain(result.events), input);
    assert.deepEqual(
      result.events.map((e) => e.type),
      [
        'platform.initStart',
        'platform.telemetrySubscription',
        'platform.extension',
        'extension',
        'function',
        'platform.initRuntimeDone',
        'platform.initReport',
        'platform.start',
        'function',
        'function',
        'platform.runtimeDone',
        'extension',
        'platform.report',
      ],
    );
  });

  it('accepts an empty array: no events, no rejections', () => {
    for (const body of ['[]', ' [ ]\n', Buffer.from('[]'), []]) {
      assert.deepEqual(decode(body), { events: [], rejected: [], dropped: [], batchError: null });
    }
  });
});

interface BadBody {
  readonly name: string;
  readonly body: unknown;
  readonly error: BatchError;
}

const BAD_BODIES: readonly BadBody[] = [
  { name: 'truncated body (fixture)', body: readFixture('malformed/not-json.json'), error: 'invalid-json' },
  { name: 'truncated body as a string', body: readFixture('malformed/not-json.json').toString('utf8'), error: 'invalid-json' },
  { name: 'empty string', body: '', error: 'invalid-json' },
  { name: 'empty Buffer', body: Buffer.alloc(0), error: 'invalid-json' },
  { name: 'trailing comma', body: `[{"time":"${TIME}","type":"function","record":"x"},]`, error: 'invalid-json' },
  { name: 'newline-delimited objects', body: `{"time":"${TIME}"}\n{"time":"${TIME}"}`, error: 'invalid-json' },
  { name: 'plain text', body: 'OK', error: 'invalid-json' },
  { name: 'one event object instead of an array (fixture)', body: readFixture('malformed/object-body.json'), error: 'not-an-array' },
  { name: 'empty object', body: '{}', error: 'not-an-array' },
  { name: 'number', body: '42', error: 'not-an-array' },
  { name: 'null', body: 'null', error: 'not-an-array' },
  { name: 'true', body: Buffer.from('true'), error: 'not-an-array' },
  { name: 'a JSON string holding an array', body: '"[]"', error: 'not-an-array' },
  { name: 'parsed object', body: { events: [] }, error: 'not-an-array' },
  { name: 'parsed number', body: 42, error: 'not-an-array' },
  { name: 'parsed null', body: null, error: 'not-an-array' },
  { name: 'undefined', body: undefined, error: 'not-an-array' },
];

describe('decode: malformed bodies', () => {
  for (const { name, body, error } of BAD_BODIES) {
    it(`${name} => batchError ${error}`, () => {
      assert.deepEqual(decode(body), { events: [], rejected: [], dropped: [], batchError: error });
    });
  }
});

interface BadItem {
  readonly name: string;
  readonly item: unknown;
  readonly reason: RejectReason;
  /** Must match `detail`; for `invalid-record`, it names the field. */
  readonly detail: RegExp;
  /** False when the item holds a value JSON cannot carry (NaN, Infinity): run parsed only. */
  readonly json?: false;
}

const ev = (type: unknown, record: unknown, time: unknown = TIME): Record<string, unknown> => ({ time, type, record });
const span = (name: string, durationMs: unknown): Record<string, unknown> => ({ name, start: TIME, durationMs });
const start = (record: Record<string, unknown>) => ev('platform.start', { requestId: REQUEST_ID, ...record });
const runtimeDone = (record: Record<string, unknown>) =>
  ev('platform.runtimeDone', { requestId: REQUEST_ID, status: 'success', ...record });
const report = (metrics: Record<string, unknown>) =>
  ev('platform.report', { requestId: REQUEST_ID, status: 'success', metrics: { ...REPORT_METRICS, ...metrics } });
const FIELD = (path: string) => new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')} must `);

const BAD_ITEMS: readonly BadItem[] = [
  // Envelope
  { name: 'item null', item: null, reason: 'not-an-object', detail: /object/ },
  { name: 'item an array', item: [TIME, 'function', 'x'], reason: 'not-an-object', detail: /object/ },
  { name: 'item a string', item: 'platform.start', reason: 'not-an-object', detail: /object/ },
  { name: 'item a number', item: 7, reason: 'not-an-object', detail: /object/ },
  { name: 'time missing', item: { type: 'function', record: 'x' }, reason: 'invalid-time', detail: /time/ },
  { name: 'time empty', item: ev('function', 'x', ''), reason: 'invalid-time', detail: /time/ },
  { name: 'time not a date', item: ev('function', 'x', 'yesterday'), reason: 'invalid-time', detail: /time/ },
  { name: 'time a number (epoch ms)', item: ev('function', 'x', 1741944413589), reason: 'invalid-time', detail: /time/ },
  { name: 'time null', item: ev('function', 'x', null), reason: 'invalid-time', detail: /time/ },
  { name: 'type missing', item: { time: TIME, record: 'x' }, reason: 'invalid-type', detail: /type/ },
  { name: 'type empty', item: ev('', 'x'), reason: 'invalid-type', detail: /type/ },
  { name: 'type a number', item: ev(3, 'x'), reason: 'invalid-type', detail: /type/ },
  { name: 'type an array', item: ev(['function'], 'x'), reason: 'invalid-type', detail: /type/ },
  { name: 'type unknown', item: ev('platform.fooBar', { any: 1 }), reason: 'unknown-type', detail: /platform\.fooBar/ },
  { name: 'type in the wrong case', item: ev('platform.RuntimeDone', { requestId: REQUEST_ID, status: 'success' }), reason: 'unknown-type', detail: /platform\.RuntimeDone/ },
  // Records
  { name: 'platform record missing', item: { time: TIME, type: 'platform.start' }, reason: 'invalid-record', detail: FIELD('record') },
  { name: 'platform record a string', item: ev('platform.report', 'REPORT RequestId: x'), reason: 'invalid-record', detail: FIELD('record') },
  { name: 'start without requestId', item: ev('platform.start', { version: '$LATEST' }), reason: 'invalid-record', detail: FIELD('record.requestId') },
  { name: 'start requestId empty', item: start({ requestId: '' }), reason: 'invalid-record', detail: FIELD('record.requestId') },
  { name: 'start requestId a number', item: start({ requestId: 42 }), reason: 'invalid-record', detail: FIELD('record.requestId') },
  { name: 'runtimeDone without requestId, with a bad tracing too', item: ev('platform.runtimeDone', { status: 'success', tracing: {} }), reason: 'invalid-record', detail: FIELD('record.requestId') },
  { name: 'runtimeDone without status', item: ev('platform.runtimeDone', { requestId: REQUEST_ID }), reason: 'invalid-record', detail: FIELD('record.status') },
  { name: 'runtimeDone status not in the enum', item: runtimeDone({ status: 'succeeded' }), reason: 'invalid-record', detail: FIELD('record.status') },
  { name: 'runtimeDone status in the wrong case', item: runtimeDone({ status: 'Success' }), reason: 'invalid-record', detail: FIELD('record.status') },
  { name: 'initRuntimeDone without status', item: ev('platform.initRuntimeDone', { initializationType: 'on-demand', phase: 'init' }), reason: 'invalid-record', detail: FIELD('record.status') },
  // An optional field read before the bad required one must not be listed as dropped.
  { name: 'initRuntimeDone without status, with a bad phase too', item: ev('platform.initRuntimeDone', { initializationType: 'on-demand', phase: 1 }), reason: 'invalid-record', detail: FIELD('record.status') },
  { name: 'initReport metrics.durationMs a string', item: ev('platform.initReport', { status: 'success', metrics: { durationMs: '250.3' } }), reason: 'invalid-record', detail: FIELD('record.metrics.durationMs') },
  { name: 'initReport without metrics', item: ev('platform.initReport', { initializationType: 'on-demand', phase: 'init', status: 'success' }), reason: 'invalid-record', detail: FIELD('record.metrics') },
  { name: 'report without metrics', item: ev('platform.report', { requestId: REQUEST_ID, status: 'success' }), reason: 'invalid-record', detail: FIELD('record.metrics') },
  { name: 'report metrics null', item: ev('platform.report', { requestId: REQUEST_ID, metrics: null }), reason: 'invalid-record', detail: FIELD('record.metrics') },
  { name: 'report durationMs a string', item: report({ durationMs: '144.062' }), reason: 'invalid-record', detail: FIELD('record.metrics.durationMs') },
  { name: 'report durationMs "NaN"', item: report({ durationMs: 'NaN' }), reason: 'invalid-record', detail: FIELD('record.metrics.durationMs') },
  { name: 'report durationMs NaN', item: report({ durationMs: Number.NaN }), reason: 'invalid-record', detail: FIELD('record.metrics.durationMs'), json: false },
  { name: 'report durationMs Infinity', item: report({ durationMs: Number.POSITIVE_INFINITY }), reason: 'invalid-record', detail: FIELD('record.metrics.durationMs'), json: false },
  { name: 'report durationMs null', item: report({ durationMs: null }), reason: 'invalid-record', detail: FIELD('record.metrics.durationMs') },
  { name: 'report durationMs missing', item: ev('platform.report', { requestId: REQUEST_ID, metrics: { billedDurationMs: 145 } }), reason: 'invalid-record', detail: FIELD('record.metrics.durationMs') },
  { name: 'restoreRuntimeDone without status', item: ev('platform.restoreRuntimeDone', {}), reason: 'invalid-record', detail: FIELD('record.status') },
  { name: 'logsDropped droppedBytes a string', item: ev('platform.logsDropped', { reason: 'r', droppedRecords: 3, droppedBytes: '1024' }), reason: 'invalid-record', detail: FIELD('record.droppedBytes') },
  { name: 'logsDropped droppedRecords missing', item: ev('platform.logsDropped', { reason: 'r', droppedBytes: 1024 }), reason: 'invalid-record', detail: FIELD('record.droppedRecords') },
  { name: 'logsDropped reason missing', item: ev('platform.logsDropped', { droppedRecords: 3, droppedBytes: 1024 }), reason: 'invalid-record', detail: FIELD('record.reason') },
  { name: 'extension events a string', item: ev('platform.extension', { name: 'x', state: 'Ready', events: 'INVOKE' }), reason: 'invalid-record', detail: FIELD('record.events') },
  { name: 'extension events holding a number', item: ev('platform.extension', { name: 'x', state: 'Ready', events: ['INVOKE', 7] }), reason: 'invalid-record', detail: FIELD('record.events') },
  { name: 'extension state missing', item: ev('platform.extension', { name: 'x', events: [] }), reason: 'invalid-record', detail: FIELD('record.state') },
  { name: 'telemetrySubscription types missing', item: ev('platform.telemetrySubscription', { name: 'x', state: 'Subscribed' }), reason: 'invalid-record', detail: FIELD('record.types') },
  { name: 'function record a number', item: ev('function', 42), reason: 'invalid-record', detail: FIELD('record') },
  { name: 'function record null', item: ev('function', null), reason: 'invalid-record', detail: FIELD('record') },
  { name: 'function record an array', item: ev('function', ['line 1', 'line 2']), reason: 'invalid-record', detail: FIELD('record') },
  { name: 'function record missing', item: { time: TIME, type: 'function' }, reason: 'invalid-record', detail: FIELD('record') },
  { name: 'extension record a boolean', item: ev('extension', true), reason: 'invalid-record', detail: FIELD('record') },
];

interface BadOptional {
  readonly name: string;
  readonly item: Record<string, unknown>;
  /** The event the item must decode to: the item without the malformed fields. */
  readonly event: Record<string, unknown>;
  /** Each field left out, in field order, with what its `detail` must match. */
  readonly dropped: readonly (readonly [path: string, detail: RegExp])[];
  readonly json?: false;
}

const TRACING = { type: 'X-Amzn-Trace-Id', value: TRACE_VALUE };
const PHASE = { initializationType: 'on-demand', phase: 'init' };
const initStart = (record: Record<string, unknown>) => ev('platform.initStart', { ...PHASE, ...record });
const initRuntimeDone = (record: Record<string, unknown>) => ev('platform.initRuntimeDone', { ...PHASE, status: 'success', ...record });
const initReport = (record: Record<string, unknown>) => ev('platform.initReport', { ...PHASE, status: 'success', metrics: { durationMs: 250.3 }, ...record });
const restoreRuntimeDone = (record: Record<string, unknown>) => ev('platform.restoreRuntimeDone', { status: 'success', ...record });
const restoreReport = (record: Record<string, unknown>) => ev('platform.restoreReport', { status: 'success', metrics: { durationMs: 310.4 }, ...record });
const reportWith = (record: Record<string, unknown>) => ev('platform.report', { requestId: REQUEST_ID, status: 'success', metrics: REPORT_METRICS, ...record });

/** Malformed optional fields: the event is kept, the field left out. `undefined` marks a field absent in `event`. */
const BAD_OPTIONAL: readonly BadOptional[] = [
  // tracing: `type` and `value` are required inside it, so either one bad drops the whole context.
  { name: 'runtimeDone tracing.value missing', item: runtimeDone({ tracing: { type: 'X-Amzn-Trace-Id' } }), event: runtimeDone({}), dropped: [['record.tracing', FIELD('record.tracing.value')]] },
  { name: 'runtimeDone tracing.type missing', item: runtimeDone({ tracing: { value: TRACE_VALUE } }), event: runtimeDone({}), dropped: [['record.tracing', FIELD('record.tracing.type')]] },
  { name: 'start tracing not an object', item: start({ tracing: TRACE_VALUE }), event: start({}), dropped: [['record.tracing', FIELD('record.tracing')]] },
  { name: 'start tracing null', item: start({ tracing: null }), event: start({}), dropped: [['record.tracing', FIELD('record.tracing')]] },
  { name: 'start tracing.spanId a number', item: start({ tracing: { ...TRACING, spanId: 1 } }), event: start({ tracing: TRACING }), dropped: [['record.tracing.spanId', FIELD('record.tracing.spanId')]] },
  { name: 'report tracing.value a number', item: reportWith({ tracing: { type: 'X-Amzn-Trace-Id', value: 1 } }), event: reportWith({}), dropped: [['record.tracing', FIELD('record.tracing.value')]] },
  { name: 'initStart tracing an array', item: initStart({ tracing: [TRACING] }), event: initStart({}), dropped: [['record.tracing', FIELD('record.tracing')]] },
  { name: 'initRuntimeDone tracing.type null', item: initRuntimeDone({ tracing: { type: null, value: TRACE_VALUE } }), event: initRuntimeDone({}), dropped: [['record.tracing', FIELD('record.tracing.type')]] },
  { name: 'initReport tracing.value missing', item: initReport({ tracing: { type: 'X-Amzn-Trace-Id' } }), event: initReport({}), dropped: [['record.tracing', FIELD('record.tracing.value')]] },
  // spans: only the bad entries go.
  { name: 'runtimeDone span without durationMs', item: runtimeDone({ spans: [span('responseLatency', 1), { name: 'responseDuration', start: TIME }] }), event: runtimeDone({ spans: [span('responseLatency', 1)] }), dropped: [['record.spans[1]', FIELD('record.spans[1].durationMs')]] },
  { name: 'runtimeDone span not an object', item: runtimeDone({ spans: ['responseLatency', span('responseDuration', 2)] }), event: runtimeDone({ spans: [span('responseDuration', 2)] }), dropped: [['record.spans[0]', FIELD('record.spans[0]')]] },
  { name: 'runtimeDone span durationMs NaN', item: runtimeDone({ spans: [span('responseLatency', Number.NaN)] }), event: runtimeDone({ spans: [] }), dropped: [['record.spans[0]', FIELD('record.spans[0].durationMs')]], json: false },
  { name: 'runtimeDone spans not an array', item: runtimeDone({ spans: span('responseLatency', 1) }), event: runtimeDone({}), dropped: [['record.spans', FIELD('record.spans')]] },
  { name: 'restoreRuntimeDone span start missing', item: restoreRuntimeDone({ spans: [{ name: 'runtimeOverhead', durationMs: 1 }] }), event: restoreRuntimeDone({ spans: [] }), dropped: [['record.spans[0]', FIELD('record.spans[0].start')]] },
  { name: 'initRuntimeDone span name a number', item: initRuntimeDone({ spans: [{ name: 1, start: TIME, durationMs: 1 }] }), event: initRuntimeDone({ spans: [] }), dropped: [['record.spans[0]', FIELD('record.spans[0].name')]] },
  { name: 'report two of three spans bad', item: reportWith({ spans: [span('a', '1'), span('b', 2), null] }), event: reportWith({ spans: [span('b', 2)] }), dropped: [['record.spans[0]', FIELD('record.spans[0].durationMs')], ['record.spans[2]', FIELD('record.spans[2]')]] },
  { name: 'initReport spans a string', item: initReport({ spans: 'none' }), event: initReport({}), dropped: [['record.spans', FIELD('record.spans')]] },
  { name: 'restoreReport span start a number', item: restoreReport({ spans: [{ name: 'restoreRuntimeOverhead', start: 0, durationMs: 1 }] }), event: restoreReport({ spans: [] }), dropped: [['record.spans[0]', FIELD('record.spans[0].start')]] },
  // metrics: an optional object goes whole when its own required durationMs is bad.
  { name: 'runtimeDone metrics not an object', item: runtimeDone({ metrics: 143.8 }), event: runtimeDone({}), dropped: [['record.metrics', FIELD('record.metrics')]] },
  { name: 'runtimeDone metrics.durationMs missing', item: runtimeDone({ metrics: { producedBytes: 0 } }), event: runtimeDone({}), dropped: [['record.metrics', FIELD('record.metrics.durationMs')]] },
  { name: 'runtimeDone producedBytes a string', item: runtimeDone({ metrics: { durationMs: 1, producedBytes: '512' } }), event: runtimeDone({ metrics: { durationMs: 1 } }), dropped: [['record.metrics.producedBytes', FIELD('record.metrics.producedBytes')]] },
  { name: 'report memorySizeMB a string', item: report({ memorySizeMB: '512' }), event: report({ memorySizeMB: undefined }), dropped: [['record.metrics.memorySizeMB', FIELD('record.metrics.memorySizeMB')]] },
  { name: 'report billedDurationMs Infinity', item: report({ billedDurationMs: Number.POSITIVE_INFINITY }), event: report({ billedDurationMs: undefined }), dropped: [['record.metrics.billedDurationMs', FIELD('record.metrics.billedDurationMs')]], json: false },
  { name: 'report initDurationMs null', item: report({ initDurationMs: null }), event: report({}), dropped: [['record.metrics.initDurationMs', FIELD('record.metrics.initDurationMs')]] },
  { name: 'initReport billedDurationMs a string', item: initReport({ metrics: { durationMs: 1, billedDurationMs: '2' } }), event: initReport({ metrics: { durationMs: 1 } }), dropped: [['record.metrics.billedDurationMs', FIELD('record.metrics.billedDurationMs')]] },
  { name: 'restoreReport metrics a number', item: restoreReport({ metrics: 402 }), event: restoreReport({ metrics: undefined }), dropped: [['record.metrics', FIELD('record.metrics')]] },
  { name: 'restoreReport metrics.durationMs a string', item: restoreReport({ metrics: { durationMs: '402' } }), event: restoreReport({ metrics: undefined }), dropped: [['record.metrics', FIELD('record.metrics.durationMs')]] },
  { name: 'restoreReport billedDurationMs a string', item: restoreReport({ metrics: { durationMs: 402, billedDurationMs: '403' } }), event: restoreReport({ metrics: { durationMs: 402 } }), dropped: [['record.metrics.billedDurationMs', FIELD('record.metrics.billedDurationMs')]] },
  // Optional scalars; `status` is optional in the report records only.
  { name: 'start version a number', item: start({ version: 12 }), event: start({}), dropped: [['record.version', FIELD('record.version')]] },
  { name: 'start tenantId null', item: start({ tenantId: null }), event: start({}), dropped: [['record.tenantId', FIELD('record.tenantId')]] },
  { name: 'runtimeDone errorType a number', item: runtimeDone({ status: 'error', errorType: 500 }), event: runtimeDone({ status: 'error' }), dropped: [['record.errorType', FIELD('record.errorType')]] },
  { name: 'runtimeDone tenantId an object', item: runtimeDone({ tenantId: { id: 't' } }), event: runtimeDone({}), dropped: [['record.tenantId', FIELD('record.tenantId')]] },
  { name: 'report errorType a number', item: reportWith({ errorType: 500 }), event: reportWith({}), dropped: [['record.errorType', FIELD('record.errorType')]] },
  { name: 'report status not in the enum', item: reportWith({ status: 'succeeded' }), event: reportWith({ status: undefined }), dropped: [['record.status', FIELD('record.status')]] },
  { name: 'initReport status not in the enum', item: initReport({ status: 'ok' }), event: initReport({ status: undefined }), dropped: [['record.status', FIELD('record.status')]] },
  { name: 'restoreReport status in the wrong case', item: restoreReport({ status: 'Success' }), event: restoreReport({ status: undefined }), dropped: [['record.status', FIELD('record.status')]] },
  { name: 'initStart instanceMaxMemory a string', item: initStart({ initializationType: 'lambda-managed-instances', instanceMaxMemory: '4096' }), event: initStart({ initializationType: 'lambda-managed-instances' }), dropped: [['record.instanceMaxMemory', FIELD('record.instanceMaxMemory')]] },
  { name: 'initStart phase a number', item: initStart({ phase: 1 }), event: initStart({ phase: undefined }), dropped: [['record.phase', FIELD('record.phase')]] },
  { name: 'initRuntimeDone initializationType null', item: initRuntimeDone({ initializationType: null }), event: initRuntimeDone({ initializationType: undefined }), dropped: [['record.initializationType', FIELD('record.initializationType')]] },
  { name: 'restoreStart functionName a number', item: ev('platform.restoreStart', { functionName: 7, runtimeVersion: 'java:21.v30' }), event: ev('platform.restoreStart', { runtimeVersion: 'java:21.v30' }), dropped: [['record.functionName', FIELD('record.functionName')]] },
  { name: 'restoreRuntimeDone errorType an object', item: restoreRuntimeDone({ status: 'error', errorType: {} }), event: restoreRuntimeDone({ status: 'error' }), dropped: [['record.errorType', FIELD('record.errorType')]] },
  { name: 'extension errorType a number', item: ev('platform.extension', { name: 'x', state: 'Ready', events: [], errorType: 1 }), event: ev('platform.extension', { name: 'x', state: 'Ready', events: [] }), dropped: [['record.errorType', FIELD('record.errorType')]] },
  // Several in one event, listed in field order.
  {
    name: 'runtimeDone with a bad errorType, metrics, span and tracing',
    item: runtimeDone({ errorType: 1, metrics: 'x', spans: [span('responseLatency', 'x'), span('responseDuration', 1)], tracing: {} }),
    event: runtimeDone({ spans: [span('responseDuration', 1)] }),
    dropped: [
      ['record.errorType', FIELD('record.errorType')],
      ['record.metrics', FIELD('record.metrics')],
      ['record.spans[0]', FIELD('record.spans[0].durationMs')],
      ['record.tracing', FIELD('record.tracing.type')],
    ],
  },
];

/** Valid events interleaved with the bad ones in the mixed batch. */
const FILLER = VALID.map(({ file, dropped = [] }) => {
  const input = (JSON.parse(readFixture(file).toString('utf8')) as unknown[])[0];
  return { input, expected: withoutPaths(input, dropped) };
});

function assertRejectedAlone(result: DecodeResult, bad: BadItem, form: string): void {
  assert.equal(result.batchError, null, form);
  assert.deepEqual(result.events, [], form);
  assert.equal(result.rejected.length, 1, form);
  const [rejected] = result.rejected;
  assert.equal(rejected?.index, 0, form);
  assert.equal(rejected?.reason, bad.reason, form);
  assert.match(rejected?.detail ?? '', bad.detail, form);
  assert.deepEqual(result.dropped, [], form);
}

/** The three forms of a one-item body, or only the parsed one when the item does not survive JSON. */
function bodiesOf(item: unknown, json = true): ReadonlyArray<readonly [string, unknown]> {
  const body = JSON.stringify([item]);
  return json ? [['parsed', [item]], ['string', body], ['Buffer', Buffer.from(body)]] : [['parsed', [item]]];
}

describe('decode: malformed events, one per malformation', () => {
  for (const bad of BAD_ITEMS) {
    it(`${bad.name} => ${bad.reason}`, () => {
      // Already parsed: the raw item is kept as is.
      const parsed = decode([bad.item]);
      assertRejectedAlone(parsed, bad, 'parsed');
      assert.equal(parsed.rejected[0]?.value, bad.item);

      if (bad.json === false) return;
      const body = JSON.stringify([bad.item]);
      for (const [form, input] of [['string', body], ['Buffer', Buffer.from(body)]] as const) {
        const result = decode(input);
        assertRejectedAlone(result, bad, form);
        assert.deepEqual(result.rejected[0]?.value, bad.item, form);
      }
    });
  }

  it('keeps the raw item of an unknown type in value', () => {
    const item = { time: TIME, type: 'platform.fooBar', record: { requestId: REQUEST_ID, nested: { n: [1, 2] } }, extra: 'kept' };
    const { rejected } = decode(JSON.stringify([item]));
    assert.deepEqual(rejected, [{ index: 0, reason: 'unknown-type', detail: 'unknown event type platform.fooBar', value: item }]);
  });

  it('returns the valid events of a mixed batch in order, with rejected indexes pointing at the bad items', () => {
    // Prepare: valid, bad, valid, bad, ... valid
    const batch: unknown[] = [];
    const expectedEvents: unknown[] = [];
    const expectedRejected: { index: number; reason: RejectReason }[] = [];
    const expectedDropped: { index: number; path: string }[] = [];
    BAD_ITEMS.forEach((bad, i) => {
      const good = FILLER[i % FILLER.length];
      expectedEvents.push(good?.expected);
      batch.push(good?.input);
      expectedRejected.push({ index: batch.length, reason: bad.reason });
      batch.push(bad.item);
    });
    for (const bad of BAD_OPTIONAL) {
      for (const [path] of bad.dropped) expectedDropped.push({ index: batch.length, path });
      expectedEvents.push(plain(bad.event));
      batch.push(bad.item);
    }
    batch.push(FILLER[0]?.input);
    expectedEvents.push(FILLER[0]?.expected);

    // Act
    const result = decode(batch);

    // Assess
    assert.equal(result.batchError, null);
    assert.deepEqual(plain(result.events), expectedEvents);
    assert.deepEqual(
      result.rejected.map(({ index, reason }) => ({ index, reason })),
      expectedRejected,
    );
    assert.deepEqual(
      result.dropped.map(({ index, path }) => ({ index, path })),
      expectedDropped,
    );
    for (const rejected of result.rejected) assert.equal(rejected.value, batch[rejected.index]);
  });
});

describe('decode: malformed optional fields, one per malformation', () => {
  for (const bad of BAD_OPTIONAL) {
    it(`${bad.name} => kept without ${bad.dropped.map(([path]) => path).join(', ')}`, () => {
      for (const [form, body] of bodiesOf(bad.item, bad.json !== false)) {
        // Act
        const result = decode(body);

        // Assess
        assert.equal(result.batchError, null, form);
        assert.deepEqual(result.rejected, [], form);
        assert.deepEqual(plain(result.events), [plain(bad.event)], form);
        assert.deepEqual(
          result.dropped.map(({ index, type, path }) => [index, type, path]),
          bad.dropped.map(([path]) => [0, bad.item.type, path]),
          form,
        );
        result.dropped.forEach((d, k) => assert.match(d.detail, bad.dropped[k]?.[1] ?? /^$/, `${form} #${k}`));
      }
    });
  }

  it('rejects an event whose getter throws after a field was dropped, and lists nothing as dropped', () => {
    const record = { requestId: REQUEST_ID, status: 'success', errorType: 1, get tracing(): never { throw new Error('boom'); } };
    const { events, rejected, dropped } = decode([{ time: TIME, type: 'platform.runtimeDone', record }]);
    assert.deepEqual([events, dropped], [[], []]);
    assert.match(rejected[0]?.detail ?? '', /boom/);
  });
});

interface MixedFile {
  readonly file: string;
  /** Positions of the items that decode, in order. */
  readonly accepted: readonly number[];
  readonly rejected: readonly (readonly [index: number, reason: RejectReason, detail: RegExp])[];
  /** Optional fields left out of accepted items, as the decoder names them. */
  readonly dropped?: readonly (readonly [index: number, path: string, detail: RegExp])[];
}

const MIXED_FILES: readonly MixedFile[] = [
  {
    file: 'malformed/mixed-envelopes.json',
    accepted: [0, 4, 9],
    rejected: [
      [1, 'not-an-object', /object/],
      [2, 'not-an-object', /object/],
      [3, 'invalid-time', /time/],
      [5, 'invalid-time', /time/],
      [6, 'invalid-type', /type/],
      [7, 'unknown-type', /platform\.fooBar/],
      [8, 'not-an-object', /object/],
    ],
  },
  {
    file: 'malformed/mixed-records.json',
    accepted: [1, 5, 7],
    rejected: [
      [0, 'invalid-record', FIELD('record.requestId')],
      [2, 'invalid-record', FIELD('record.status')],
      [3, 'invalid-record', FIELD('record.metrics')],
      [4, 'invalid-record', FIELD('record')],
      [6, 'invalid-record', FIELD('record.droppedBytes')],
    ],
  },
  {
    file: 'malformed/mixed-optional-fields.json',
    accepted: [0, 1, 2, 4],
    rejected: [[3, 'invalid-record', FIELD('record.requestId')]],
    dropped: [
      [0, 'record.tracing', FIELD('record.tracing.value')],
      [2, 'record.metrics.producedBytes', FIELD('record.metrics.producedBytes')],
      [2, 'record.spans[1]', FIELD('record.spans[1].durationMs')],
      [2, 'record.tracing', FIELD('record.tracing.value')],
      [4, 'record.status', FIELD('record.status')],
      [4, 'record.metrics.memorySizeMB', FIELD('record.metrics.memorySizeMB')],
    ],
  },
];

/** `record.spans[1]` as the dot path `withoutPaths` takes. */
const dotPath = (path: string): string => path.replace(/\[(\d+)\]/g, '.$1');

describe('decode: mixed fixture batches', () => {
  for (const { file, accepted, rejected, dropped = [] } of MIXED_FILES) {
    it(`${file}: valid events in order, the rest rejected at their index`, () => {
      const bytes = readFixture(file);
      const input = JSON.parse(bytes.toString('utf8')) as unknown[];
      const expected = accepted.map((i) => withoutPaths(input[i], dropped.filter(([at]) => at === i).map(([, path]) => dotPath(path))));
      for (const [form, toBody] of Object.entries(INPUT_FORMS)) {
        const result = decode(toBody(bytes));
        assert.equal(result.batchError, null, form);
        assert.deepEqual(plain(result.events), expected, form);
        assert.deepEqual(
          result.dropped.map(({ index, path }) => [index, path]),
          dropped.map(([index, path]) => [index, path]),
          form,
        );
        result.dropped.forEach((d, k) => assert.match(d.detail, dropped[k]?.[2] ?? /^$/, `${form} dropped #${k}`));
        assert.equal(result.rejected.length, rejected.length, form);
        result.rejected.forEach((r, k) => {
          const [index, reason, detail] = rejected[k] ?? [];
          assert.equal(r.index, index, `${form} #${k}`);
          assert.equal(r.reason, reason, `${form} #${k}`);
          assert.match(r.detail, detail ?? /^$/, `${form} #${k}`);
          assert.deepEqual(r.value, input[r.index], `${form} #${k}`);
        });
      }
    });
  }
});

describe('decode: robustness', () => {
  it('decodes a 10 000-item batch with a rejection every few items', () => {
    // Prepare: 7 valid and 3 invalid items in every 10, each item stamped with its position.
    const base = Date.parse(TIME);
    const batch = Array.from({ length: 10_000 }, (_, i) => {
      const time = new Date(base + i).toISOString();
      switch (i % 10) {
        case 0: return { time, type: 'platform.start', record: { requestId: `req-${i}` } };
        case 1: return { time, type: 'function', record: `line ${i}\n` };
        case 2: return { time, type: 'function', record: { level: 'INFO', message: `json ${i}` } };
        case 3: return { time, type: 'platform.runtimeDone', record: { requestId: `req-${i}`, status: 'success', metrics: { durationMs: i } } };
        case 4: return { time, type: 'platform.report', record: { requestId: `req-${i}`, metrics: { durationMs: i } } };
        case 5: return { time, type: 'platform.start', record: { requestId: i } };
        case 6: return { time, type: 'platform.fooBar', record: {} };
        case 7: return null;
        case 8: return { time, type: 'extension', record: `ext ${i}` };
        default: return { time, type: 'platform.logsDropped', record: { reason: 'r', droppedRecords: i, droppedBytes: i * 10 } };
      }
    });

    for (const body of [JSON.stringify(batch), batch]) {
      // Act
      const result = decode(body);

      // Assess
      assert.equal(result.batchError, null);
      assert.equal(result.events.length, 7_000);
      assert.equal(result.rejected.length, 3_000);
      const positions = result.events.map((e) => Date.parse(e.time) - base);
      assert.deepEqual(positions, [...batch.keys()].filter((i) => ![5, 6, 7].includes(i % 10)));
      assert.deepEqual(
        result.rejected.slice(0, 3).map(({ index, reason }) => [index, reason]),
        [[5, 'invalid-record'], [6, 'unknown-type'], [7, 'not-an-object']],
      );
      assert.ok(result.rejected.every((r) => [5, 6, 7].includes(r.index % 10)));
    }
  });

  it('never throws on any mix of envelope and record values', () => {
    // Prepare: the cross product of odd values in each envelope slot.
    const times = [undefined, null, 0, '', 'x', TIME];
    const types = [undefined, null, 1, '', 'platform.fooBar', ...Object.values(EVENT_TYPES)];
    const records = [undefined, null, 0, '', 'line', [], {}, { requestId: 1, status: 2, metrics: 3, spans: 4, tracing: 5, events: 6, types: 7 },
      { requestId: 'r', status: 'success', metrics: { durationMs: 1 }, name: 'n', state: 's', events: [], types: [], reason: 'r', droppedRecords: 0, droppedBytes: 0 }];
    const batch = times.flatMap((time) => types.flatMap((type) => records.map((record) => ({ time, type, record }))));

    // Act
    const result = decode(batch);

    // Assess
    assert.equal(result.events.length + result.rejected.length, batch.length);
    const indexes = result.rejected.map((r) => r.index);
    assert.deepEqual(indexes, [...indexes].sort((a, b) => a - b));
    assert.ok(result.events.length > 0);
  });

  it('passes deep nesting inside a JSON-log record through', () => {
    // Prepare: 100 000 levels of nesting below one user field.
    const depth = 100_000;
    const body = `[{"time":"${TIME}","type":"function","record":{"level":"INFO","message":"deep","payload":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}]`;

    // Act
    const result = decode(body);

    // Assess
    assert.equal(result.batchError, null);
    assert.equal(result.events.length, 1);
    const record = result.events[0]?.record as { message: string; payload: unknown };
    assert.equal(record.message, 'deep');
    let level = 0;
    for (let node = record.payload; typeof node === 'object' && node !== null; node = (node as { a: unknown }).a) level++;
    assert.equal(level, depth);
  });

  it('passes huge strings inside text and JSON-log records through', () => {
    // Prepare: 8 MiB messages, beyond anything Lambda buffers (1 MiB per batch).
    const huge = 'x'.repeat(8 * 1024 * 1024);
    const batch = [
      { time: TIME, type: 'function', record: { level: 'INFO', message: huge, [huge.slice(0, 65_536)]: huge } },
      { time: TIME, type: 'extension', record: huge },
    ];

    // Act
    const result = decode(Buffer.from(JSON.stringify(batch)));

    // Assess
    assert.equal(result.batchError, null);
    assert.equal(result.events.length, 2);
    assert.equal((result.events[0]?.record as { message: string }).message.length, huge.length);
    assert.equal((result.events[1]?.record as string).length, huge.length);
  });
});

describe('decode: times that Date.parse accepts but are not ISO 8601', () => {
  for (const time of ['1', '12', '2024', 'Tue, 01 Jan 2024 00:00:00 GMT', '2025-02-30T00:00:00Z', '2025-03-14T09:26:53.589', '2024-01-01T00:00:00.Z']) {
    it(`time ${JSON.stringify(time)} => invalid-time`, () => {
      const { events, rejected } = decode([{ time, type: 'function', record: 'x' }]);
      assert.deepEqual(events, []);
      assert.equal(rejected[0]?.reason, 'invalid-time');
    });
  }
  for (const time of ['2022-10-12T00:00:15.064Z', '2020-08-20T12:31:32.0Z', '2024-02-29T23:59:59.999999+05:30', '2024-03-01T00:30:00-02:00']) {
    it(`time ${JSON.stringify(time)} is accepted`, () => {
      assert.equal(decode([{ time, type: 'function', record: 'x' }]).events.length, 1);
    });
  }
});

describe('decode: parsed input given by a caller', () => {
  it('turns a throwing getter into a rejected item instead of throwing', () => {
    const item = { time: '2024-01-01T00:00:00Z', type: 'function', get record(): never { throw new Error('boom'); } };
    const { events, rejected } = decode([item]);
    assert.deepEqual(events, []);
    assert.equal(rejected[0]?.reason, 'invalid-record');
    assert.match(rejected[0]!.detail, /boom/);
  });

  it('drops an optional field whose getter answers differently when read again for the detail', () => {
    let reads = 0;
    const tracing = { type: 'X-Amzn-Trace-Id', get value(): unknown { return reads++ === 0 ? 1 : TRACE_VALUE; } };
    const { events, dropped } = decode([{ time: TIME, type: 'platform.start', record: { requestId: REQUEST_ID, tracing } }]);
    assert.deepEqual(plain(events), [{ time: TIME, type: 'platform.start', record: { requestId: REQUEST_ID } }]);
    assert.deepEqual(dropped, [{ index: 0, type: 'platform.start', path: 'record.tracing', detail: 'record.tracing could not be read' }]);
  });
});

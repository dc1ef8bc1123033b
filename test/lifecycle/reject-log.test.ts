/**
 * createRejectLog(): each kind of rejected item or dropped optional field is logged once, with
 * its count in that batch, and totalled at shutdown; never one line per event.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Logger } from '../../src/util/logger.ts';
import { createRejectLog } from '../../src/lifecycle/reject-log.ts';
import { decode } from '../../src/telemetry/decode.ts';

const TIME = '2025-03-14T09:26:53.589Z';
const TRACING_WITHOUT_VALUE = { type: 'X-Amzn-Trace-Id' };

interface Line {
  readonly msg: string;
  readonly fields: Record<string, unknown> | undefined;
}

function fakeLogger(lines: Line[]): Logger {
  const push = (msg: string, fields?: Record<string, unknown>): void => void lines.push({ msg, fields });
  return { debug: push, info: push, warn: push, error: push, setLevel: () => {} };
}

const runtimeDone = (requestId: string, record: Record<string, unknown>) => ({
  time: TIME,
  type: 'platform.runtimeDone',
  record: { requestId, status: 'success', ...record },
});
const span = (name: string, durationMs: unknown) => ({ name, start: TIME, durationMs });

interface Case {
  readonly name: string;
  /** Batches given to `record`, in order. */
  readonly batches: readonly unknown[][];
  /** The lines logged by `record`, as [msg, kind, count]. */
  readonly logged: readonly (readonly [msg: string, kind: string, count: number])[];
  readonly totals: Record<string, number>;
}

const CASES: readonly Case[] = [
  {
    name: 'a bad tracing in every runtimeDone of a batch: one line with the count',
    batches: [[1, 2, 3].map((i) => runtimeDone(`r${i}`, { tracing: TRACING_WITHOUT_VALUE }))],
    logged: [['telemetry field dropped', 'dropped platform.runtimeDone record.tracing', 3]],
    totals: { 'dropped platform.runtimeDone record.tracing': 3 },
  },
  {
    name: 'bad entries at different positions of spans are one kind',
    batches: [[runtimeDone('r1', { spans: [span('a', 'x'), span('b', 1), span('c', null)] }), runtimeDone('r2', { spans: [null] })]],
    logged: [['telemetry field dropped', 'dropped platform.runtimeDone record.spans[]', 3]],
    totals: { 'dropped platform.runtimeDone record.spans[]': 3 },
  },
  {
    name: 'a kind seen again in a later batch is counted, not logged again',
    batches: [[runtimeDone('r1', { tracing: 1 })], [runtimeDone('r2', { tracing: 2 }), runtimeDone('r3', { tracing: 3 })]],
    logged: [['telemetry field dropped', 'dropped platform.runtimeDone record.tracing', 1]],
    totals: { 'dropped platform.runtimeDone record.tracing': 3 },
  },
  {
    name: 'rejected items and dropped fields of one batch are logged apart',
    batches: [[runtimeDone('r1', { errorType: 500 }), { time: TIME, type: 'platform.start', record: {} }, { time: 'x', type: 'function', record: 'x' }]],
    logged: [
      ['telemetry rejected', 'invalid-record platform.start', 1],
      ['telemetry rejected', 'invalid-time function', 1],
      ['telemetry field dropped', 'dropped platform.runtimeDone record.errorType', 1],
    ],
    totals: { 'invalid-record platform.start': 1, 'invalid-time function': 1, 'dropped platform.runtimeDone record.errorType': 1 },
  },
  {
    name: 'the same path on different event types is a different kind',
    batches: [[runtimeDone('r1', { tracing: 1 }), { time: TIME, type: 'platform.start', record: { requestId: 'r2', tracing: 1 } }]],
    logged: [
      ['telemetry field dropped', 'dropped platform.runtimeDone record.tracing', 1],
      ['telemetry field dropped', 'dropped platform.start record.tracing', 1],
    ],
    totals: { 'dropped platform.runtimeDone record.tracing': 1, 'dropped platform.start record.tracing': 1 },
  },
  {
    name: 'a valid batch logs nothing',
    batches: [[runtimeDone('r1', { tracing: { ...TRACING_WITHOUT_VALUE, value: 'Root=1-67d3f1a2-9c4e2b7a1f0d3e5c8b6a4d21' } })]],
    logged: [],
    totals: {},
  },
];

describe('createRejectLog', () => {
  for (const c of CASES) {
    it(c.name, () => {
      // Prepare
      const lines: Line[] = [];
      const log = createRejectLog(fakeLogger(lines));

      // Act
      for (const batch of c.batches) log.record(decode(batch));

      // Assess
      assert.deepEqual(
        lines.map(({ msg, fields }) => [msg, fields?.kind, fields?.count]),
        c.logged,
      );
      for (const { fields } of lines) assert.equal(typeof fields?.detail, 'string');
      assert.deepEqual(log.totals(), c.totals);
    });
  }

  it('logs the detail of the first dropped field of a kind, naming the bad field', () => {
    const lines: Line[] = [];
    createRejectLog(fakeLogger(lines)).record(decode([runtimeDone('r1', { tracing: TRACING_WITHOUT_VALUE })]));
    assert.equal(lines[0]?.fields?.detail, 'record.tracing.value must be a string');
  });

  it('summarises rejections and dropped fields in one line each at shutdown', () => {
    // Prepare
    const lines: Line[] = [];
    const log = createRejectLog(fakeLogger(lines));
    log.record(decode([runtimeDone('r1', { tracing: 1, spans: [null, null] }), 42]));
    log.record(decode('not json'));
    lines.length = 0;

    // Act
    log.summarise();

    // Assess
    assert.deepEqual(lines, [
      { msg: 'telemetry rejected in total', fields: { counts: { 'not-an-object -': 1, 'batch invalid-json': 1 } } },
      {
        msg: 'telemetry fields dropped in total',
        fields: { counts: { 'dropped platform.runtimeDone record.spans[]': 2, 'dropped platform.runtimeDone record.tracing': 1 } },
      },
    ]);
  });

  it('summarises nothing when nothing was rejected or dropped', () => {
    const lines: Line[] = [];
    const log = createRejectLog(fakeLogger(lines));
    log.record(decode([]));
    log.summarise();
    assert.deepEqual(lines, []);
  });
});

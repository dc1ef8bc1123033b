/**
 * createCorrelator(): platform events of invocations and init/restore phases, in any order and
 * across batches, joined into one record each; bounded by a cap, an event-time age and flush().
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createCorrelator } from '../../src/telemetry/correlator.ts';
import { decode } from '../../src/telemetry/decode.ts';
import type { Correlator, CorrelatorOptions } from '../../src/telemetry/correlator.ts';
import type {
  InitReportEvent,
  InitRuntimeDoneEvent,
  InitStartEvent,
  ReportEvent,
  ReportMetrics,
  RestoreReportEvent,
  RestoreRuntimeDoneEvent,
  RestoreStartEvent,
  RuntimeDoneEvent,
  StartEvent,
  TelemetryEvent,
} from '../../src/telemetry/events.ts';
import type { InvocationRecord, PhaseRecord } from '../../src/telemetry/invocation.ts';
import { readFixture } from './support.ts';

const BASE_MS = Date.parse('2025-03-14T09:26:53.589Z');
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** ISO time `offsetMs` after BASE_MS, the way Lambda stamps events. */
function at(offsetMs: number): string {
  return new Date(BASE_MS + offsetMs).toISOString();
}

function start(requestId: string, offsetMs = 0): StartEvent {
  return { time: at(offsetMs), type: 'platform.start', record: { requestId, version: '$LATEST' } };
}

function runtimeDone(requestId: string, offsetMs = 0): RuntimeDoneEvent {
  return {
    time: at(offsetMs),
    type: 'platform.runtimeDone',
    record: { requestId, status: 'success', metrics: { durationMs: 12.5, producedBytes: 42 } },
  };
}

function report(requestId: string, offsetMs = 0, extra: Partial<ReportMetrics> = {}): ReportEvent {
  const metrics: ReportMetrics = { durationMs: 13.1, billedDurationMs: 14, memorySizeMB: 128, maxMemoryUsedMB: 70, ...extra };
  return { time: at(offsetMs), type: 'platform.report', record: { requestId, status: 'success', metrics } };
}

function initStart(initializationType?: string, offsetMs = 0, phase = 'init'): InitStartEvent {
  return { time: at(offsetMs), type: 'platform.initStart', record: { initializationType, phase, runtimeVersion: 'nodejs:22.v40' } };
}

function initRuntimeDone(initializationType?: string, offsetMs = 0, phase = 'init'): InitRuntimeDoneEvent {
  return { time: at(offsetMs), type: 'platform.initRuntimeDone', record: { initializationType, phase, status: 'success' } };
}

function initReport(initializationType?: string, offsetMs = 0, phase = 'init'): InitReportEvent {
  return {
    time: at(offsetMs),
    type: 'platform.initReport',
    record: { initializationType, phase, status: 'success', metrics: { durationMs: 250.3 } },
  };
}

function restoreStart(offsetMs = 0): RestoreStartEvent {
  return { time: at(offsetMs), type: 'platform.restoreStart', record: { runtimeVersion: 'java:21.v30' } };
}

function restoreRuntimeDone(offsetMs = 0): RestoreRuntimeDoneEvent {
  return { time: at(offsetMs), type: 'platform.restoreRuntimeDone', record: { status: 'success' } };
}

function restoreReport(offsetMs = 0): RestoreReportEvent {
  return { time: at(offsetMs), type: 'platform.restoreReport', record: { status: 'success', metrics: { durationMs: 310.4 } } };
}

/** All three events of one invocation, in Lambda's order. */
function invocation(requestId: string, offsetMs = 0, extra: Partial<ReportMetrics> = {}): TelemetryEvent[] {
  return [start(requestId, offsetMs), runtimeDone(requestId, offsetMs + 10), report(requestId, offsetMs + 20, extra)];
}

interface Harness {
  readonly correlator: Correlator;
  readonly invocations: InvocationRecord[];
  readonly phases: PhaseRecord[];
  feed(...events: readonly TelemetryEvent[]): void;
}

function harness(options: Partial<CorrelatorOptions> = {}): Harness {
  const invocations: InvocationRecord[] = [];
  const phases: PhaseRecord[] = [];
  const correlator = createCorrelator({
    ...options,
    onInvocation: (record) => invocations.push(record),
    onPhase: (record) => phases.push(record),
  });
  return {
    correlator,
    invocations,
    phases,
    feed(...events) {
      for (const event of events) correlator.add(event);
    },
  };
}

/** mulberry32: a tiny seeded PRNG, so that shuffled orders are the same on every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** The `phase` field of an init phase's initStart, if it has one. */
function initPhaseOf(record: PhaseRecord): string | null {
  return record.start?.type === 'platform.initStart' ? (record.start.record.phase ?? null) : null;
}

describe('createCorrelator: joining invocations', () => {
  it('joins across batches in Lambda order: report N arrives after start N+1', () => {
    // Prepare
    const h = harness();
    const [startA, doneA, reportA] = invocation('a', 0);
    const [startB, doneB, reportB] = invocation('b', 5 * MINUTE_MS);
    // Act + Assess: batch during invocation a
    h.feed(startA!, doneA!);
    assert.equal(h.invocations.length, 0);
    assert.equal(h.correlator.owedReports(), 1);
    // batch during invocation b, after a freeze of five minutes
    h.feed(reportA!, startB!, doneB!);
    assert.equal(h.invocations.length, 1);
    assert.deepEqual(h.invocations[0], {
      requestId: 'a',
      start: startA,
      runtimeDone: doneA,
      report: reportA,
      coldStart: false,
      phases: [],
      completion: 'complete',
    });
    assert.equal(h.correlator.owedReports(), 1);
    // batch during SHUTDOWN
    h.feed(reportB!);
    assert.deepEqual(
      h.invocations.map((r) => [r.requestId, r.completion, r.start, r.runtimeDone, r.report]),
      [
        ['a', 'complete', startA, doneA, reportA],
        ['b', 'complete', startB, doneB, reportB],
      ],
    );
    assert.equal(h.correlator.owedReports(), 0);
    assert.deepEqual(h.correlator.stats(), { inFlight: 0, evicted: 0, late: 0 });
  });

  it('emits exactly one complete record for every order of start, runtimeDone and report', () => {
    const events = invocation('a');
    const orders = permutations(events);
    assert.equal(orders.length, 6);
    for (const order of orders) {
      const h = harness();
      h.feed(order[0]!, order[1]!);
      assert.equal(h.invocations.length, 0, 'not before all three arrived');
      h.feed(order[2]!);
      assert.equal(h.invocations.length, 1);
      const record = h.invocations[0]!;
      assert.equal(record.completion, 'complete');
      assert.equal(record.start, events[0]);
      assert.equal(record.runtimeDone, events[1]);
      assert.equal(record.report, events[2]);
      assert.deepEqual(h.correlator.stats(), { inFlight: 0, evicted: 0, late: 0 });
      assert.equal(h.correlator.owedReports(), 0);
    }
  });

  it('joins interleaved concurrent invocations, each exactly once with its own events', () => {
    const random = prng(20250314);
    for (let round = 0; round < 200; round++) {
      const h = harness();
      const byId = new Map<string, TelemetryEvent[]>();
      for (let i = 0; i < 3; i++) byId.set(`r${round}-${i}`, invocation(`r${round}-${i}`, i * 7));
      h.feed(...shuffle([...byId.values()].flat(), random));
      assert.equal(h.invocations.length, 3);
      assert.deepEqual(new Set(h.invocations.map((r) => r.requestId)), new Set(byId.keys()));
      for (const record of h.invocations) {
        assert.equal(record.completion, 'complete');
        assert.deepEqual([record.start, record.runtimeDone, record.report], byId.get(record.requestId));
      }
      assert.equal(h.correlator.stats().inFlight, 0);
    }
  });

  it('keeps the first of duplicate events and counts nothing for them', () => {
    const h = harness();
    const first = start('a', 0);
    const again = start('a', 5);
    h.feed(first, again, runtimeDone('a', 10), runtimeDone('a', 11));
    const firstReport = report('a', 20);
    h.feed(firstReport);
    assert.equal(h.invocations.length, 1);
    assert.equal(h.invocations[0]!.start, first);
    assert.equal(h.invocations[0]!.report, firstReport);
    assert.equal(h.invocations[0]!.runtimeDone!.time, at(10));
    assert.deepEqual(h.correlator.stats(), { inFlight: 0, evicted: 0, late: 0 });
  });

  it('counts and drops events for an invocation already emitted', () => {
    const h = harness();
    h.feed(...invocation('a'));
    h.feed(start('a', 30), runtimeDone('a', 40), report('a', 50));
    assert.equal(h.invocations.length, 1);
    assert.deepEqual(h.correlator.stats(), { inFlight: 0, evicted: 0, late: 3 });
    assert.equal(h.correlator.owedReports(), 0);
  });

  it('ignores non-invocation events cheaply and never throws on them', () => {
    const h = harness();
    const others: TelemetryEvent[] = [
      { time: at(0), type: 'function', record: 'hello' },
      { time: at(0), type: 'extension', record: { message: 'hi', level: 'INFO' } },
      { time: at(0), type: 'platform.extension', record: { name: 'otel', state: 'Ready', events: ['INVOKE'] } },
      { time: at(0), type: 'platform.telemetrySubscription', record: { name: 'otel', state: 'Subscribed', types: ['platform'] } },
      { time: at(0), type: 'platform.logsDropped', record: { reason: 'slow', droppedRecords: 3, droppedBytes: 900 } },
    ];
    h.feed(...others);
    h.correlator.flush();
    assert.deepEqual([h.invocations, h.phases], [[], []]);
    assert.deepEqual(h.correlator.stats(), { inFlight: 0, evicted: 0, late: 0 });
  });

  it('tolerates an event time that does not parse', () => {
    const h = harness({ maxAgeMs: MINUTE_MS });
    h.feed({ ...start('a'), time: '2025-13-45T99:99:99.000Z' }, runtimeDone('a'), report('a'));
    assert.equal(h.invocations[0]!.completion, 'complete');
  });

  it('refuses invalid limits with a RangeError', () => {
    const callbacks = { onInvocation: () => {}, onPhase: () => {} };
    for (const maxInFlight of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => createCorrelator({ ...callbacks, maxInFlight }), RangeError);
    }
    for (const maxAgeMs of [0, -5, Number.NaN]) {
      assert.throws(() => createCorrelator({ ...callbacks, maxAgeMs }), RangeError);
    }
  });
});

describe('createCorrelator: eviction', () => {
  it('evicts the oldest pending invocation past maxInFlight, with what was known', () => {
    const h = harness({ maxInFlight: 3 });
    const startA = start('a', 0);
    const doneA = runtimeDone('a', 1);
    h.feed(startA, doneA, start('b', 2), report('c', 3));
    assert.equal(h.invocations.length, 0);
    h.feed(start('d', 4));
    assert.deepEqual(h.invocations, [
      { requestId: 'a', start: startA, runtimeDone: doneA, report: null, coldStart: false, phases: [], completion: 'evicted' },
    ]);
    assert.deepEqual(h.correlator.stats(), { inFlight: 3, evicted: 1, late: 0 });
    // An event of an existing invocation does not evict.
    h.feed(runtimeDone('b', 5));
    assert.equal(h.invocations.length, 1);
    h.feed(start('e', 6));
    assert.deepEqual(
      h.invocations.map((r) => [r.requestId, r.completion]),
      [
        ['a', 'evicted'],
        ['b', 'evicted'],
      ],
    );
    // The report of an evicted invocation is late.
    h.feed(report('a', 7));
    assert.deepEqual(h.correlator.stats(), { inFlight: 3, evicted: 2, late: 1 });
  });

  it('evicts by event time, oldest first, once newer events exceed maxAgeMs', () => {
    const h = harness({ maxAgeMs: 10 * MINUTE_MS });
    h.feed(start('a', 0), start('b', 4 * MINUTE_MS), start('c', 9 * MINUTE_MS));
    h.feed(start('d', 10 * MINUTE_MS));
    assert.equal(h.invocations.length, 0, 'exactly maxAgeMs newer is not older than the limit');
    h.feed(start('e', 10 * MINUTE_MS + 1));
    assert.deepEqual(
      h.invocations.map((r) => [r.requestId, r.completion]),
      [['a', 'evicted']],
    );
    h.feed(start('f', 20 * MINUTE_MS));
    assert.deepEqual(
      h.invocations.map((r) => r.requestId),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(h.correlator.stats(), { inFlight: 3, evicted: 3, late: 0 });
  });

  it('uses event times, not the wall clock: a report arriving hours later completes its invocation', () => {
    const h = harness();
    h.feed(start('n', 0), runtimeDone('n', 150));
    // Frozen for three hours; the report is stamped after the thaw.
    const late = report('n', 3 * HOUR_MS);
    h.feed(late);
    assert.equal(h.invocations.length, 1);
    assert.equal(h.invocations[0]!.completion, 'complete');
    assert.equal(h.invocations[0]!.report, late);
    assert.deepEqual(h.correlator.stats(), { inFlight: 0, evicted: 0, late: 0 });
  });

  it('sweeps after handling an event and spares the invocation that event belongs to', () => {
    const h = harness();
    h.feed(start('n', 0), start('m', 10));
    // runtimeDone n stamped hours later: the other stale invocation goes, n stays.
    h.feed(runtimeDone('n', 3 * HOUR_MS));
    assert.deepEqual(
      h.invocations.map((r) => [r.requestId, r.completion]),
      [['m', 'evicted']],
    );
    h.feed(report('n', 3 * HOUR_MS + 5));
    assert.deepEqual(
      h.invocations.map((r) => [r.requestId, r.completion]),
      [
        ['m', 'evicted'],
        ['n', 'complete'],
      ],
    );
    // Without an event of its own, a stale invocation goes at the next sweep.
    h.feed(start('o', 4 * HOUR_MS), start('p', 5 * HOUR_MS));
    assert.deepEqual(h.invocations.at(-1)!.requestId, 'o');
    assert.deepEqual(h.correlator.stats(), { inFlight: 1, evicted: 2, late: 0 });
  });

  it('emits a completed invocation before evicting stale ones with the same event', () => {
    const h = harness();
    h.feed(start('old', 0), start('n', 1), runtimeDone('n', 2));
    h.feed(report('n', 2 * HOUR_MS));
    assert.deepEqual(
      h.invocations.map((r) => [r.requestId, r.completion]),
      [
        ['n', 'complete'],
        ['old', 'evicted'],
      ],
    );
  });
});

describe('createCorrelator: flush and owedReports', () => {
  it('flush emits pending invocations and unattached phases as shutdown, once', () => {
    const h = harness({ initializationType: 'provisioned-concurrency' });
    const pcStart = initStart(undefined, 0);
    h.feed(pcStart, start('a', 10), runtimeDone('a', 20), report('b', 30));
    h.correlator.flush();
    assert.deepEqual(
      h.invocations.map((r) => [r.requestId, r.completion, r.start !== null, r.runtimeDone !== null, r.report !== null]),
      [
        ['a', 'shutdown', true, true, false],
        ['b', 'shutdown', false, false, true],
      ],
    );
    assert.deepEqual(h.phases, [{ kind: 'init', start: pcStart, runtimeDone: null, report: null, completion: 'shutdown' }]);
    assert.deepEqual(h.correlator.stats(), { inFlight: 0, evicted: 0, late: 0 });
    h.correlator.flush();
    assert.equal(h.invocations.length, 2);
    assert.equal(h.phases.length, 1);
    // Events of flushed invocations are late.
    h.feed(report('a', 40));
    assert.deepEqual(h.correlator.stats(), { inFlight: 0, evicted: 0, late: 1 });
  });

  it('flush attaches a pending on-demand init phase to the first invocation it emits', () => {
    const h = harness();
    const phaseStart = initStart('on-demand', 0);
    h.feed(phaseStart, start('a', 10), start('b', 20));
    h.correlator.flush();
    assert.deepEqual(h.invocations[0]!.phases, [
      { kind: 'init', start: phaseStart, runtimeDone: null, report: null, completion: 'shutdown' },
    ]);
    assert.equal(h.invocations[0]!.coldStart, true);
    assert.deepEqual(h.invocations[1]!.phases, []);
    assert.equal(h.invocations[1]!.coldStart, false);
    assert.deepEqual(h.phases, []);
  });

  it('owedReports counts pending invocations with a start or runtimeDone but no report', () => {
    const h = harness();
    assert.equal(h.correlator.owedReports(), 0);
    h.feed(start('a'));
    assert.equal(h.correlator.owedReports(), 1);
    h.feed(runtimeDone('b'), start('a'));
    assert.equal(h.correlator.owedReports(), 2);
    h.feed(report('c'));
    assert.equal(h.correlator.owedReports(), 2, 'a report alone owes nothing');
    h.feed(report('a'));
    assert.equal(h.correlator.owedReports(), 1, 'a still waits for its runtimeDone, but its report is in');
    h.feed(report('b'), start('b'));
    assert.equal(h.correlator.owedReports(), 0);
    assert.equal(h.correlator.stats().inFlight, 2);
    h.feed(start('d'));
    assert.equal(h.correlator.owedReports(), 1);
    h.correlator.flush();
    assert.equal(h.correlator.owedReports(), 0);
  });
});

describe('createCorrelator: endBatch', () => {
  /** Feeds one delivered batch, then ends it, as the pipeline does. */
  const batch = (h: Harness, ...events: readonly TelemetryEvent[]): void => {
    h.feed(...events);
    h.correlator.endBatch();
  };

  it('emits a report-only invocation complete at the end of its batch, not before', () => {
    const h = harness();
    const reportA = report('a', 20);
    h.feed(reportA);
    assert.equal(h.invocations.length, 0, 'other events of a may still come in this batch');
    h.correlator.endBatch();
    assert.deepEqual(h.invocations, [
      { requestId: 'a', start: null, runtimeDone: null, report: reportA, coldStart: false, phases: [], completion: 'complete' },
    ]);
    assert.deepEqual(h.correlator.stats(), { inFlight: 0, evicted: 0, late: 0 });
    h.correlator.endBatch();
    assert.equal(h.invocations.length, 1, 'once');
  });

  it('emits start + report without runtimeDone complete when the batch with the report ends', () => {
    const h = harness();
    const startA = start('a', 0);
    batch(h, startA);
    assert.equal(h.invocations.length, 0, 'no report yet: a stays pending across batch ends');
    assert.equal(h.correlator.owedReports(), 1);
    const reportA = report('a', 20);
    h.feed(reportA, start('b', 30));
    assert.equal(h.invocations.length, 0);
    h.correlator.endBatch();
    assert.deepEqual(
      h.invocations.map((r) => [r.requestId, r.completion, r.start, r.runtimeDone, r.report]),
      [['a', 'complete', startA, null, reportA]],
    );
    assert.deepEqual(h.correlator.stats(), { inFlight: 1, evicted: 0, late: 0 });
  });

  it('counts a runtimeDone arriving after the end of its report\'s batch as late', () => {
    const h = harness();
    batch(h, start('a', 0), report('a', 20));
    h.feed(runtimeDone('a', 10));
    h.correlator.endBatch();
    assert.equal(h.invocations.length, 1);
    assert.equal(h.invocations[0]!.runtimeDone, null);
    assert.deepEqual(h.correlator.stats(), { inFlight: 0, evicted: 0, late: 1 });
  });

  it('takes the events that came in the same batch after the report', () => {
    const h = harness();
    const [startA, doneA, reportA] = invocation('a', 0);
    batch(h, reportA!, doneA!, startA!);
    assert.deepEqual(
      h.invocations.map((r) => [r.requestId, r.completion, r.start, r.runtimeDone, r.report]),
      [['a', 'complete', startA, doneA, reportA]],
    );
  });

  it('in Lambda order (report N with invocation N+1) emits every invocation complete with all its events', () => {
    const h = harness();
    const a = invocation('a', 0);
    const b = invocation('b', MINUTE_MS);
    batch(h, a[0]!, a[1]!);
    batch(h, a[2]!, b[0]!, b[1]!);
    batch(h, b[2]!);
    assert.deepEqual(
      h.invocations.map((r) => [r.requestId, r.completion, [r.start, r.runtimeDone, r.report]]),
      [
        ['a', 'complete', a],
        ['b', 'complete', b],
      ],
    );
    assert.deepEqual(h.correlator.stats(), { inFlight: 0, evicted: 0, late: 0 });
  });

  it('does not emit again an invocation evicted before the end of its batch', () => {
    const h = harness({ maxInFlight: 1 });
    h.feed(report('a', 0), report('b', 1));
    h.correlator.endBatch();
    assert.deepEqual(
      h.invocations.map((r) => [r.requestId, r.completion]),
      [
        ['a', 'evicted'],
        ['b', 'complete'],
      ],
    );
  });

  it('without endBatch joins in any order, as before: a report first waits for the others', () => {
    const h = harness();
    const [startA, doneA, reportA] = invocation('a', 0);
    h.feed(reportA!);
    h.feed(doneA!);
    assert.equal(h.invocations.length, 0);
    h.feed(startA!);
    assert.deepEqual(
      h.invocations.map((r) => [r.requestId, r.completion, r.start, r.runtimeDone, r.report]),
      [['a', 'complete', startA, doneA, reportA]],
    );
    h.feed(report('b', 30));
    h.correlator.flush();
    assert.deepEqual(h.invocations.at(-1)!.completion, 'shutdown', 'a report alone waits until flush');
  });
});

describe('createCorrelator: cold starts and phases', () => {
  it('marks the invocation whose report carries initDurationMs or restoreDurationMs as cold', () => {
    const h = harness();
    h.feed(...invocation('a', 0, { initDurationMs: 180.2 }), ...invocation('b', 100));
    h.feed(...invocation('c', 200, { restoreDurationMs: 300.1 }));
    assert.deepEqual(
      h.invocations.map((r) => [r.requestId, r.coldStart, r.phases.length]),
      [
        ['a', true, 0],
        ['b', false, 0],
        ['c', true, 0],
      ],
    );
  });

  it('attaches an on-demand init phase to the first invocation, cold even without initDurationMs', () => {
    const h = harness();
    const phase = [initStart('on-demand', 0), initRuntimeDone('on-demand', 100), initReport('on-demand', 101)] as const;
    h.feed(...phase, ...invocation('a', 200), ...invocation('b', 300));
    assert.deepEqual(h.invocations[0]!.phases, [
      { kind: 'init', start: phase[0], runtimeDone: phase[1], report: phase[2], completion: 'complete' },
    ]);
    assert.equal(h.invocations[0]!.coldStart, true);
    assert.deepEqual(h.invocations[1]!.phases, [], 'a phase is attached only once');
    assert.equal(h.invocations[1]!.coldStart, false);
    assert.deepEqual(h.phases, []);
  });

  it('takes the initialization type from the options when no init event says it', () => {
    const h = harness({ initializationType: 'snap-start' });
    h.feed(initStart(undefined, 0), initRuntimeDone(undefined, 1), initReport(undefined, 2), ...invocation('a', 10));
    assert.equal(h.invocations[0]!.coldStart, true);
    assert.equal(h.invocations[0]!.phases.length, 1);
  });

  it('joins phase events in any order', () => {
    const events = [initStart('on-demand', 0), initRuntimeDone('on-demand', 1), initReport('on-demand', 2)];
    for (const order of permutations(events)) {
      const h = harness();
      h.feed(...order, ...invocation('a', 10));
      assert.deepEqual(h.invocations[0]!.phases, [
        { kind: 'init', start: events[0], runtimeDone: events[1], report: events[2], completion: 'complete' },
      ]);
    }
  });

  it('emits a provisioned-concurrency init on its own at its initReport, and no invocation is cold', () => {
    const h = harness();
    const phase = [initStart('provisioned-concurrency', 0), initRuntimeDone('provisioned-concurrency', 1)] as const;
    h.feed(...phase);
    assert.deepEqual(h.phases, []);
    const phaseReport = initReport('provisioned-concurrency', 2);
    h.feed(phaseReport);
    assert.deepEqual(h.phases, [
      { kind: 'init', start: phase[0], runtimeDone: phase[1], report: phaseReport, completion: 'complete' },
    ]);
    h.feed(...invocation('a', HOUR_MS));
    assert.equal(h.invocations[0]!.coldStart, false);
    assert.deepEqual(h.invocations[0]!.phases, []);
    h.feed(initStart('provisioned-concurrency', HOUR_MS + 100));
    assert.equal(h.correlator.stats().late, 1, 'a phase event after its phase was emitted is late');
  });

  it('treats an init of unstated type in a provisioned-concurrency environment as provisioned', () => {
    const h = harness({ initializationType: 'provisioned-concurrency' });
    h.feed(initStart(undefined, 0), initReport(undefined, 1), ...invocation('a', 10));
    assert.equal(h.phases.length, 1);
    assert.equal(h.invocations[0]!.coldStart, false);
  });

  it('attaches a restore phase to the first invocation after it, which is cold', () => {
    const h = harness({ initializationType: 'snap-start' });
    const phase = [restoreStart(0), restoreRuntimeDone(300), restoreReport(301)] as const;
    h.feed(...phase, ...invocation('a', 400), ...invocation('b', 500));
    assert.deepEqual(h.invocations[0]!.phases, [
      { kind: 'restore', start: phase[0], runtimeDone: phase[1], report: phase[2], completion: 'complete' },
    ]);
    assert.equal(h.invocations[0]!.coldStart, true);
    assert.deepEqual(h.invocations[1]!.phases, []);
    assert.equal(h.invocations[1]!.coldStart, false);
  });

  it('attaches a partial phase as evicted, and its later events are late', () => {
    const h = harness();
    h.feed(initStart('on-demand', 0), initRuntimeDone('on-demand', 1), ...invocation('a', 10));
    assert.equal(h.invocations[0]!.phases[0]!.completion, 'evicted');
    assert.equal(h.invocations[0]!.phases[0]!.report, null);
    h.feed(initReport('on-demand', 20));
    assert.equal(h.correlator.stats().late, 1);
    h.correlator.flush();
    assert.deepEqual(h.phases, []);
  });

  it('keeps the first of duplicate phase events', () => {
    const h = harness();
    const first = initStart('on-demand', 0);
    h.feed(first, initStart('on-demand', 5), ...invocation('a', 10));
    assert.equal(h.invocations[0]!.phases[0]!.start, first);
    assert.equal(h.correlator.stats().late, 0);
  });

  it('attaches an init and its re-run during the first invoke to the same invocation', () => {
    const h = harness();
    h.feed(initStart('on-demand', 0, 'init'), initRuntimeDone('on-demand', 10_000, 'init'), initReport('on-demand', 10_001, 'init'));
    h.feed(initStart('on-demand', 10_002, 'invoke'), initRuntimeDone('on-demand', 10_500, 'invoke'));
    h.feed(initReport('on-demand', 10_501, 'invoke'), ...invocation('a', 10_600), ...invocation('b', 20_000));
    assert.deepEqual(
      h.invocations[0]!.phases.map((p) => [p.kind, initPhaseOf(p), p.completion]),
      [
        ['init', 'init', 'complete'],
        ['init', 'invoke', 'complete'],
      ],
    );
    assert.equal(h.invocations[0]!.coldStart, true);
    assert.deepEqual(h.invocations[1]!.phases, []);
  });

  it('makes only one invocation per init the cold start, even when the init events come late', () => {
    const h = harness();
    h.feed(...invocation('a', 1000, { initDurationMs: 200 }));
    const phase = [initStart('on-demand', 0, 'invoke'), initRuntimeDone('on-demand', 1), initReport('on-demand', 2, 'invoke')];
    h.feed(...phase, ...invocation('b', 2000));
    assert.deepEqual(
      h.invocations.map((r) => [r.requestId, r.coldStart, r.phases.length]),
      [
        ['a', true, 0],
        ['b', false, 0],
      ],
    );
    // The re-run phase is emitted on its own at its report; the plain init phase waits for flush.
    assert.deepEqual(
      h.phases.map((p) => [initPhaseOf(p), p.completion]),
      [['invoke', 'complete']],
    );
    h.correlator.flush();
    assert.deepEqual(
      h.phases.map((p) => [p.runtimeDone !== null, p.completion]),
      [
        [false, 'complete'],
        [true, 'shutdown'],
      ],
    );
  });

  it('attaches a phase to an invocation evicted by the cap, as evicted when its report is missing', () => {
    const h = harness({ maxInFlight: 1 });
    h.feed(restoreStart(0), start('a', 10), start('b', 20));
    assert.deepEqual(
      h.invocations.map((r) => [r.requestId, r.completion, r.coldStart, r.phases[0]?.completion]),
      [['a', 'evicted', true, 'evicted']],
    );
  });
});

describe('createCorrelator: bounds', () => {
  it('holds nothing after 100 000 complete invocations and remembers only recent requestIds', () => {
    let emitted = 0;
    const correlator = createCorrelator({ onInvocation: () => emitted++, onPhase: () => {} });
    for (let i = 0; i < 100_000; i++) {
      const id = `req-${i}`;
      correlator.add(start(id, i));
      correlator.add(runtimeDone(id, i));
      correlator.add(report(id, i));
    }
    assert.equal(emitted, 100_000);
    assert.deepEqual(correlator.stats(), { inFlight: 0, evicted: 0, late: 0 });
    // A requestId 10 invocations ago is still remembered: late.
    correlator.add(report('req-99990', 100_000));
    assert.deepEqual(correlator.stats(), { inFlight: 0, evicted: 0, late: 1 });
    // One 2000 invocations ago is forgotten: it starts a new pending invocation.
    correlator.add(report('req-98000', 100_000));
    assert.deepEqual(correlator.stats(), { inFlight: 1, evicted: 0, late: 1 });
  });

  it('holds nothing of 100 000 report-first invocations when endBatch is never called', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let emitted = 0;
    const correlator = createCorrelator({ maxInFlight: 50, onInvocation: () => emitted++, onPhase: () => {} });
    // Weak references to the events of the first invocations: held by the correlator only.
    const firsts: Array<WeakRef<TelemetryEvent>> = [];
    for (let i = 0; i < 100_000; i++) {
      const id = `req-${i}`;
      const events = [report(id, i), start(id, i), runtimeDone(id, i)];
      if (i < 10) firsts.push(new WeakRef(events[0]!));
      for (const event of events) correlator.add(event);
    }
    assert.equal(emitted, 100_000);
    assert.deepEqual(correlator.stats(), { inFlight: 0, evicted: 0, late: 0 });
    // A WeakRef target stays alive until the current job ends.
    await new Promise(setImmediate);
    gc();
    assert.deepEqual(
      firsts.map((ref) => ref.deref() === undefined),
      Array(10).fill(true),
      'the reports of emitted invocations are no longer referenced',
    );
    correlator.endBatch();
    assert.equal(emitted, 100_000, 'the ones already emitted are not emitted again');
  });

  it('holds at most maxInFlight report-only invocations when endBatch is never called', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const correlator = createCorrelator({ maxInFlight: 50, onInvocation: () => {}, onPhase: () => {} });
    const firsts: Array<WeakRef<TelemetryEvent>> = [];
    for (let i = 0; i < 100_000; i++) {
      const event = report(`req-${i}`, i);
      if (i >= 10 && i < 20) firsts.push(new WeakRef(event));
      correlator.add(event);
    }
    assert.deepEqual(correlator.stats(), { inFlight: 50, evicted: 100_000 - 50, late: 0 });
    await new Promise(setImmediate);
    gc();
    assert.ok(
      firsts.every((ref) => ref.deref() === undefined),
      'evicted report-only invocations are no longer referenced',
    );
  });

  it('random sequences with duplicates and missing events never throw or emit a requestId twice', () => {
    const random = prng(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const makers = [start, runtimeDone, report];
    const phaseMakers = [
      () => initStart(pick(['on-demand', 'provisioned-concurrency', undefined]), 0, pick(['init', 'invoke'])),
      () => initRuntimeDone(undefined, 0),
      () => initReport(pick(['on-demand', 'snap-start', undefined]), 0),
      () => restoreStart(0),
      () => restoreRuntimeDone(0),
      () => restoreReport(0),
    ];
    for (let trial = 0; trial < 300; trial++) {
      const h = harness({ maxInFlight: 1 + Math.floor(random() * 6), maxAgeMs: 1 + Math.floor(random() * 10 * MINUTE_MS) });
      let nowMs = 0;
      const ids = Array.from({ length: 1 + Math.floor(random() * 12) }, (_, i) => `t${trial}-${i}`);
      const length = Math.floor(random() * 80);
      for (let i = 0; i < length; i++) {
        nowMs += random() < 0.05 ? Math.floor(random() * 3 * HOUR_MS) : Math.floor(random() * 1000) - 200;
        const event = random() < 0.1 ? pick(phaseMakers)() : pick(makers)(pick(ids), nowMs);
        h.feed({ ...event, time: at(nowMs) } as TelemetryEvent);
        assert.ok(h.correlator.owedReports() <= h.correlator.stats().inFlight);
      }
      h.correlator.flush();
      const seen = new Set<string>();
      for (const record of h.invocations) {
        assert.ok(!seen.has(record.requestId), `${record.requestId} emitted twice`);
        seen.add(record.requestId);
        for (const event of [record.start, record.runtimeDone, record.report]) {
          if (event !== null) assert.equal(event.record.requestId, record.requestId);
        }
        if (record.completion === 'complete') assert.ok(record.start && record.runtimeDone && record.report);
      }
      const stats = h.correlator.stats();
      assert.equal(stats.inFlight, 0);
      assert.equal(h.correlator.owedReports(), 0);
      assert.equal(stats.evicted, h.invocations.filter((r) => r.completion === 'evicted').length);
      const attached = h.invocations.reduce((n, r) => n + r.phases.length, 0);
      assert.ok(attached + h.phases.length <= 3, 'at most one record per phase');
    }
  });
});

describe('correlator: an unparsable time before any valid one', () => {
  it('does not make the invocation infinitely old', () => {
    const emitted: InvocationRecord[] = [];
    const correlator = createCorrelator({ onInvocation: (r) => emitted.push(r), onPhase: () => {} });
    correlator.add({ ...start('A'), time: 'not a time' });
    correlator.add(start('B', 1000));
    correlator.add(runtimeDone('A', 2000));
    correlator.add(report('A', 3000));
    assert.deepEqual(emitted.map((r) => [r.requestId, r.completion]), [['A', 'complete']]);
    assert.equal(correlator.stats().late, 0);
  });
});

describe('decode + correlator: malformed optional fields', () => {
  it('completes an invocation whose start, runtimeDone and report each lost a malformed optional field', () => {
    // Prepare: a bad tracing on start and runtimeDone, a bad span, producedBytes and memorySizeMB.
    const { events, dropped } = decode(readFixture('malformed/mixed-optional-fields.json'));
    assert.ok(dropped.length > 0);
    const h = harness();

    // Act
    h.feed(...events);

    // Assess
    assert.deepEqual(
      h.invocations.map((r) => [r.requestId, r.completion, r.start?.record.tracing, r.runtimeDone?.record.tracing, r.runtimeDone?.record.status]),
      [['c82d4f19-6e3a-4b75-a0d8-5f1e9c27b643', 'complete', undefined, undefined, 'success']],
    );
    assert.equal(h.correlator.owedReports(), 0);
  });
});

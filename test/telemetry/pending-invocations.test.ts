/**
 * The invocations a correlator waits on (pending-invocations.ts), through createCorrelator():
 * start, runtimeDone and report joined in any order and across batches, endBatch(), eviction
 * by the cap and by event-time age, late events, and the bounds of its state.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createCorrelator } from '../../src/telemetry/correlator.ts';
import type { TelemetryEvent } from '../../src/telemetry/events.ts';
import type { InvocationRecord } from '../../src/telemetry/invocation.ts';
import {
  HOUR_MS, MINUTE_MS, at, harness, initReport, initRuntimeDone, initStart, invocation, permutations, prng, report, restoreReport, restoreRuntimeDone, restoreStart, runtimeDone, shuffle, start,
} from './correlator-support.ts';
import type { Harness } from './correlator-support.ts';

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

  it('tolerates an event time that does not parse', () => {
    const h = harness({ maxAgeMs: MINUTE_MS });
    h.feed({ ...start('a'), time: '2025-13-45T99:99:99.000Z' }, runtimeDone('a'), report('a'));
    assert.equal(h.invocations[0]!.completion, 'complete');
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

/**
 * The init and restore phases a correlator waits on (pending-phases.ts), through
 * createCorrelator(): which phase stands alone, which goes with an invocation, and which
 * invocation is the cold start.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  HOUR_MS, harness, initPhaseOf, initReport, initRuntimeDone, initStart, invocation, permutations, restoreReport, restoreRuntimeDone, restoreStart, start,
} from './correlator-support.ts';

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

/**
 * createCorrelator() as a whole: which events it takes, the limits it refuses, flush() and
 * owedReports(), and decode() feeding it. The joining and its bounds are in
 * pending-invocations.test.ts, the phases and cold starts in pending-phases.test.ts, the
 * properties over arbitrary streams in correlator.property.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCorrelator } from '../../src/telemetry/correlator.ts';
import { decode } from '../../src/telemetry/decode.ts';
import type { TelemetryEvent } from '../../src/telemetry/events.ts';
import { at, harness, initStart, report, runtimeDone, start } from './correlator-support.ts';
import { readFixture } from './support.ts';

describe('createCorrelator: routing and limits', () => {
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

/**
 * createCorrelator(), property-based (fast-check): arbitrary interleavings of start, runtimeDone
 * and report for many requestIds, with duplicates, missing events, phase events and other
 * events mixed in. Whatever the order, nothing throws, every requestId is emitted exactly once
 * (complete at most once), a record holds exactly the first events fed for it, and the pending
 * state stays within its cap. Example-based cases live in correlator.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { INITIALIZATION_TYPES, STATUSES } from '../../src/telemetry/constants.ts';
import { createCorrelator } from '../../src/telemetry/correlator.ts';
import type { Correlator, CorrelatorOptions } from '../../src/telemetry/correlator.ts';
import type { ReportEvent, RuntimeDoneEvent, StartEvent, TelemetryEvent } from '../../src/telemetry/events.ts';
import type { InvocationRecord, PhaseRecord } from '../../src/telemetry/invocation.ts';

/** Runs per property: a few seconds for the whole file. */
const RUNS = 300;
const BASE_MS = Date.parse('2025-03-14T09:26:53.589Z');
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** The correlator remembers this many emitted requestIds (REMEMBERED_REQUEST_IDS in correlator.ts). */
const REMEMBERED = 1024;

const at = (offsetMs: number): string => new Date(BASE_MS + offsetMs).toISOString();

type InvocationEvent = StartEvent | RuntimeDoneEvent | ReportEvent;
type Kind = 'start' | 'runtimeDone' | 'report';
const KINDS: readonly Kind[] = ['start', 'runtimeDone', 'report'];
const KIND_OF = { 'platform.start': 'start', 'platform.runtimeDone': 'runtimeDone', 'platform.report': 'report' } as const;

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

/** Event times: offsets from BASE_MS in [0, maxOffsetMs]. */
const timeWithin = (maxOffsetMs: number): fc.Arbitrary<string> => fc.integer({ min: 0, max: maxOffsetMs }).map(at);

const requestId = fc.oneof(
  fc.uuid(),
  fc.string({ minLength: 1, maxLength: 10 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', ' '),
);
const status = fc.constantFrom(...STATUSES);
const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });

function startOf(id: string, time: fc.Arbitrary<string>): fc.Arbitrary<TelemetryEvent> {
  return fc
    .record({ time, version: optional(fc.constantFrom('$LATEST', '7')), tenantId: optional(fc.string()) })
    .map(({ time, version, tenantId }): StartEvent => ({ time, type: 'platform.start', record: { requestId: id, version, tenantId } }));
}

function runtimeDoneOf(id: string, time: fc.Arbitrary<string>): fc.Arbitrary<TelemetryEvent> {
  return fc
    .record({ time, status, durationMs: optional(fc.double({ min: 0, max: 9e5, noNaN: true })) })
    .map(({ time, status, durationMs }): RuntimeDoneEvent => ({
      time,
      type: 'platform.runtimeDone',
      record: { requestId: id, status, metrics: durationMs === undefined ? undefined : { durationMs } },
    }));
}

function reportOf(id: string, time: fc.Arbitrary<string>): fc.Arbitrary<TelemetryEvent> {
  return fc
    .record({
      time,
      status: optional(status),
      durationMs: fc.double({ min: 0, max: 9e5, noNaN: true }),
      initDurationMs: optional(fc.constant(180.2)),
      restoreDurationMs: optional(fc.constant(310.4)),
    })
    .map(({ time, status, durationMs, initDurationMs, restoreDurationMs }): ReportEvent => ({
      time,
      type: 'platform.report',
      record: { requestId: id, status, metrics: { durationMs, initDurationMs, restoreDurationMs } },
    }));
}

/** 0 to 3 copies of `arb`: 0 is a missing event, more than 1 are duplicates. */
const copies = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T[]> =>
  fc.integer({ min: 0, max: 3 }).chain((n) => fc.array(arb, { minLength: n, maxLength: n }));

/** Every event of one requestId: each kind missing, once or duplicated. */
function eventsOf(id: string, time: fc.Arbitrary<string>): fc.Arbitrary<TelemetryEvent[]> {
  return fc
    .tuple(copies(startOf(id, time)), copies(runtimeDoneOf(id, time)), copies(reportOf(id, time)))
    .map(([s, d, r]) => [...s, ...d, ...r]);
}

/** Init and restore events of any type, with any initialization type and phase. */
function phaseEvent(time: fc.Arbitrary<string>): fc.Arbitrary<TelemetryEvent> {
  const initializationType = optional(fc.constantFrom(...INITIALIZATION_TYPES, 'future-type'));
  const phase = optional(fc.constantFrom('init', 'invoke', 'other'));
  return fc.oneof(
    fc.record({ time, initializationType, phase }).map(({ time, ...r }): TelemetryEvent => ({ time, type: 'platform.initStart', record: r })),
    fc
      .record({ time, initializationType, phase, status })
      .map(({ time, ...r }): TelemetryEvent => ({ time, type: 'platform.initRuntimeDone', record: r })),
    fc
      .record({ time, initializationType, phase, status: optional(status) })
      .map(({ time, ...r }): TelemetryEvent => ({ time, type: 'platform.initReport', record: { ...r, metrics: { durationMs: 250.3 } } })),
    time.map((t): TelemetryEvent => ({ time: t, type: 'platform.restoreStart', record: {} })),
    fc.record({ time, status }).map(({ time, status }): TelemetryEvent => ({ time, type: 'platform.restoreRuntimeDone', record: { status } })),
    fc.record({ time, status: optional(status) }).map(({ time, status }): TelemetryEvent => ({ time, type: 'platform.restoreReport', record: { status } })),
  );
}

/** Events the correlator must ignore. */
function otherEvent(time: fc.Arbitrary<string>): fc.Arbitrary<TelemetryEvent> {
  return fc.oneof(
    fc.record({ time, line: fc.string() }).map(({ time, line }): TelemetryEvent => ({ time, type: 'function', record: line })),
    time.map((t): TelemetryEvent => ({ time: t, type: 'extension', record: { level: 'INFO', requestId: 'not-a-platform-event' } })),
    time.map((t): TelemetryEvent => ({ time: t, type: 'platform.logsDropped', record: { reason: 'r', droppedRecords: 1, droppedBytes: 1 } })),
  );
}

/**
 * A stream: 1 to `maxIds` requestIds with their (missing, single or duplicated) events, plus
 * phase and other events, in an arbitrary order (a permutation of all of them).
 */
function stream(maxIds: number, time: fc.Arbitrary<string>): fc.Arbitrary<TelemetryEvent[]> {
  return fc
    .uniqueArray(requestId, { minLength: 1, maxLength: maxIds })
    .chain((ids) =>
      fc.tuple(
        fc.tuple(...ids.map((id) => eventsOf(id, time))),
        fc.array(phaseEvent(time), { maxLength: 8 }),
        fc.array(otherEvent(time), { maxLength: 4 }),
      ),
    )
    .chain(([perId, phases, others]) => {
      const all = [...perId.flat(), ...phases, ...others];
      return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
    });
}

// ---------------------------------------------------------------------------------------------
// Driving a correlator and checking it against a model of what was fed
// ---------------------------------------------------------------------------------------------

interface Emitted<R> {
  /** Index of the event whose `add` emitted it; the stream's length for `flush`. */
  readonly position: number;
  readonly record: R;
}

interface Trace {
  readonly invocations: Emitted<InvocationRecord>[];
  readonly phases: Emitted<PhaseRecord>[];
  readonly correlator: Correlator;
}

function isInvocationEvent(event: TelemetryEvent): event is InvocationEvent {
  return event.type === 'platform.start' || event.type === 'platform.runtimeDone' || event.type === 'platform.report';
}

/** Which of the correlator's three phase slots an event belongs to: init, init re-run (`phase: 'invoke'`), restore; null for others. */
function slotOf(event: TelemetryEvent): number | null {
  switch (event.type) {
    case 'platform.initStart':
    case 'platform.initRuntimeDone':
    case 'platform.initReport':
      return event.record.phase === 'invoke' ? 1 : 0;
    case 'platform.restoreStart':
    case 'platform.restoreRuntimeDone':
    case 'platform.restoreReport':
      return 2;
    default:
      return null;
  }
}

function slotOfRecord(record: PhaseRecord): number {
  const event = record.start ?? record.runtimeDone ?? record.report;
  assert.ok(event !== null, 'a phase record holds at least the event that opened it');
  const slot = slotOf(event);
  assert.ok(slot !== null);
  return slot;
}

/** What the model knows of one pending invocation. */
interface PendingModel {
  hasReport: boolean;
}

/**
 * Feeds `events` one by one, then flushes. After each add it checks the pending state against
 * a model built only from what was fed and what was emitted (the number in flight, the reports
 * owed, the cap, no event evicting its own invocation), then calls `afterAdd`.
 */
function drive(
  events: readonly TelemetryEvent[],
  options: Partial<CorrelatorOptions> = {},
  afterAdd?: (index: number, emitted: ReadonlySet<string>) => void,
): Trace {
  const invocations: Emitted<InvocationRecord>[] = [];
  const phases: Emitted<PhaseRecord>[] = [];
  let position = 0;
  const correlator = createCorrelator({
    ...options,
    onInvocation: (record) => {
      invocations.push({ position, record });
      for (const phase of record.phases) phases.push({ position, record: phase });
    },
    onPhase: (record) => phases.push({ position, record }),
  });

  const pending = new Map<string, PendingModel>();
  const emittedIds = new Set<string>();
  let seen = 0;
  for (; position < events.length; position++) {
    const event = events[position]!;
    correlator.add(event);
    if (isInvocationEvent(event) && !emittedIds.has(event.record.requestId)) {
      const model = pending.get(event.record.requestId) ?? { hasReport: false };
      if (event.type === 'platform.report') model.hasReport = true;
      pending.set(event.record.requestId, model);
    }
    for (; seen < invocations.length; seen++) {
      const { requestId: id, completion } = invocations[seen]!.record;
      assert.ok(pending.delete(id), `emitted ${JSON.stringify(id)}, which was not pending`);
      // An event never evicts its own invocation (e.g. a report stamped hours later, after a freeze).
      if (isInvocationEvent(event) && event.record.requestId === id) assert.equal(completion, 'complete', `evicted by its own event ${position}`);
      emittedIds.add(id);
    }
    const stats = correlator.stats();
    assert.equal(stats.inFlight, pending.size, `in flight after event ${position}`);
    assert.equal(correlator.owedReports(), [...pending.values()].filter((p) => !p.hasReport).length, `owed after event ${position}`);
    if (options.maxInFlight !== undefined) assert.ok(stats.inFlight <= options.maxInFlight, `cap after event ${position}`);
    afterAdd?.(position, emittedIds);
  }
  correlator.flush();
  return { invocations, phases, correlator };
}

/** The first event of `kind` for `id` among events[0..last], or null. */
function firstOf(events: readonly TelemetryEvent[], id: string, kind: Kind, last: number): InvocationEvent | null {
  for (let i = 0; i <= last && i < events.length; i++) {
    const e = events[i]!;
    if (isInvocationEvent(e) && e.record.requestId === id && KIND_OF[e.type] === kind) return e;
  }
  return null;
}

/**
 * What holds for any stream of fewer than REMEMBERED requestIds, whatever the options:
 * each id emitted exactly once, complete iff all three kinds arrived before, each record holding
 * the first event of each kind fed up to its emission, each phase slot emitted once, the
 * counters matching, nothing left after flush.
 */
function assertConsistent(events: readonly TelemetryEvent[], trace: Trace): void {
  const { invocations, phases, correlator } = trace;
  const flushAt = events.length;
  const fedIds = new Set(events.filter(isInvocationEvent).map((e) => e.record.requestId));
  assert.ok(fedIds.size < REMEMBERED);

  // Every requestId exactly once, complete at most once.
  const emittedAt = new Map<string, number>();
  for (const { position, record } of invocations) {
    assert.ok(!emittedAt.has(record.requestId), `${JSON.stringify(record.requestId)} emitted twice`);
    emittedAt.set(record.requestId, position);
  }
  assert.deepEqual(new Set(emittedAt.keys()), fedIds);

  // Each record holds exactly the first event of each kind fed up to its emission.
  for (const { position, record } of invocations) {
    for (const kind of KINDS) assert.equal(record[kind], firstOf(events, record.requestId, kind, position), `${kind} of ${record.requestId}`);
    const all = record.start !== null && record.runtimeDone !== null && record.report !== null;
    assert.equal(record.completion === 'complete', all, `completion of ${record.requestId}`);
    assert.equal(record.completion === 'shutdown', position === flushAt, `shutdown only from flush: ${record.requestId}`);
    if (record.completion === 'complete') assert.ok([record.start, record.runtimeDone, record.report].includes(events[position] as InvocationEvent), 'completed by the event just fed');
  }

  // Each phase slot that received an event is emitted once, with the first event of each kind.
  const slotEmittedAt = new Map<number, number>();
  for (const { position, record } of phases) {
    const slot = slotOfRecord(record);
    assert.ok(!slotEmittedAt.has(slot), `phase slot ${slot} emitted twice`);
    slotEmittedAt.set(slot, position);
    const fed = events.slice(0, position + 1).filter((e) => slotOf(e) === slot);
    const first = (types: readonly string[]) => fed.find((e) => types.includes(e.type)) ?? null;
    assert.equal(record.start, first(['platform.initStart', 'platform.restoreStart']));
    assert.equal(record.runtimeDone, first(['platform.initRuntimeDone', 'platform.restoreRuntimeDone']));
    assert.equal(record.report, first(['platform.initReport', 'platform.restoreReport']));
    assert.equal(record.completion === 'complete', record.report !== null);
    if (record.completion === 'shutdown') assert.equal(position, flushAt);
  }
  assert.deepEqual(new Set(slotEmittedAt.keys()), new Set(events.map(slotOf).filter((s) => s !== null)));

  // Counters: late = events fed after their invocation or phase was emitted.
  let late = 0;
  events.forEach((e, i) => {
    const emitted = isInvocationEvent(e) ? emittedAt.get(e.record.requestId) : slotOf(e) === null ? undefined : slotEmittedAt.get(slotOf(e)!);
    if (emitted !== undefined && i > emitted) late++;
  });
  const evicted = invocations.filter((e) => e.record.completion === 'evicted').length;
  assert.deepEqual(correlator.stats(), { inFlight: 0, evicted, late });
  assert.equal(correlator.owedReports(), 0);

  // An invocation that carries a restore phase is a cold start.
  for (const { record } of invocations) if (record.phases.some((p) => p.kind === 'restore')) assert.ok(record.coldStart);

  // flush is idempotent.
  const before = [invocations.length, phases.length];
  correlator.flush();
  assert.deepEqual([invocations.length, phases.length], before);
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('createCorrelator (property): arbitrary interleavings', () => {
  it('without eviction: complete when the last missing kind arrives, the rest at flush, in order, with the first events fed', () => {
    // All times within 10 minutes (maxAgeMs 20) and fewer ids than maxInFlight (500): nothing is evicted.
    fc.assert(
      fc.property(stream(25, timeWithin(10 * MINUTE_MS)), (events) => {
        const trace = drive(events);
        assertConsistent(events, trace);

        // The model: an id completes at the event that brings its last missing kind.
        const kindsSeen = new Map<string, Set<Kind>>();
        const expected: Array<[string, string, number]> = [];
        events.forEach((e, i) => {
          if (!isInvocationEvent(e)) return;
          const kinds = kindsSeen.get(e.record.requestId) ?? new Set<Kind>();
          kindsSeen.set(e.record.requestId, kinds);
          if (kinds.size === 3) return;
          kinds.add(KIND_OF[e.type]);
          if (kinds.size === 3) expected.push([e.record.requestId, 'complete', i]);
        });
        // flush emits the others in the order their first event arrived.
        for (const [id, kinds] of kindsSeen) if (kinds.size < 3) expected.push([id, 'shutdown', events.length]);
        assert.deepEqual(
          trace.invocations.map(({ position, record }) => [record.requestId, record.completion, position]),
          expected,
        );
        assert.equal(trace.correlator.stats().evicted, 0);
      }),
      { numRuns: RUNS },
    );
  });

  it('with any cap and age limit: within the cap after every event, and every id emitted exactly once', () => {
    const times = fc.oneof(timeWithin(MINUTE_MS), timeWithin(3 * HOUR_MS));
    fc.assert(
      fc.property(
        stream(30, times),
        fc.integer({ min: 1, max: 8 }),
        fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 30 * MINUTE_MS })),
        fc.constantFrom(undefined, ...INITIALIZATION_TYPES),
        (events, maxInFlight, maxAgeMs, initializationType) => {
          assertConsistent(events, drive(events, { maxInFlight, maxAgeMs, initializationType }));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('with times in arrival order: no pending invocation but the one just fed is older than maxAgeMs', () => {
    const step = fc.record({
      gapMs: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 20 * MINUTE_MS })),
      id: fc.nat({ max: 9 }),
      kind: fc.constantFrom(...KINDS),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 150 }), fc.integer({ min: 1, max: 30 * MINUTE_MS }), (steps, maxAgeMs) => {
        // Times that never go back, as Lambda stamps them.
        let nowMs = 0;
        const events: TelemetryEvent[] = steps.map(({ gapMs, id, kind }) => {
          nowMs += gapMs;
          const time = at(nowMs);
          const requestId = `r${id}`;
          if (kind === 'start') return { time, type: 'platform.start', record: { requestId } };
          if (kind === 'runtimeDone') return { time, type: 'platform.runtimeDone', record: { requestId, status: 'success' } };
          return { time, type: 'platform.report', record: { requestId, metrics: { durationMs: 1 } } };
        });
        const firstMs = new Map<string, number>();
        const trace = drive(events, { maxAgeMs }, (index, emitted) => {
          const event = events[index] as InvocationEvent;
          const id = event.record.requestId;
          const newestMs = Date.parse(event.time);
          if (!firstMs.has(id) && !emitted.has(id)) firstMs.set(id, newestMs);
          for (const [pendingId, ms] of firstMs) {
            if (pendingId === id || emitted.has(pendingId)) continue;
            assert.ok(ms >= newestMs - maxAgeMs, `${pendingId} (first at +${ms - BASE_MS} ms) still pending at +${newestMs - BASE_MS} ms`);
          }
        });
        assertConsistent(events, trace);
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on events whose time does not parse, and still emits every id once', () => {
    const time = fc.oneof(timeWithin(HOUR_MS), fc.constantFrom('not a time', '', '2025-13-45T99:99:99.000Z'));
    fc.assert(
      fc.property(stream(20, time), fc.integer({ min: 1, max: 6 }), (events, maxInFlight) => {
        assertConsistent(events, drive(events, { maxInFlight, maxAgeMs: 10 * MINUTE_MS }));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('createCorrelator (property): bounded state', () => {
  it('a flood of distinct requestIds that never complete keeps exactly maxInFlight pending, evicting the oldest', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 400 }), (maxInFlight, count) => {
        const evictedIds: string[] = [];
        const correlator = createCorrelator({ maxInFlight, onInvocation: (r) => evictedIds.push(r.requestId), onPhase: () => {} });
        for (let i = 0; i < count; i++) {
          correlator.add({ time: at(i), type: 'platform.start', record: { requestId: `flood-${i}` } });
          assert.ok(correlator.stats().inFlight <= maxInFlight);
        }
        const evicted = Math.max(0, count - maxInFlight);
        assert.deepEqual(correlator.stats(), { inFlight: Math.min(count, maxInFlight), evicted, late: 0 });
        assert.deepEqual(evictedIds, Array.from({ length: evicted }, (_, i) => `flood-${i}`));
        assert.equal(correlator.owedReports(), Math.min(count, maxInFlight));
      }),
      { numRuns: 100 },
    );
  });

  it(`remembers exactly the last ${REMEMBERED} emitted requestIds: an older one starts anew, a newer one is late`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2.5 * REMEMBERED }), fc.nat(), (count, pick) => {
        const correlator = createCorrelator({ onInvocation: () => {}, onPhase: () => {} });
        for (let i = 0; i < count; i++) {
          const requestId = `id-${i}`;
          correlator.add({ time: at(i), type: 'platform.start', record: { requestId } });
          correlator.add({ time: at(i), type: 'platform.runtimeDone', record: { requestId, status: 'success' } });
          correlator.add({ time: at(i), type: 'platform.report', record: { requestId, metrics: { durationMs: 1 } } });
        }
        const j = pick % count;
        correlator.add({ time: at(count), type: 'platform.report', record: { requestId: `id-${j}`, metrics: { durationMs: 1 } } });
        const remembered = j >= count - REMEMBERED;
        assert.deepEqual(correlator.stats(), { inFlight: remembered ? 0 : 1, evicted: 0, late: remembered ? 1 : 0 });
      }),
      { numRuns: 60 },
    );
  });
});

/**
 * createRuntimeDoneWait(): every way the end-of-invocation wait ends, the quiet-stream bound,
 * the count of invocations without runtimeDone, and late runtimeDones. Under mock timers
 * (setTimeout and Date): no real sleeps.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { MISSES_BEFORE_UNRELIABLE, createRuntimeDoneWait } from '../../src/otel/runtime-done-wait.ts';
import type { RuntimeDoneWait, RuntimeDoneWaitOptions, WaitOutcome } from '../../src/otel/runtime-done-wait.ts';
import type { FunctionLogEvent, LogsDroppedEvent } from '../../src/telemetry/events.ts';
import { T0, invocation, iso } from './event-builders.ts';

const QUIET_MS = 225;
const MAX_MS = 10_000;

const a = invocation({ requestId: 'a', atMs: T0 });
const b = invocation({ requestId: 'b', atMs: T0 + 1000 });
const logLine: FunctionLogEvent = { time: iso(T0 + 5), type: 'function', record: 'still working' };
const dropped: LogsDroppedEvent = { time: iso(T0 + 6), type: 'platform.logsDropped', record: { reason: 'slow consumer', droppedRecords: 3, droppedBytes: 900 } };

interface Harness {
  readonly waits: RuntimeDoneWait;
  readonly late: number[];
  readonly unreliable: number[];
}

function harness(options: Partial<RuntimeDoneWaitOptions> = {}): Harness {
  const late: number[] = [];
  const unreliable: number[] = [];
  const waits = createRuntimeDoneWait({
    quietMs: QUIET_MS,
    onLateRuntimeDone: () => late.push(Date.now()),
    onUnreliable: (misses) => unreliable.push(misses),
    ...options,
  });
  return { waits, late, unreliable };
}

/** The outcome of a wait once it settled, `null` while it is still waiting. */
function track(promise: Promise<WaitOutcome>): { outcome: WaitOutcome | null } {
  const state: { outcome: WaitOutcome | null } = { outcome: null };
  void promise.then((outcome) => (state.outcome = outcome));
  return state;
}

/** Runs the fake timers and lets the promise callbacks they trigger run. */
async function tick(ms: number): Promise<void> {
  mock.timers.tick(ms);
  for (let i = 0; i < 3; i++) await Promise.resolve();
}

describe('runtimeDone wait: how a wait ends', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 }));
  afterEach(() => mock.timers.reset());

  const cases: ReadonlyArray<{ name: string; maxMs?: number; act: (waits: RuntimeDoneWait) => Promise<void> | void; outcome: WaitOutcome }> = [
    { name: 'its runtimeDone', act: (w) => w.observe([a.start, a.runtimeDone]), outcome: 'runtimeDone' },
    { name: 'its report (the runtimeDone was lost)', act: (w) => w.observe([a.start, a.report]), outcome: 'report' },
    { name: "another request's start", act: (w) => w.observe([b.start]), outcome: 'superseded' },
    { name: 'a second wait', act: (w) => void w.wait('b', MAX_MS), outcome: 'superseded' },
    { name: 'platform.logsDropped', act: (w) => w.observe([logLine, dropped]), outcome: 'dropped' },
    { name: 'a quiet stream for quietMs', act: () => tick(QUIET_MS), outcome: 'quiet' },
    { name: 'maxMs, before the stream is quiet', maxMs: 100, act: () => tick(100), outcome: 'timeout' },
  ];
  for (const { name, maxMs = MAX_MS, act, outcome } of cases) {
    it(`ends on ${name}: '${outcome}'`, async () => {
      // Prepare
      const { waits } = harness();
      const wait = track(waits.wait('a', maxMs));
      await tick(0);
      assert.equal(wait.outcome, null, 'waits until something happens');
      // Act
      await act(waits);
      await tick(0);
      // Assess
      assert.equal(wait.outcome, outcome);
    });
  }

  it('is not ended by its own start, another request\'s runtimeDone or report, or log lines', async () => {
    const { waits } = harness();
    const wait = track(waits.wait('a', MAX_MS));
    waits.observe([a.start, b.runtimeDone, b.report, logLine]);
    await tick(QUIET_MS - 1);
    assert.equal(wait.outcome, null);
    waits.observe([a.runtimeDone]);
    await tick(0);
    assert.equal(wait.outcome, 'runtimeDone');
  });

  it('ends on maxMs even while the stream stays busy', async () => {
    const { waits } = harness();
    const wait = track(waits.wait('a', 1000));
    for (let elapsed = 0; elapsed < 999; elapsed += 111) {
      waits.observe([logLine]);
      await tick(111);
    }
    assert.equal(wait.outcome, null, 'never quiet for 225 ms');
    await tick(1);
    assert.equal(wait.outcome, 'timeout');
  });

  it('resolves at once when the runtimeDone arrived before the wait', async () => {
    const { waits } = harness();
    waits.observe([a.start, a.runtimeDone]);
    const wait = track(waits.wait('a', MAX_MS));
    await tick(0);
    assert.equal(wait.outcome, 'runtimeDone');
  });
});

describe('runtimeDone wait: the quiet bound', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 }));
  afterEach(() => mock.timers.reset());

  for (const [name, keepAlive] of [
    ['observe() of a batch', (w: RuntimeDoneWait) => w.observe([logLine])],
    ['observe() of an empty batch', (w: RuntimeDoneWait) => w.observe([])],
    ['activity()', (w: RuntimeDoneWait) => w.activity()],
  ] as const) {
    it(`is re-armed by ${name}`, async () => {
      const { waits } = harness();
      const wait = track(waits.wait('a', MAX_MS));
      await tick(200);
      keepAlive(waits);
      await tick(200);
      assert.equal(wait.outcome, null, '400 ms since the wait began, but 200 ms since the stream was last alive');
      await tick(QUIET_MS - 200 - 1);
      assert.equal(wait.outcome, null);
      await tick(1);
      assert.equal(wait.outcome, 'quiet');
    });
  }

  it('counts from the start of the wait, not from activity before it', async () => {
    const { waits } = harness();
    waits.observe([logLine]);
    await tick(10_000);
    const wait = track(waits.wait('a', MAX_MS));
    await tick(QUIET_MS - 1);
    assert.equal(wait.outcome, null);
    await tick(1);
    assert.equal(wait.outcome, 'quiet');
  });
});

describe('runtimeDone wait: a second wait', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 }));
  afterEach(() => mock.timers.reset());

  it('supersedes the first, which no longer ends on its own events; the second still does', async () => {
    const { waits, late } = harness();
    const first = track(waits.wait('a', MAX_MS));
    const second = track(waits.wait('b', MAX_MS));
    await tick(0);
    assert.deepEqual([first.outcome, second.outcome], ['superseded', null]);
    waits.observe([a.runtimeDone, a.report]);
    await tick(0);
    assert.equal(second.outcome, null, "a's events do not end b's wait");
    assert.deepEqual(late, [], 'a superseded wait has no late runtimeDone');
    waits.observe([b.start, b.runtimeDone]);
    await tick(0);
    assert.deepEqual([first.outcome, second.outcome], ['superseded', 'runtimeDone']);
  });

  it("leaves the second wait's quiet bound to the second wait", async () => {
    const { waits } = harness();
    track(waits.wait('a', 50));
    await tick(100);
    const second = track(waits.wait('b', MAX_MS));
    await tick(QUIET_MS - 1);
    assert.equal(second.outcome, null, "the first wait's timers do not end the second");
    await tick(1);
    assert.equal(second.outcome, 'quiet');
  });
});

describe('runtimeDone wait: invocations without runtimeDone', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 }));
  afterEach(() => mock.timers.reset());

  const reportOnly = (i: number) => invocation({ requestId: `miss-${i}`, atMs: T0 + i * 1000 }).report;

  it(`becomes unreliable after exactly ${MISSES_BEFORE_UNRELIABLE} reports in a row without their runtimeDone, and says so once`, () => {
    const { waits, unreliable } = harness();
    for (let i = 0; i < MISSES_BEFORE_UNRELIABLE - 1; i++) waits.observe([reportOnly(i)]);
    assert.equal(waits.unreliable(), false);
    assert.deepEqual(unreliable, []);
    waits.observe([reportOnly(MISSES_BEFORE_UNRELIABLE - 1)]);
    assert.equal(waits.unreliable(), true);
    assert.deepEqual(unreliable, [MISSES_BEFORE_UNRELIABLE]);
    for (let i = MISSES_BEFORE_UNRELIABLE; i < 10; i++) waits.observe([reportOnly(i)]);
    assert.deepEqual(unreliable, [MISSES_BEFORE_UNRELIABLE], 'onUnreliable once');
  });

  it('stays unreliable for good, even once runtimeDone comes back', () => {
    const { waits, unreliable } = harness();
    for (let i = 0; i < MISSES_BEFORE_UNRELIABLE; i++) waits.observe([reportOnly(i)]);
    waits.observe([a.start, a.runtimeDone, a.report]);
    for (let i = 10; i < 10 + MISSES_BEFORE_UNRELIABLE; i++) waits.observe([reportOnly(i)]);
    assert.equal(waits.unreliable(), true);
    assert.equal(unreliable.length, 1);
  });

  it('counts no miss for a report whose runtimeDone came, in an earlier batch or the same one', () => {
    const { waits } = harness();
    for (let i = 0; i < 10; i++) {
      const inv = invocation({ requestId: `ok-${i}`, atMs: T0 + i * 1000 });
      // Lambda's order: report N comes with invocation N+1; sometimes all three in one batch.
      if (i % 2 === 0) waits.observe([inv.start, inv.runtimeDone, inv.report]);
      else {
        waits.observe([inv.start, inv.runtimeDone]);
        waits.observe([inv.report]);
      }
    }
    assert.equal(waits.unreliable(), false);
  });

  it('counts no miss for waits that ended without a report: quiet, timeout, superseded, dropped', async () => {
    const { waits, unreliable } = harness();
    const ended: WaitOutcome[] = [];
    const record = (promise: Promise<WaitOutcome>) => void promise.then((outcome) => ended.push(outcome));
    record(waits.wait('w1', MAX_MS));
    await tick(QUIET_MS);
    record(waits.wait('w2', 10));
    await tick(10);
    record(waits.wait('w3', MAX_MS));
    waits.observe([b.start]);
    record(waits.wait('w4', MAX_MS));
    waits.observe([dropped]);
    await tick(0);
    assert.deepEqual(ended, ['quiet', 'timeout', 'superseded', 'dropped']);
    assert.equal(waits.unreliable(), false);
    assert.deepEqual(unreliable, []);
  });

  it('starts counting again at each runtimeDone: only misses in a row count', () => {
    const { waits } = harness();
    let n = 0;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < MISSES_BEFORE_UNRELIABLE - 1; i++) waits.observe([reportOnly(n++)]);
      const inv = invocation({ requestId: `ok-${round}`, atMs: T0 + round });
      waits.observe([inv.start, inv.runtimeDone]);
      assert.equal(waits.unreliable(), false, `round ${round}`);
      waits.observe([inv.report]);
    }
    for (let i = 0; i < MISSES_BEFORE_UNRELIABLE - 1; i++) waits.observe([reportOnly(n++)]);
    assert.equal(waits.unreliable(), false);
    waits.observe([reportOnly(n++)]);
    assert.equal(waits.unreliable(), true, 'the third in a row since the last runtimeDone');
  });

  it('counts the report that ends a wait as a miss', async () => {
    const { waits } = harness();
    for (let i = 0; i < MISSES_BEFORE_UNRELIABLE; i++) {
      const inv = invocation({ requestId: `ended-${i}`, atMs: T0 + i * 1000 });
      const wait = track(waits.wait(inv.start.record.requestId, MAX_MS));
      waits.observe([inv.start, inv.report]);
      await tick(0);
      assert.equal(wait.outcome, 'report');
    }
    assert.equal(waits.unreliable(), true);
  });
});

describe('runtimeDone wait: late runtimeDone', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 }));
  afterEach(() => mock.timers.reset());

  it('calls onLateRuntimeDone when the runtimeDone of a wait that ended quiet arrives', async () => {
    const { waits, late } = harness();
    const wait = track(waits.wait('a', MAX_MS));
    await tick(QUIET_MS);
    assert.equal(wait.outcome, 'quiet');
    assert.deepEqual(late, []);
    await tick(5000);
    waits.observe([a.start, a.runtimeDone]);
    assert.deepEqual(late, [T0 + QUIET_MS + 5000]);
  });

  const notLate: ReadonlyArray<{ name: string; end: (waits: RuntimeDoneWait) => Promise<void> | void }> = [
    { name: 'on its runtimeDone (a duplicate follows)', end: (w) => w.observe([a.runtimeDone]) },
    { name: 'on timeout', end: () => tick(100) },
    { name: 'superseded by a start', end: (w) => w.observe([b.start]) },
    { name: 'on logsDropped', end: (w) => w.observe([dropped]) },
  ];
  for (const { name, end } of notLate) {
    it(`does not call it for a wait that ended ${name}`, async () => {
      const { waits, late } = harness();
      const wait = track(waits.wait('a', 100));
      await end(waits);
      await tick(0);
      assert.notEqual(wait.outcome, null);
      assert.notEqual(wait.outcome, 'quiet');
      waits.observe([a.runtimeDone]);
      assert.deepEqual(late, []);
    });
  }

  it('does not call it for a runtimeDone nobody waited for', () => {
    const { waits, late } = harness();
    waits.observe([a.start, a.runtimeDone, b.start, b.runtimeDone]);
    assert.deepEqual(late, []);
  });
});

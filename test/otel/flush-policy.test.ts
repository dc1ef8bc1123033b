/** The flush policy under fake timers: who waits, for how long, and when exports happen. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { FlushMode } from '../../src/otel/config.ts';
import { ADAPTIVE_INTERVAL_MS, FREQUENT_INVOCATIONS, createFlushPolicy } from '../../src/otel/flush-policy.ts';
import type { InvokeEvent } from '../../src/lambda/types.ts';

let clock = 0;
const invoke = (requestId: string, timeoutMs = 3000): InvokeEvent => ({ eventType: 'INVOKE', requestId, deadlineMs: clock + timeoutMs, invokedFunctionArn: 'arn:aws:lambda:eu-west-1:1:function:f' });

/** What the pipeline tells the policy: whether the backend fails, whether runtimeDone proved unreliable. */
interface Signals {
  backendFailing?: boolean;
  runtimeDoneUnreliable?: boolean;
}

function harness(mode: FlushMode, flushTimeoutMs = 500, signals: Signals = {}) {
  const flushes: number[] = [];
  const waits: string[] = [];
  let runtimeDone: (() => void) | null = null;
  let flushResult: Promise<void> = Promise.resolve();
  const policy = createFlushPolicy({
    mode,
    flushTimeoutMs,
    now: () => clock,
    flush: () => {
      flushes.push(clock);
      return flushResult;
    },
    backendFailing: () => signals.backendFailing === true,
    runtimeDoneUnreliable: () => signals.runtimeDoneUnreliable === true,
    waitForRuntimeDone: (id, timeoutMs) =>
      new Promise((resolve) => {
        waits.push(id);
        const timer = setTimeout(() => resolve(false), timeoutMs);
        runtimeDone = () => {
          clearTimeout(timer);
          resolve(true);
        };
      }),
  });
  return {
    policy,
    flushes,
    waits,
    arriveRuntimeDone: () => runtimeDone?.(),
    setFlushResult: (p: Promise<void>) => {
      flushResult = p;
    },
  };
}

/** Advances the fake clock and timers together, letting promise callbacks run in between. */
async function advance(ms: number): Promise<void> {
  clock += ms;
  mock.timers.tick(ms);
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
}

describe('flush policy', () => {
  beforeEach(() => {
    clock = 1_000_000;
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  });
  afterEach(() => mock.timers.reset());

  it('end: waits for runtimeDone, then exports before next', async () => {
    const h = harness({ kind: 'end' });
    const done = h.policy.onInvoke(invoke('a'));
    await advance(30);
    assert.equal(await settled(done), false, 'still waiting for runtimeDone');
    assert.deepEqual(h.flushes, []);
    h.arriveRuntimeDone();
    await advance(0);
    assert.equal(h.flushes.length, 1);
    assert.equal(await settled(done), true);
  });

  it('end: a slow export holds the invocation at most flushTimeoutMs', async () => {
    const h = harness({ kind: 'end' }, 500);
    h.setFlushResult(new Promise(() => {}));
    const done = h.policy.onInvoke(invoke('a'));
    h.arriveRuntimeDone();
    await advance(0);
    await advance(499);
    assert.equal(await settled(done), false);
    await advance(1);
    assert.equal(await settled(done), true);
  });

  it('end: gives up on a runtimeDone that never comes just before the deadline', async () => {
    const h = harness({ kind: 'end' });
    const done = h.policy.onInvoke(invoke('a', 1000));
    await advance(899);
    assert.equal(await settled(done), false);
    await advance(1);
    assert.equal(h.flushes.length, 1, 'exports what it has anyway');
    assert.equal(await settled(done), true);
  });

  it('end: a hanging export near the deadline still releases the invocation before it', async () => {
    const h = harness({ kind: 'end' }, 1000);
    h.setFlushResult(new Promise(() => {}));
    const done = h.policy.onInvoke(invoke('a', 1000));
    await advance(850);
    h.arriveRuntimeDone();
    await advance(0);
    await advance(49);
    assert.equal(await settled(done), false);
    await advance(1);
    assert.equal(await settled(done), true, 'released 100 ms before the deadline, not after the full flush timeout');
  });

  it('periodic: never holds the invocation; the timer exports in the background', async () => {
    const h = harness({ kind: 'periodic', intervalMs: 1000 });
    assert.equal(await settled(h.policy.onInvoke(invoke('a'))), true);
    assert.deepEqual(h.flushes, []);
    await advance(1000);
    await advance(1000);
    assert.equal(h.flushes.length, 2);
    h.policy.stop();
    await advance(5000);
    assert.equal(h.flushes.length, 2);
  });

  it('periodic: an export that fell due while frozen starts at the next INVOKE', async () => {
    const h = harness({ kind: 'periodic', intervalMs: 1000 });
    clock += 60_000; // frozen: the wall clock moved, the timers did not fire
    assert.equal(await settled(h.policy.onInvoke(invoke('a'))), true);
    assert.equal(h.flushes.length, 1);
    h.policy.stop();
  });

  it('adaptive: end while invocations are rare, periodic while frequent, back to end when they slow', async () => {
    const h = harness({ kind: 'adaptive' });
    for (let i = 0; i < FREQUENT_INVOCATIONS - 1; i++) {
      const done = h.policy.onInvoke(invoke(`r${i}`));
      assert.equal(h.policy.effectiveMode(), 'end');
      h.arriveRuntimeDone();
      await advance(1000);
      assert.equal(await settled(done), true);
    }
    assert.equal(h.flushes.length, FREQUENT_INVOCATIONS - 1, 'one blocking export per rare invocation');
    assert.equal(await settled(h.policy.onInvoke(invoke('tenth'))), true, 'the tenth within a minute does not wait');
    assert.equal(h.policy.effectiveMode(), 'periodic');
    const before = h.flushes.length;
    await advance(ADAPTIVE_INTERVAL_MS);
    assert.equal(h.flushes.length, before + 1, 'background export every 10 s');
    clock += 120_000;
    const slow = h.policy.onInvoke(invoke('after-a-pause'));
    assert.equal(h.policy.effectiveMode(), 'end');
    h.arriveRuntimeDone();
    await advance(0);
    assert.equal(await settled(slow), true);
    const afterSlow = h.flushes.length;
    await advance(ADAPTIVE_INTERVAL_MS);
    assert.equal(h.flushes.length, afterSlow, 'back in end mode, the timer no longer exports');
    h.policy.stop();
  });

  it('end, while the backend fails: returns at once and exports in the background', async () => {
    const signals: Signals = { backendFailing: true };
    const h = harness({ kind: 'end' }, 500, signals);
    h.setFlushResult(new Promise(() => {})); // a backend that does not answer
    const done = h.policy.onInvoke(invoke('a'));
    assert.equal(await settled(done), true, 'next is not held, not even for the flush timeout');
    assert.deepEqual(h.flushes, [clock], 'the export started anyway');
    assert.deepEqual(h.waits, [], 'no wait for runtimeDone');
    assert.equal(h.policy.effectiveMode(), 'end');
    // Once the backend takes exports again, end holds the invocation again.
    signals.backendFailing = false;
    h.setFlushResult(Promise.resolve());
    const next = h.policy.onInvoke(invoke('b'));
    await advance(10);
    assert.equal(await settled(next), false);
    assert.deepEqual(h.waits, ['b']);
    h.arriveRuntimeDone();
    await advance(0);
    assert.equal(await settled(next), true);
    assert.equal(h.flushes.length, 2);
  });

  it('end, once runtimeDone proved unreliable: never waits, exports on a timer like periodic', async () => {
    const signals: Signals = {};
    const h = harness({ kind: 'end' }, 500, signals);
    const first = h.policy.onInvoke(invoke('a'));
    h.arriveRuntimeDone();
    await advance(0);
    assert.equal(await settled(first), true);
    assert.deepEqual([h.waits, h.flushes.length], [['a'], 1]);
    signals.runtimeDoneUnreliable = true;
    await advance(1000);
    assert.equal(await settled(h.policy.onInvoke(invoke('b'))), true, 'returns at once');
    assert.equal(h.policy.effectiveMode(), 'periodic');
    assert.deepEqual(h.waits, ['a'], 'no wait for b');
    assert.equal(h.flushes.length, 1, 'exported 1 s ago: nothing due at the INVOKE');
    await advance(ADAPTIVE_INTERVAL_MS - 1);
    assert.equal(h.flushes.length, 1);
    await advance(1);
    assert.equal(h.flushes.length, 2, 'the timer exports');
    await advance(ADAPTIVE_INTERVAL_MS);
    assert.equal(h.flushes.length, 3);
    assert.equal(await settled(h.policy.onInvoke(invoke('c'))), true);
    assert.deepEqual(h.waits, ['a']);
    h.policy.stop();
  });

  it('adaptive, once runtimeDone proved unreliable: rare invocations are periodic too', async () => {
    const h = harness({ kind: 'adaptive' }, 500, { runtimeDoneUnreliable: true });
    for (const id of ['a', 'b', 'c']) {
      assert.equal(await settled(h.policy.onInvoke(invoke(id))), true, `${id} is not held`);
      assert.equal(h.policy.effectiveMode(), 'periodic');
      for (let i = 0; i < 3; i++) await advance(ADAPTIVE_INTERVAL_MS);
    }
    assert.deepEqual(h.waits, []);
    assert.deepEqual(
      h.flushes.map((at) => (at - 1_000_000) / ADAPTIVE_INTERVAL_MS),
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
      'the timer exports in the background every 10 s',
    );
    const before = h.flushes.length;
    await advance(ADAPTIVE_INTERVAL_MS);
    assert.equal(h.flushes.length, before + 1, 'every 10 s while thawed');
    h.policy.stop();
    await advance(ADAPTIVE_INTERVAL_MS);
    assert.equal(h.flushes.length, before + 1, 'stop() ends the timer');
  });

  it('shutdown: exports nothing on its own', async () => {
    const h = harness({ kind: 'shutdown' });
    assert.equal(await settled(h.policy.onInvoke(invoke('a'))), true);
    await advance(3_600_000);
    assert.deepEqual(h.flushes, []);
  });
});

/** The flush policy under fake timers: who waits, for how long, and when exports happen. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { FlushMode } from '../../src/config.ts';
import { ADAPTIVE_INTERVAL_MS, FREQUENT_INVOCATIONS, createFlushPolicy } from '../../src/otel/flush-policy.ts';
import type { InvokeEvent } from '../../src/lambda/types.ts';

let clock = 0;
const invoke = (requestId: string, timeoutMs = 3000): InvokeEvent => ({ eventType: 'INVOKE', requestId, deadlineMs: clock + timeoutMs, invokedFunctionArn: 'arn:aws:lambda:eu-west-1:1:function:f' });

function harness(mode: FlushMode, flushTimeoutMs = 500) {
  const flushes: number[] = [];
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
    waitForRuntimeDone: (_id, timeoutMs) =>
      new Promise((resolve) => {
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
      assert.equal(h.policy.mode(), 'end');
      h.arriveRuntimeDone();
      await advance(1000);
      assert.equal(await settled(done), true);
    }
    assert.equal(h.flushes.length, FREQUENT_INVOCATIONS - 1, 'one blocking export per rare invocation');
    assert.equal(await settled(h.policy.onInvoke(invoke('tenth'))), true, 'the tenth within a minute does not wait');
    assert.equal(h.policy.mode(), 'periodic');
    const before = h.flushes.length;
    await advance(ADAPTIVE_INTERVAL_MS);
    assert.equal(h.flushes.length, before + 1, 'background export every 10 s');
    clock += 120_000;
    const slow = h.policy.onInvoke(invoke('after-a-pause'));
    assert.equal(h.policy.mode(), 'end');
    h.arriveRuntimeDone();
    await advance(0);
    assert.equal(await settled(slow), true);
    h.policy.stop();
  });

  it('shutdown: exports nothing on its own', async () => {
    const h = harness({ kind: 'shutdown' });
    assert.equal(await settled(h.policy.onInvoke(invoke('a'))), true);
    await advance(3_600_000);
    assert.deepEqual(h.flushes, []);
  });
});

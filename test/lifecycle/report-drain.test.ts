/**
 * createReportDrain(): at SHUTDOWN, run() waits for the platform.report of every INVOKE it saw,
 * until a deadline. Under mock timers (setTimeout and Date).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { createReportDrain } from '../../src/lifecycle/report-drain.ts';
import type { TelemetryEvent } from '../../src/telemetry/events.ts';
import { T0, invocation } from '../otel/event-builders.ts';

/** The INVOKEs remembered at most (MAX_OWED in report-drain.ts). */
const MAX_OWED = 1000;

const eventsOf = (requestId: string) => invocation({ requestId, atMs: T0 });
const reportOf = (requestId: string): TelemetryEvent => eventsOf(requestId).report;

/** Whether the promise settled, once the callbacks queued so far have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 3; i++) await Promise.resolve();
  return done;
}

describe('report drain', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 }));
  afterEach(() => mock.timers.reset());

  it('resolves at once when no report is owed', async () => {
    const drain = createReportDrain();
    assert.equal(await settled(drain.wait(Date.now() + 2000)), true);
    drain.invoked('a');
    drain.seen([reportOf('a')]);
    assert.equal(drain.owed(), 0);
    assert.equal(await settled(drain.wait(Date.now() + 2000)), true, 'nor once every owed report has come');
  });

  it('resolves when the last owed report is seen, not before', async () => {
    const drain = createReportDrain();
    drain.invoked('a');
    drain.invoked('b');
    const done = drain.wait(Date.now() + 2000);
    const a = eventsOf('a');
    drain.seen([a.start, a.runtimeDone]);
    assert.equal(drain.owed(), 2, 'only a report pays what is owed');
    assert.equal(await settled(done), false);
    drain.seen([a.report, reportOf('unknown')]);
    assert.equal(drain.owed(), 1);
    assert.equal(await settled(done), false);
    drain.seen([reportOf('b')]);
    assert.equal(drain.owed(), 0);
    assert.equal(await settled(done), true);
  });

  it('resolves at untilMs when a report never comes', async () => {
    const drain = createReportDrain();
    drain.invoked('a');
    const done = drain.wait(Date.now() + 2000);
    mock.timers.tick(1999);
    assert.equal(await settled(done), false);
    mock.timers.tick(1);
    assert.equal(await settled(done), true);
    assert.equal(drain.owed(), 1, 'still owed: the runner hands SHUTDOWN on anyway');
  });

  it('resolves at once when untilMs has passed', async () => {
    const drain = createReportDrain();
    drain.invoked('a');
    const done = drain.wait(Date.now() - 1);
    mock.timers.tick(0);
    assert.equal(await settled(done), true);
  });

  it(`remembers at most ${MAX_OWED} INVOKEs, forgetting the oldest first`, async () => {
    const drain = createReportDrain();
    for (let i = 0; i <= MAX_OWED; i++) drain.invoked(`r${i}`);
    assert.equal(drain.owed(), MAX_OWED);
    const done = drain.wait(Date.now() + 2000);
    drain.seen([reportOf('r0')]);
    assert.equal(drain.owed(), MAX_OWED, 'r0 was forgotten: its report pays nothing');
    drain.seen(Array.from({ length: MAX_OWED - 1 }, (_, i) => reportOf(`r${i + 1}`)));
    assert.equal(drain.owed(), 1);
    assert.equal(await settled(done), false);
    drain.seen([reportOf(`r${MAX_OWED}`)]);
    assert.equal(await settled(done), true, 'the newest were all kept');
  });
});

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { startSandbox } from '../../src/sandbox/index.ts';
import type { InvocationSpec } from '../../src/sandbox/index.ts';
import type { RuntimeDoneEvent } from '../../src/telemetry/events.ts';
import { fixture, processState, tempDir } from './helpers.ts';

type Invocation = Parameters<NonNullable<InvocationSpec['handler']>>[0];

const runtimeDoneOf = (events: readonly { type: string }[], requestId: string): RuntimeDoneEvent | undefined =>
  events.find((event): event is RuntimeDoneEvent => event.type === 'platform.runtimeDone' && (event as RuntimeDoneEvent).record.requestId === requestId);

describe('InvocationSpec.handler', () => {
  it('runs the function\'s work with the invocation\'s request id, trace header and deadline, with the extension thawed, before the runtime answers', async () => {
    // Prepare
    const sandbox = await startSandbox({ extensions: [fixture('minimal-extension.mjs')], function: { timeoutMs: 5000 } });
    const pid = sandbox.report().extensions[0]?.pid ?? 0;
    const seen: { invocation: Invocation; extensionState: string | null; atEpochMs: number }[] = [];
    const handler = async (invocation: Invocation): Promise<void> => {
      seen.push({ invocation, extensionState: processState(pid), atEpochMs: Date.now() });
      await sleep(150);
    };

    // Act
    const untraced = await sandbox.invoke({ requestId: 'req-plain', durationMs: 10, handler });
    const whileIdle = processState(pid);
    const traced = await sandbox.invoke({ requestId: 'req-traced', durationMs: 10, tracing: true, handler });
    const report = await sandbox.shutdown({ shutdownMs: 1000 });

    // Assess
    assert.deepEqual(
      seen.map(({ invocation }) => invocation.requestId),
      ['req-plain', 'req-traced'],
    );
    assert.equal(seen[0]?.invocation.traceHeader, null);
    assert.equal(seen[1]?.invocation.traceHeader, traced.tracing);
    assert.match(seen[1]?.invocation.traceHeader ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/);
    assert.equal(seen[0]?.invocation.deadlineMs, untraced.startEpochMs + 5000);
    // The extension is thawed while the function works, frozen again once the invocation is over.
    assert.notEqual(seen[0]?.extensionState, 'T');
    assert.equal(whileIdle, 'T');
    for (const result of [untraced, traced]) {
      assert.equal(result.status, 'success');
      assert.equal(result.handlerError, undefined);
      assert.ok(result.runtimeDurationMs >= 149, `runtime ${result.runtimeDurationMs} ms covers the handler's 150 ms (less libuv's millisecond clock)`);
      const runtimeDone = runtimeDoneOf(report.events, result.requestId);
      assert.ok(runtimeDone !== undefined);
      assert.ok((runtimeDone.record.metrics?.durationMs ?? 0) >= 149, `runtimeDone durationMs ${runtimeDone.record.metrics?.durationMs}`);
    }
    assert.ok((seen[0]?.atEpochMs ?? 0) >= untraced.startEpochMs);
  });

  it('keeps durationMs as the least runtime when the handler is quicker', async () => {
    const sandbox = await startSandbox({ extensions: [fixture('minimal-extension.mjs')] });
    let ran = false;

    const result = await sandbox.invoke({ durationMs: 120, handler: async () => void (ran = true) });
    await sandbox.shutdown({ shutdownMs: 1000 });

    assert.equal(ran, true);
    assert.ok(result.runtimeDurationMs >= 119, `runtime ${result.runtimeDurationMs} ms`);
  });

  it('ends the invocation as a function error when the handler rejects or throws', async () => {
    const sandbox = await startSandbox({ extensions: [fixture('minimal-extension.mjs')] });

    const rejected = await sandbox.invoke({ durationMs: 5, handler: () => Promise.reject(new TypeError('no such order')) });
    const thrown = await sandbox.invoke({
      durationMs: 5,
      errorType: 'Orders.Missing',
      handler: () => {
        throw new Error('boom');
      },
    });
    const after = await sandbox.invoke({ durationMs: 5 });
    const report = await sandbox.shutdown({ shutdownMs: 1000 });

    assert.equal(rejected.status, 'error');
    assert.equal(rejected.errorType, 'TypeError');
    assert.match(rejected.handlerError ?? '', /no such order/);
    assert.equal(thrown.status, 'error');
    assert.equal(thrown.errorType, 'Orders.Missing');
    assert.match(thrown.handlerError ?? '', /boom/);
    assert.equal(after.status, 'success');
    assert.equal(runtimeDoneOf(report.events, rejected.requestId)?.record.status, 'error');
  });

  it('times the invocation out when the handler outlives the function timeout', async () => {
    const sandbox = await startSandbox({ extensions: [fixture('minimal-extension.mjs')], function: { timeoutMs: 300 } });

    const result = await sandbox.invoke({ durationMs: 5, handler: () => sleep(2000) });
    await sandbox.shutdown({ shutdownMs: 1000 });

    assert.equal(result.status, 'timeout');
    assert.equal(result.errorType, 'Sandbox.Timedout');
    assert.ok(result.runtimeDurationMs >= 290 && result.runtimeDurationMs < 1500, `runtime ${result.runtimeDurationMs} ms`);
  });

  it('runs on Managed Instances too, each handler with its own request id', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const sandbox = await startSandbox({ extensions: [fixture('lmi-extension.mjs')], managedInstances: true, env: { RECORD_FILE: dir.file('lmi.jsonl') } });
    const seen: string[] = [];
    const handlerMs: number[] = [];
    const handler = async ({ requestId }: Invocation): Promise<void> => {
      const startedMs = performance.now();
      await sleep(100);
      handlerMs.push(performance.now() - startedMs);
      seen.push(requestId);
    };

    const results = await Promise.all([sandbox.invoke({ requestId: 'a', durationMs: 5, handler }), sandbox.invoke({ requestId: 'b', durationMs: 5, handler })]);
    await sandbox.shutdown({ shutdownMs: 1000 });

    assert.deepEqual(seen.sort(), ['a', 'b']);
    // libuv's timers run on a millisecond clock, so a 100 ms sleep may end a fraction of a ms early.
    for (const result of results) assert.ok(result.runtimeDurationMs >= Math.min(...handlerMs) - 1, `runtime ${result.runtimeDurationMs} ms, handlers ${handlerMs.join(', ')} ms`);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startSandbox } from '../../src/sandbox/index.ts';
import { fixture, processState } from './helpers.ts';

describe('freeze between invocations', () => {
  it('stops the extension process while idle and resumes it for the next event', async () => {
    const sandbox = await startSandbox({ extensions: [fixture('minimal-extension.mjs')] });
    const pid = sandbox.report().extensions[0]?.pid ?? 0;

    const afterInit = processState(pid);
    await sandbox.invoke({ durationMs: 10 });
    await sandbox.idle(20);
    const whileIdle = processState(pid);
    const report = await sandbox.shutdown({ shutdownMs: 1000 });

    assert.equal(afterInit, 'T');
    assert.equal(whileIdle, 'T');
    assert.equal(report.extensions[0]?.exit?.code, 0);
  });

  it('leaves the process running with freeze: false', async () => {
    const sandbox = await startSandbox({ extensions: [fixture('minimal-extension.mjs')], freeze: false });
    const pid = sandbox.report().extensions[0]?.pid ?? 0;

    await sandbox.invoke({ durationMs: 10 });
    const whileIdle = processState(pid);
    await sandbox.shutdown({ shutdownMs: 1000 });

    assert.notEqual(whileIdle, 'T');
    assert.notEqual(whileIdle, null);
  });
});

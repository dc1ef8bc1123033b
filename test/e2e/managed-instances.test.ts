/**
 * The built layer on Lambda Managed Instances (the sandbox's LMI mode): no INVOKE, no
 * runtimeDone, no freeze, concurrent invocations whose log lines interleave.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSandbox } from '../../src/sandbox/index.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver } from '../support/otlp-receiver.ts';
import { EXTENSION, assertLayerBuilt, layerEnv, logLines, only } from './support.ts';

const WAVES = 3;
const PER_WAVE = 8;
/** Issue 13: with the defaults, an invocation's telemetry reaches the backend within 5 s of its report. */
const DELIVERED_WITHIN_MS = 5000;

describe('Lambda Managed Instances', () => {
  let receiver: OtlpReceiver;
  before(async () => {
    assertLayerBuilt();
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());

  it(`${WAVES} waves of ${PER_WAVE} concurrent invocations: one span each with its children, logs on their own trace, all exported before SHUTDOWN`, async () => {
    const name = 'lmi-fn';
    const sandbox = await startSandbox({
      extensions: [EXTENSION],
      managedInstances: true,
      env: await layerEnv(receiver),
      function: { name },
    });
    const ids: string[] = [];
    const failing = new Set<string>();
    for (let wave = 0; wave < WAVES; wave++) {
      const results = await Promise.all(
        Array.from({ length: PER_WAVE }, (_, i) => {
          const requestId = `00000000-0000-4000-8000-${String(wave * PER_WAVE + i).padStart(12, '0')}`;
          const error = wave === 1 && (i === 2 || i === 5);
          if (error) failing.add(requestId);
          return sandbox.invoke({
            requestId,
            durationMs: 40 + i * 5,
            status: error ? 'error' : 'success',
            logs: [`text line of ${requestId}`, { message: `json line of ${requestId}` }, `second text line of ${requestId}`],
          });
        }),
      );
      ids.push(...results.map((r) => r.requestId));
    }
    const servers = () => receiver.spans().filter((s) => s.kind === 'SERVER' && s.resource['faas.name'] === name);
    await receiver.waitFor(() => servers().length >= ids.length, DELIVERED_WITHIN_MS);
    assert.equal(servers().length, ids.length, 'every span at the backend before SHUTDOWN is sent');
    const report = await sandbox.shutdown();
    assert.equal(only(report).exit?.code, 0);
    assert.equal(only(report).exit?.killed, false, 'exited before the deadline');
    assert.ok(!logLines(only(report)).some((l) => String(l.msg).includes('refused')), 'no refused registration or subscription in the log');

    const spans = receiver.spans();
    assert.deepEqual(servers().map((s) => s.attributes['faas.invocation_id']).sort(), [...ids].sort(), 'one SERVER span per invocation');
    for (const server of servers()) {
      const id = String(server.attributes['faas.invocation_id']);
      const children = spans.filter((s) => s.parentSpanId === server.spanId).map((s) => s.name).sort();
      assert.deepEqual(children, ['responseDuration', 'responseLatency'], `children of ${id}`);
      assert.equal(server.status.code === 'ERROR', failing.has(id), `status of ${id}`);
      const lines = receiver.logs().filter((l) => String(l.body).includes(`line of ${id}`));
      assert.equal(lines.length, 3, `lines of ${id}`);
      for (const line of lines) assert.equal(line.traceId, server.traceId, `${id}: "${String(line.body)}" on its own trace`);
    }
    const last = (metric: string) => Math.max(...receiver.metrics().filter((m) => m.name === metric && m.resource['faas.name'] === name).map((m) => m.point.value ?? 0));
    assert.equal(last('faas.invocations'), WAVES * PER_WAVE);
    assert.equal(last('faas.errors'), failing.size);
  });
});

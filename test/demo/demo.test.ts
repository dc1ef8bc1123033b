/** `npm run demo` end to end: the built layer, the sandbox workload and the terminal waterfall. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO_FUNCTION, managedInstancesWorkload, runDemo, workload } from '../../scripts/demo/main.ts';
import { postRuntimeNote } from '../../scripts/demo/waterfall.ts';
import { assertLayerBuilt } from '../e2e/support.ts';

describe('demo', () => {
  it('shows every invocation as a waterfall, with errors, the cold start and a metrics summary', async () => {
    assertLayerBuilt();
    let output = '';
    const code = await runDemo({ env: {}, write: (text) => (output += text), color: false });
    assert.equal(code, 0, output);
    const traces = output.split('\n').filter((line) => line.startsWith('trace '));
    assert.equal(traces.length, workload().length, output);
    assert.ok(traces.every((line) => line.includes(DEMO_FUNCTION)));
    assert.equal(traces.filter((line) => line.includes('cold start')).length, 1);
    // Only the cold start's trace is longer than its root span: it begins with init.
    assert.deepEqual(traces.filter((line) => line.includes('whole trace')), traces.filter((line) => line.includes('cold start')));
    assert.match(traces.find((line) => line.includes('cold start'))!, /cold start {2}whole trace \d+\.\d ms, init included/);
    const note = output.split('\n').filter((line) => line.startsWith('postRuntimeExtensions '));
    assert.deepEqual(note, [postRuntimeNote(undefined)], 'one line under the waterfalls says what postRuntimeExtensions is');
    assert.match(note[0]!, /own export at each invocation's end \(flush mode adaptive.*LAMBDA_OTEL_FLUSH=periodic/);
    assert.match(output, /^ {4}init +█+ +\d+\.\d ms$/m);
    assert.match(output, /^ {4}responseLatency +█+/m);
    // The demo function's own spans, relayed by the layer, under each invocation but the timeout.
    assert.equal(output.match(/^ {4}handle order \(function\) +█+/gm)?.length, workload().length - 1, output);
    assert.equal(output.match(/^ {6}load order \(function\) +█+/gm)?.length, workload().length - 1);
    assert.match(output, /ERROR Sandbox\.Timedout/);
    assert.match(output, /invocations 5 {3}errors 1 {3}timeouts 1 {3}cold starts 1/);
    assert.match(output, /aws\.lambda\.duration: 5 points/);
    assert.match(output, /^5 log records$/m);
    assert.doesNotMatch(output, /receiver error/);
    assert.match(output, /exited on its own before the SHUTDOWN deadline/);
  });

  it('--managed-instances: the concurrent invocations as waterfalls, each with its children and its own log line, no cold start', async () => {
    assertLayerBuilt();
    let output = '';
    const code = await runDemo({ env: {}, write: (text) => (output += text), color: false, managedInstances: true });
    assert.equal(code, 0, output);
    const traces = output.split('\n').filter((line) => line.startsWith('trace ') && line.includes(DEMO_FUNCTION));
    assert.equal(traces.length, managedInstancesWorkload().length, output);
    assert.ok(traces.every((line) => line.endsWith('1 log record')), output);
    assert.equal(output.match(/^ {4}responseLatency +█+/gm)?.length, traces.length);
    assert.equal(output.match(/^ {4}handle order \(function\) +█+/gm)?.length, traces.length, output);
    assert.match(output, /invocations 4 {3}errors 1 {3}timeouts 0 {3}cold starts 0/);
    assert.match(output, /exited on its own before the SHUTDOWN deadline/);
  });

  it('with OTEL_EXPORTER_OTLP_ENDPOINT set, sends there and says where to look', async () => {
    let output = '';
    const code = await runDemo({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', LAMBDA_OTEL_FLUSH: 'shutdown' }, write: (text) => (output += text), color: false });
    assert.equal(code, 0, output);
    assert.match(output, /Exporting to http:\/\/127\.0\.0\.1:9/);
    assert.match(output, /Look for service "demo-orders"/);
    assert.doesNotMatch(output, /^trace /m);
  });
});

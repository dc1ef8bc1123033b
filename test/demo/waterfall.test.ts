/** The demo's terminal rendering: trace headers and the note on postRuntimeExtensions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postRuntimeNote, renderTraces } from '../../scripts/demo/waterfall.ts';
import type { DemoSpan } from '../../scripts/demo/otlp-json-receiver.ts';

const MS = 1_000_000n;

function span(name: string, spanId: string, parentSpanId: string, startMs: bigint, endMs: bigint, kind = 1, scope = 'lambda-telemetry-otel'): DemoSpan {
  return { traceId: 't1', spanId, parentSpanId, name, kind, startNs: startMs * MS, endNs: endMs * MS, statusCode: 0, statusMessage: '', attributes: {}, scope };
}

describe('demo waterfall', () => {
  it('heads a trace that starts before its root span with the whole trace, init included', () => {
    const root = { ...span('fn', 'a', '', 60n, 140n, 2), attributes: { 'faas.coldstart': true } };
    const [block] = renderTraces([root, span('init', 'b', 'a', 0n, 57n)], [], { color: false });
    assert.match(block!.split('\n')[0]!, /^trace t1 {2}fn {2}cold start {2}whole trace 140\.0 ms, init included$/);
    assert.match(block!, /^ {2}fn +█+ +80\.0 ms$/m);
  });

  it('marks the spans of the function\'s own SDK, nested under the invocation', () => {
    const [block] = renderTraces([span('fn', 'a', '', 0n, 80n, 2), span('handle order', 'b', 'a', 5n, 60n, 2, 'orders'), span('load', 'c', 'b', 10n, 30n, 1, 'orders')], [], { color: false });
    assert.match(block!, /^ {4}handle order \(function\) +█+ +55\.0 ms$/m);
    assert.match(block!, /^ {6}load \(function\) +█+ +20\.0 ms$/m);
    assert.match(block!, /^ {2}fn +█+/m);
  });

  it('heads a trace its root span covers with the root\'s duration only', () => {
    const [block] = renderTraces([span('fn', 'a', '', 0n, 80n, 2), span('postRuntimeExtensions', 'b', 'a', 40n, 80n)], [], { color: false });
    assert.equal(block!.split('\n')[0], 'trace t1  fn  80.0 ms');
  });

  it('says what postRuntimeExtensions is in the flush mode the demo ran with', () => {
    assert.equal(postRuntimeNote(undefined), postRuntimeNote('adaptive'));
    assert.match(postRuntimeNote(undefined), /own export at each invocation's end \(flush mode adaptive, while invocations are rare\), billed to the function; LAMBDA_OTEL_FLUSH=periodic/);
    assert.match(postRuntimeNote('end'), /\(flush mode end\)/);
    assert.match(postRuntimeNote('periodic,500'), /stays near 0 ms: with LAMBDA_OTEL_FLUSH=periodic the extension never exports at an invocation's end/);
    assert.match(postRuntimeNote('shutdown'), /LAMBDA_OTEL_FLUSH=shutdown/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createInvocationContexts } from '../../src/otel/invocation-context.ts';
import { joinInvocations } from '../../src/otel/trace-join.ts';
import type { ExportTraceRequest, Span } from '../../src/otlp/codec.ts';

const hex = (bytes: Uint8Array | undefined): string => (bytes === undefined ? '' : Buffer.from(bytes).toString('hex'));
const bytes = (value: string): Uint8Array => new Uint8Array(Buffer.from(value, 'hex'));

const TRACE = 'aa'.repeat(16);
const ROOT = '11'.repeat(8);
const CHILD = '22'.repeat(8);
const UPSTREAM = '33'.repeat(8);
const XRAY_HEADER = 'Root=1-5e1b4151-5ac6c58f5b5dbd6a3ba0f9c4;Parent=53995c3f42cd8ad8;Sampled=1';
const XRAY_TRACE = '5e1b41515ac6c58f5b5dbd6a3ba0f9c4';

function span(spanId: string, parent: string | null, requestId: string | null, attribute = 'faas.invocation_id', traceId = TRACE): Span {
  return {
    traceId: bytes(traceId),
    spanId: bytes(spanId),
    ...(parent === null ? {} : { parentSpanId: bytes(parent) }),
    name: spanId,
    attributes: requestId === null ? [{ key: 'other', value: { stringValue: 'x' } }] : [{ key: attribute, value: { stringValue: requestId } }],
  };
}

const request = (...spans: Span[]): ExportTraceRequest => ({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
const contexts = () => createInvocationContexts({ xrayContext: 'parent', xrayRespectSampled: true, maxEntries: 10 });

describe('joinInvocations', () => {
  it('puts the root under the invocation span, which takes the function\'s trace; the child and other fields stay', () => {
    const c = contexts();
    const before = c.of('req-1', undefined);
    const root = span(ROOT, null, 'req-1');
    const child = span(CHILD, ROOT, 'req-1');
    const result = joinInvocations(request(root, child), c);
    assert.deepEqual(result, { joined: 1, unjoined: 0 });
    assert.equal(hex(root.parentSpanId), before.spanId);
    assert.equal(hex(child.parentSpanId), ROOT, 'the child keeps its parent');
    const after = c.seal('req-1', undefined);
    assert.equal(after.traceId, TRACE);
    assert.equal(after.spanId, before.spanId);
    assert.equal(after.parent, undefined);
    assert.equal(after.logContext.traceId, TRACE, 'log records of the invocation follow the adopted trace');
  });

  it('reads the older faas.execution too', () => {
    const c = contexts();
    const root = span(ROOT, null, 'req-1', 'faas.execution');
    assert.equal(joinInvocations(request(root), c).joined, 1);
    assert.equal(hex(root.parentSpanId), c.of('req-1', undefined).spanId);
  });

  it('before platform.start: the context is decided from the function\'s span and kept by platform.start', () => {
    const c = contexts();
    const root = span(ROOT, null, 'req-1');
    joinInvocations(request(root), c);
    const later = c.of('req-1', { type: 'X-Amzn-Trace-Id', value: XRAY_HEADER });
    assert.equal(later.traceId, TRACE);
    assert.equal(hex(root.parentSpanId), later.spanId);
  });

  it('an upstream parent: the invocation span hangs under it, the X-Ray parent it had becomes a link', () => {
    const c = contexts();
    const xray = c.of('req-1', { type: 'X-Amzn-Trace-Id', value: XRAY_HEADER });
    assert.equal(xray.traceId, XRAY_TRACE);
    const root = span(ROOT, UPSTREAM, 'req-1');
    joinInvocations(request(root), c);
    const joined = c.seal('req-1', undefined);
    assert.equal(joined.traceId, TRACE);
    assert.deepEqual(joined.parent && { traceId: joined.parent.traceId, spanId: joined.parent.spanId }, { traceId: TRACE, spanId: UPSTREAM });
    assert.deepEqual(joined.links.map((link) => link.context.spanId), ['53995c3f42cd8ad8']);
    assert.equal(hex(root.parentSpanId), joined.spanId);
  });

  it('X-Ray: a function root in the X-Ray trace under its Parent joins without moving the invocation span', () => {
    const c = contexts();
    const xray = c.of('req-1', { type: 'X-Amzn-Trace-Id', value: XRAY_HEADER });
    const root = span(ROOT, '53995c3f42cd8ad8', 'req-1', 'faas.invocation_id', XRAY_TRACE);
    joinInvocations(request(root), c);
    const joined = c.seal('req-1', undefined);
    assert.equal(joined.traceId, XRAY_TRACE);
    assert.equal(joined.parent?.spanId, '53995c3f42cd8ad8');
    assert.deepEqual(joined.links, []);
    assert.equal(hex(root.parentSpanId), xray.spanId);
  });

  it('after the invocation span was built: joins only in the same trace, else counts the root as unjoined', () => {
    const c = contexts();
    const built = c.seal('req-1', undefined);
    const foreign = span(ROOT, null, 'req-1');
    assert.deepEqual(joinInvocations(request(foreign), c), { joined: 0, unjoined: 1 });
    assert.equal(foreign.parentSpanId, undefined, 'left as sent');
    const same = span(ROOT, null, 'req-1', 'faas.invocation_id', built.traceId);
    assert.deepEqual(joinInvocations(request(same), c), { joined: 1, unjoined: 0 });
    assert.equal(hex(same.parentSpanId), built.spanId);
    assert.equal(c.seal('req-1', undefined).traceId, built.traceId);
  });

  it('X-Ray Sampled=0 (respected): no invocation span comes, so the root is left alone', () => {
    const c = contexts();
    c.of('req-1', { type: 'X-Amzn-Trace-Id', value: XRAY_HEADER.replace('Sampled=1', 'Sampled=0') });
    const root = span(ROOT, null, 'req-1');
    assert.deepEqual(joinInvocations(request(root), c), { joined: 0, unjoined: 1 });
    assert.equal(root.parentSpanId, undefined);
  });

  it('spans without a request id, and requests without spans, are left alone', () => {
    const c = contexts();
    const plain = span(ROOT, null, null);
    assert.deepEqual(joinInvocations(request(plain), c), { joined: 0, unjoined: 0 });
    assert.equal(plain.parentSpanId, undefined);
    assert.deepEqual(joinInvocations({ resourceSpans: [] }, c), { joined: 0, unjoined: 0 });
  });

  it('two invocations in one request each get their own invocation span', () => {
    const c = contexts();
    const a = span(ROOT, null, 'req-a');
    const b = span(CHILD, null, 'req-b', 'faas.invocation_id', 'bb'.repeat(16));
    joinInvocations(request(a, b), c);
    assert.equal(hex(a.parentSpanId), c.of('req-a', undefined).spanId);
    assert.equal(hex(b.parentSpanId), c.of('req-b', undefined).spanId);
    assert.notEqual(c.of('req-a', undefined).spanId, c.of('req-b', undefined).spanId);
  });
});

/**
 * The JSON log format of log-line-json.ts, through parseLogRecord(): records as objects (which
 * fields are taken, which stay attributes, what is never copied or walked) and JSON lines
 * delivered as text, of which only the request id is taken.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonLogRecord } from '../../src/telemetry/events.ts';
import { parseLogRecord } from '../../src/telemetry/log-line.ts';
import type { ParsedLog } from '../../src/telemetry/parsed-log.ts';
import { ID, ID_UPPER, TIME, TIME_MS, runRows, text } from './log-line-support.ts';
import type { Expected } from './log-line-support.ts';

describe('parseLogRecord: JSON log format', () => {
  const json = (fields: Expected): ParsedLog => ({ severityNumber: 0, severityText: '', requestId: null, timeMs: null, attributes: {}, format: 'json', ...fields });
  const rows: ReadonlyArray<{ readonly name: string; readonly record: JsonLogRecord; readonly want: ParsedLog }> = [
    {
      name: 'full record with user fields',
      record: { timestamp: TIME, level: 'INFO', requestId: ID, message: 'order placed', orderId: 42, customer: { tier: 'gold' } },
      want: json({ body: 'order placed', severityNumber: 9, severityText: 'INFO', requestId: ID, timeMs: TIME_MS, attributes: { orderId: 42, customer: { tier: 'gold' } } }),
    },
    { name: 'minimal: message only', record: { message: 'hi' }, want: json({ body: 'hi' }) },
    {
      name: 'message as object',
      record: { level: 'WARN', message: { event: 'retry', attempt: 2 } },
      want: json({ body: { event: 'retry', attempt: 2 }, severityNumber: 13, severityText: 'WARN' }),
    },
    { name: 'message null is a body', record: { level: 'INFO', message: null }, want: json({ body: null, severityNumber: 9, severityText: 'INFO' }) },
    { name: 'level lower case', record: { level: 'error', message: 'x' }, want: json({ body: 'x', severityNumber: 17, severityText: 'error' }) },
    { name: 'unknown level string kept as text', record: { level: 'chatty', message: 'x' }, want: json({ body: 'x', severityText: 'chatty' }) },
    { name: 'level as a number stays an attribute', record: { level: 30, message: 'x' }, want: json({ body: 'x', attributes: { level: 30 } }) },
    { name: 'timestamp not ISO stays an attribute', record: { timestamp: 'yesterday', message: 'x' }, want: json({ body: 'x', attributes: { timestamp: 'yesterday' } }) },
    { name: 'timestamp as a number stays an attribute', record: { timestamp: TIME_MS, message: 'x' }, want: json({ body: 'x', attributes: { timestamp: TIME_MS } }) },
    { name: 'timestamp with an offset', record: { timestamp: '2025-02-11T19:45:09.307+02:00', message: 'x' }, want: json({ body: 'x', timeMs: TIME_MS }) },
    { name: 'timestamp with microseconds', record: { timestamp: '2025-02-11T17:45:09.307451Z', message: 'x' }, want: json({ body: 'x', timeMs: TIME_MS }) },
    { name: 'empty requestId stays an attribute', record: { requestId: '', message: 'x' }, want: json({ body: 'x', attributes: { requestId: '' } }) },
    { name: 'requestId not a string stays an attribute', record: { requestId: 7, message: 'x' }, want: json({ body: 'x', attributes: { requestId: 7 } }) },
    { name: 'Java runtime spelling AWSRequestId', record: { timestamp: TIME, level: 'INFO', message: 'x', AWSRequestId: ID }, want: json({ body: 'x', severityNumber: 9, severityText: 'INFO', requestId: ID, timeMs: TIME_MS }) },
    {
      name: 'requestId wins over AWSRequestId, which stays an attribute',
      record: { requestId: ID, AWSRequestId: ID_UPPER, message: 'x' },
      want: json({ body: 'x', requestId: ID, attributes: { AWSRequestId: ID_UPPER } }),
    },
    {
      name: 'no message: the whole object is the body, extra fields are still attributes',
      record: { timestamp: TIME, level: 'INFO', requestId: ID, orderId: 42 },
      want: json({ body: { timestamp: TIME, level: 'INFO', requestId: ID, orderId: 42 }, severityNumber: 9, severityText: 'INFO', requestId: ID, timeMs: TIME_MS, attributes: { orderId: 42 } }),
    },
    { name: 'empty object', record: {}, want: json({ body: {} }) },
    {
      name: 'Python JSON error fields stay attributes',
      record: { timestamp: TIME, level: 'ERROR', message: 'failed', logger: 'root', requestId: ID, errorType: 'KeyError', errorMessage: "'sku'", stackTrace: ['  File "/var/task/app.py", line 9\n'], location: '/var/task/app.py:handler:9' },
      want: json({
        body: 'failed', severityNumber: 17, severityText: 'ERROR', requestId: ID, timeMs: TIME_MS,
        attributes: { logger: 'root', errorType: 'KeyError', errorMessage: "'sku'", stackTrace: ['  File "/var/task/app.py", line 9\n'], location: '/var/task/app.py:handler:9' },
      }),
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(parseLogRecord(row.record), row.want);
    });
  }

  it('keeps nested values by reference and never copies the body', () => {
    const customer = { tier: 'gold', tags: ['a'] };
    const record = { message: 'x', customer };
    const parsed = parseLogRecord(record);
    assert.equal(parsed.attributes?.['customer'], customer);
    const noMessage = { orderId: 1 };
    assert.equal(parseLogRecord(noMessage).body, noMessage);
  });

  it('an own __proto__ field from JSON.parse stays a plain attribute', () => {
    const parsed = parseLogRecord(JSON.parse('{"message":"x","__proto__":{"polluted":true}}') as JsonLogRecord);
    const attributes = parsed.attributes ?? {};
    assert.equal(Object.getPrototypeOf(attributes), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(attributes, '__proto__')?.value, { polluted: true });
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('does not walk deeply nested or huge records', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 100_000; i++) deep = { child: deep };
    const parsed = parseLogRecord({ message: 'deep', nested: deep });
    assert.equal(parsed.attributes?.['nested'], deep);
    const huge: Record<string, unknown> = { message: 'wide' };
    for (let i = 0; i < 50_000; i++) huge[`k${i}`] = i;
    assert.equal(Object.keys(parseLogRecord(huge).attributes ?? {}).length, 50_000);
  });
});

describe('parseLogRecord: a JSON line delivered as text (Managed Instances)', () => {
  const line = (body: string, requestId: string): ParsedLog => text('plain', { body, requestId });
  const plain = (body: string): ParsedLog => text('plain', { body });
  runRows([
    { name: 'requestId taken, the line stays the body', line: `{"requestId":"${ID}","level":"INFO","message":"x"}\n`, want: line(`{"requestId":"${ID}","level":"INFO","message":"x"}`, ID) },
    { name: 'the Java runtime spelling AWSRequestId', line: `{"AWSRequestId":"${ID_UPPER}","message":"x"}`, want: line(`{"AWSRequestId":"${ID_UPPER}","message":"x"}`, ID_UPPER) },
    { name: 'an empty requestId gives way to AWSRequestId', line: `{"requestId":"","AWSRequestId":"${ID}"}`, want: line(`{"requestId":"","AWSRequestId":"${ID}"}`, ID) },
    { name: 'no request id: plain', line: '{"level":"INFO","message":"x"}\r\n', want: plain('{"level":"INFO","message":"x"}') },
    { name: 'a request id that is not a string: plain', line: '{"requestId":7}', want: plain('{"requestId":7}') },
    { name: 'not JSON: plain', line: `{"requestId":"${ID}"`, want: plain(`{"requestId":"${ID}"`) },
  ]);
});

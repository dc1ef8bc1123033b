/**
 * The protobuf side of the codec: 64-bit integers kept exact, malformed input refused with an
 * OtlpFormatError, concatenated requests, and the response and error bodies as the official
 * protos read them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concatRequests, countItems, decode, encode, encodeResponse, encodeStatus, fromJson, OtlpFormatError, PROTOBUF_RECURSION_LIMIT, toJson } from '../../src/otlp/codec.ts';
import type { OtlpSignal } from '../../src/otlp/codec.ts';
import { loadOtlpProtos } from '../support/otlp-protos.ts';
import { FULL_REQUESTS } from './full-requests.ts';
import { plain } from './plain.ts';

const NANOS = '1700000000123456789';
const official = loadOtlpProtos();

const logWithTime = (timeUnixNano: string) => ({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano, body: { stringValue: 'x' } }] }] }] });

function responseType(signal: OtlpSignal) {
  const name = { traces: 'trace', metrics: 'metrics', logs: 'logs' }[signal];
  const cap = { traces: 'Trace', metrics: 'Metrics', logs: 'Logs' }[signal];
  return official.root.lookupType(`opentelemetry.proto.collector.${name}.v1.Export${cap}ServiceResponse`);
}

describe('otlp codec: protobuf', () => {
  it(`keeps a timeUnixNano of ${NANOS} exact through decode/encode and fromJson/toJson`, () => {
    const bytes = official.encode('logs', logWithTime(NANOS));
    const decoded = decode('logs', bytes);
    assert.deepEqual(Buffer.from(encode('logs', decoded)), Buffer.from(bytes));
    const json = toJson('logs', decoded);
    assert.match(json, new RegExp(`"timeUnixNano":"${NANOS}"`));
    assert.deepEqual(Buffer.from(encode('logs', fromJson('logs', json))), Buffer.from(bytes));
    assert.equal((official.decode('logs', encode('logs', fromJson('logs', json))) as ReturnType<typeof logWithTime>).resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.timeUnixNano, NANOS);
  });

  it('keeps the largest fixed64 and the most negative int64 exact', () => {
    const json = toJson('metrics', decode('metrics', official.encode('metrics', FULL_REQUESTS.metrics)));
    assert.match(json, /"count":"18446744073709551615"/);
    const text = JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'k', value: { intValue: '-9223372036854775808' } }] } }] });
    assert.match(toJson('traces', fromJson('traces', text)), /"intValue":"-9223372036854775808"/);
  });

  const MALFORMED: readonly (readonly [string, number[]])[] = [
    ['a truncated length-delimited field', [0x0a, 0x10, 0x01]],
    ['an invalid wire type', [0x0f]],
    ['field number 0', [0x02, 0x00]],
    ['a truncated varint', [0x0a, 0x80]],
    ['invalid UTF-8 in a string', [0x0a, 0x08, 0x12, 0x06, 0x12, 0x04, 0x2a, 0x02, 0xc3, 0x28]],
  ];
  for (const [name, bytes] of MALFORMED) {
    it(`refuses ${name} with an OtlpFormatError`, () => {
      assert.throws(() => decode('traces', new Uint8Array(bytes)), (error: unknown) => error instanceof OtlpFormatError && error.statusCode === 400 && /^malformed protobuf ExportTraceServiceRequest: /.test(error.message));
    });
  }

  it(`refuses messages nested deeper than ${PROTOBUF_RECURSION_LIMIT}`, () => {
    // Written by hand: the official encoder refuses to nest this deep too. AnyValue.array_value
    // is field 5, ArrayValue.values field 1; the log body sits 4 messages deep.
    const field = (tag: number, payload: Buffer): Buffer => {
      const length: number[] = [];
      for (let n = payload.length; ; n >>>= 7) { if (n < 0x80) { length.push(n); break; } length.push((n & 0x7f) | 0x80); }
      return Buffer.concat([Buffer.from([tag, ...length]), payload]);
    };
    let value: Buffer = Buffer.from([0x0a, 0x01, 0x78]);
    for (let i = 0; i < 60; i++) value = field(0x2a, field(0x0a, value));
    const bytes = field(0x0a, field(0x12, field(0x12, field(0x2a, value))));
    assert.throws(() => decode('logs', bytes), (error: unknown) => error instanceof OtlpFormatError && /max depth exceeded/.test(error.message));
  });

  it('decodes an empty body as an empty request', () => {
    assert.deepEqual(plain(decode('metrics', new Uint8Array(0))), { resourceMetrics: [] });
  });

  it('decodes a Uint8Array view into a larger buffer as what it views', () => {
    const bytes = official.encode('traces', FULL_REQUESTS.traces);
    const larger = new Uint8Array(bytes.length + 10);
    larger.set(bytes, 5);
    assert.deepEqual(plain(decode('traces', larger.subarray(5, 5 + bytes.length))), plain(decode('traces', bytes)));
  });

  for (const signal of ['traces', 'metrics', 'logs'] as const) {
    it(`${signal}: concatRequests of two requests decodes as one with both parts' resources, in order`, () => {
      const first = official.encode(signal, FULL_REQUESTS[signal]);
      const second = encode(signal, fromJson(signal, toJson(signal, decode(signal, first))));
      const joined = decode(signal, concatRequests([first, second, new Uint8Array(0)]));
      const key = { traces: 'resourceSpans', metrics: 'resourceMetrics', logs: 'resourceLogs' }[signal];
      const parts = [decode(signal, first), decode(signal, second)].map((request) => (plain(request) as Record<string, unknown[]>)[key]!);
      assert.deepEqual((plain(joined) as Record<string, unknown[]>)[key], [...parts[0]!, ...parts[1]!]);
      assert.equal(countItems(signal, joined), 2 * countItems(signal, decode(signal, first)));
    });
  }

  const REJECTED = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords' } as const;
  for (const signal of ['traces', 'metrics', 'logs'] as const) {
    it(`${signal}: a response reports partial_success only when something was rejected or said`, () => {
      const type = responseType(signal);
      const read = (bytes: Uint8Array) => type.toObject(type.decode(bytes), { longs: String });
      assert.equal(encodeResponse(signal, { rejected: 0 }, 'protobuf').length, 0);
      assert.equal(Buffer.from(encodeResponse(signal, { rejected: 0 }, 'json')).toString(), '{}');
      assert.deepEqual(read(encodeResponse(signal, { rejected: 3, errorMessage: 'too old' }, 'protobuf')), { partialSuccess: { [REJECTED[signal]]: '3', errorMessage: 'too old' } });
      assert.deepEqual(read(encodeResponse(signal, { rejected: 0, errorMessage: 'sampled' }, 'protobuf')), { partialSuccess: { errorMessage: 'sampled' } });
      assert.deepEqual(read(encodeResponse(signal, { rejected: 2 }, 'protobuf')), { partialSuccess: { [REJECTED[signal]]: '2' } });
      assert.deepEqual(JSON.parse(Buffer.from(encodeResponse(signal, { rejected: 3, errorMessage: 'too old' }, 'json')).toString()), { partialSuccess: { [REJECTED[signal]]: '3', errorMessage: 'too old' } });
    });
  }

  it('refuses a rejected count that is not a non-negative integer', () => {
    for (const rejected of [-1, 1.5, NaN]) assert.throws(() => encodeResponse('traces', { rejected }, 'json'), RangeError);
  });

  it('writes error bodies as google.rpc.Status', () => {
    // google.rpc.Status: code is field 1 (int32), message field 2 (string); Debian's protos
    // lack status.proto, so the bytes are spelled out.
    assert.equal(Buffer.from(encodeStatus(3, 'bad', 'protobuf')).toString('hex'), `08031203${Buffer.from('bad').toString('hex')}`);
    assert.equal(encodeStatus(0, '', 'protobuf').length, 0);
    assert.deepEqual(JSON.parse(Buffer.from(encodeStatus(3, 'bad', 'json')).toString()), { code: 3, message: 'bad' });
  });
});

/**
 * OTLP/JSON: what the SDK's JSON serializers write reads as what its protobuf serializers
 * write decodes to; toJson and fromJson round-trip; bad input is an OtlpFormatError naming where.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { JsonLogsSerializer, JsonMetricsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { countItems, decode, encode, fromJson, OtlpFormatError, toJson } from '../../src/otlp/codec.ts';
import type { OtlpSignal } from '../../src/otlp/codec.ts';
import { loadOtlpProtos } from '../support/otlp-protos.ts';
import { FULL_REQUESTS } from './full-requests.ts';
import { plain } from './plain.ts';
import { sdkLogs, sdkMetrics, sdkSpans } from './sdk-data.ts';

const text = (bytes: Uint8Array | undefined): string => Buffer.from(bytes!).toString('utf8');

describe('otlp codec: OTLP/JSON', () => {
  const sdk = {} as Record<OtlpSignal, { protobuf: Uint8Array; json: string }>;
  before(async () => {
    const spans = await sdkSpans(50);
    const metrics = await sdkMetrics();
    const logs = await sdkLogs();
    sdk.traces = { protobuf: ProtobufTraceSerializer.serializeRequest(spans)!, json: text(JsonTraceSerializer.serializeRequest(spans)) };
    sdk.metrics = { protobuf: ProtobufMetricsSerializer.serializeRequest(metrics)!, json: text(JsonMetricsSerializer.serializeRequest(metrics)) };
    sdk.logs = { protobuf: ProtobufLogsSerializer.serializeRequest(logs)!, json: text(JsonLogsSerializer.serializeRequest(logs)) };
  });

  for (const signal of ['traces', 'metrics', 'logs'] as const) {
    it(`${signal}: the SDK's JSON reads as its protobuf decodes`, () => {
      const fromProtobuf = decode(signal, sdk[signal].protobuf);
      assert.deepEqual(plain(fromJson(signal, sdk[signal].json)), plain(fromProtobuf));
      assert.ok(countItems(signal, fromProtobuf) > 0);
    });

    it(`${signal}: the SDK's JSON and its protobuf encode to the same bytes`, () => {
      // Not to the SDK's own bytes: its serializer writes fields at their default (a 0
      // droppedAttributesCount), which protobuf encoders leave out.
      const fromProtobuf = Buffer.from(encode(signal, decode(signal, sdk[signal].protobuf)));
      assert.deepEqual(Buffer.from(encode(signal, fromJson(signal, sdk[signal].json))), fromProtobuf);
      assert.deepEqual(plain(loadOtlpProtos().decode(signal, fromProtobuf)), plain(loadOtlpProtos().decode(signal, sdk[signal].protobuf)));
    });

    it(`${signal}: fromJson(toJson(x)) equals x, for the SDK's data and the full request`, () => {
      const full = decode(signal, loadOtlpProtos().encode(signal, FULL_REQUESTS[signal]));
      for (const request of [decode(signal, sdk[signal].protobuf), full]) {
        assert.deepEqual(plain(fromJson(signal, toJson(signal, request))), plain(request));
      }
    });
  }

  it('counts spans, every kind of metric data point, and log records', () => {
    assert.equal(countItems('traces', decode('traces', sdk.traces.protobuf)), 50);
    // requests, in_flight, temperature, duration, exponential, heap: one point each.
    assert.equal(countItems('metrics', decode('metrics', sdk.metrics.protobuf)), 6);
    assert.equal(countItems('logs', decode('logs', sdk.logs.protobuf)), 3);
    const full = (signal: OtlpSignal): number => countItems(signal, decode(signal, loadOtlpProtos().encode(signal, FULL_REQUESTS[signal])));
    // gauge 2, sum 1, histogram 1, exponential histogram 1, summary 1.
    assert.deepEqual([full('traces'), full('metrics'), full('logs')], [2, 6, 2]);
  });

  it('writes ids as lowercase hex, enums as integers and 64-bit integers as decimal strings', () => {
    const json = JSON.parse(toJson('traces', decode('traces', loadOtlpProtos().encode('traces', FULL_REQUESTS.traces))));
    const span = json.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(span.traceId, '5b8efff798038103d269b633813fc60c');
    assert.equal(span.parentSpanId, 'eee19b7ec3c1b173');
    assert.equal(span.kind, 2);
    assert.equal(span.status.code, 2);
    assert.equal(span.startTimeUnixNano, '1700000000123456789');
    assert.equal(span.links[0].traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.deepEqual(span.attributes.find((a: { key: string }) => a.key === 'bytes').value, { bytesValue: 'AAEC/w==' });
    assert.equal(json.resourceSpans[0].scopeSpans[0].spans[1].parentSpanId, undefined, 'a root span has no parentSpanId');
  });

  it('reads enum names, int64 numbers, empty ids and unknown keys', () => {
    const request = fromJson('traces', JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '5B8EFFF798038103D269B633813FC60C', spanId: 'eee19b7ec3c1b174', parentSpanId: '', name: 'n', kind: 'SPAN_KIND_CLIENT', startTimeUnixNano: 1700000000, status: { code: 'STATUS_CODE_ERROR' }, future: { x: 1 } }] }], futureField: [] }],
    }));
    const span = request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    assert.equal(Buffer.from(span.traceId).toString('hex'), '5b8efff798038103d269b633813fc60c');
    assert.equal(span.kind, 3);
    assert.equal(span.startTimeUnixNano!.toString(), '1700000000');
    assert.equal(Object.hasOwn(span, 'parentSpanId'), false);
    assert.deepEqual(plain(span.status), { code: 2 });
  });

  const BAD: readonly (readonly [string, string, RegExp])[] = [
    ['malformed JSON', '{"resourceSpans":[', /malformed JSON/],
    ['not an object', '[]', /expected an object/],
    ['resourceSpans not an array', '{"resourceSpans":{}}', /at resourceSpans: expected an array/],
    ['a span not an object', '{"resourceSpans":[{"scopeSpans":[{"spans":[1]}]}]}', /at resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]: expected an object/],
    ['a non-hex trace id', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz8efff798038103d269b633813fc60c"}]}]}]}', /spans\[0\]\.traceId: expected 32 hex digits/],
    ['a base64 span id', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"7uGbfsPBsXQ="}]}]}]}', /spans\[0\]\.spanId: expected 16 hex digits/],
    ['a short parent id', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"parentSpanId":"eee1"}]}]}]}', /parentSpanId: expected 16 hex digits, got 4/],
    ['a numeric id', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":5}]}]}]}', /traceId: expected 32 hex digits/],
    ['a bad link id', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"links":[{"traceId":"xyz"}]}]}]}]}', /links\[0\]\.traceId/],
    ['a fractional timestamp', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"1.5"}]}]}]}', /startTimeUnixNano: expected an integer/],
    ['a negative fixed64', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"-1"}]}]}]}', /out of range of a uint64/],
    ['an int64 overflow', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":{"intValue":"9223372036854775808"}}]}]}]}]}', /out of range of a int64/],
    ['an unknown enum name', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SPAN_KIND_NOPE"}]}]}]}', /kind: unknown enum value/],
    ['a name that is not a string', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":{}}]}]}]}', /name: expected a string/],
    ['two members of a oneof', '{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"stringValue":"a","intValue":"1"}}]}}]}', /attributes\[0\]\.value: more than one of/],
    ['bad base64', '{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"bytesValue":"!!"}}]}}]}', /bytesValue: expected base64/],
    ['null in an array', '{"resourceLogs":[null]}', /resourceLogs\[0\]: null in an array/],
  ];
  for (const [name, body, message] of BAD) {
    it(`refuses ${name} with an OtlpFormatError`, () => {
      const signal = body.includes('resourceLogs') ? 'logs' : 'traces';
      assert.throws(() => fromJson(signal, body), (error: unknown) => error instanceof OtlpFormatError && message.test(error.message));
    });
  }

  it('refuses nesting deeper than the recursion limit', () => {
    let value = '{"stringValue":"x"}';
    for (let i = 0; i < 60; i++) value = `{"arrayValue":{"values":[${value}]}}`;
    const body = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${value}}]}]}]}`;
    assert.throws(() => fromJson('logs', body), (error: unknown) => error instanceof OtlpFormatError && /nested deeper than 100/.test(error.message));
  });
});

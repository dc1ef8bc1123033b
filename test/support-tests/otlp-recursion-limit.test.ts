/**
 * The receiver refuses protobuf nested deeper than real receivers accept, so that an
 * end-to-end test can see a record too deep for them fail.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { PROTOBUF_RECURSION_LIMIT, startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver } from '../support/otlp-receiver.ts';

/**
 * A log body whose innermost message sits `messages` deep in the request: the body is 4 deep
 * (ExportLogsServiceRequest > ResourceLogs > ScopeLogs > LogRecord > AnyValue), each array
 * adds two (ArrayValue > AnyValue), and an empty innermost array one (its ArrayValue).
 */
function nestedBody(messages: number): unknown {
  let value: unknown = messages % 2 === 0 ? 1 : [];
  for (let at = messages - (messages % 2); at > 4; at -= 2) value = [value];
  return value;
}

function record(body: unknown): ReadableLogRecord {
  return {
    hrTime: [1_700_000_000, 0],
    hrTimeObserved: [1_700_000_000, 0],
    body,
    resource: resourceFromAttributes({}),
    instrumentationScope: { name: 'recursion-limit-test' },
    attributes: {},
    droppedAttributesCount: 0,
  };
}

describe('otlp receiver: protobuf recursion limit', () => {
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());

  const send = (body: unknown): Promise<ExportResult> => {
    const exporter = new OTLPLogExporter({ url: `${receiver.url}/v1/logs` });
    return new Promise((resolve) => exporter.export([record(body)], resolve));
  };

  it(`accepts a request nested ${PROTOBUF_RECURSION_LIMIT} messages deep and refuses one nested a message deeper, as protoc does`, async () => {
    assert.equal(PROTOBUF_RECURSION_LIMIT, 100);
    assert.equal((await send(nestedBody(PROTOBUF_RECURSION_LIMIT))).code, ExportResultCode.SUCCESS);
    assert.equal((await send(nestedBody(PROTOBUF_RECURSION_LIMIT + 1))).code, ExportResultCode.FAILED);
    assert.deepEqual(receiver.requests.map((r) => [r.status, r.logs.length, r.error]), [[200, 1, null], [400, 0, 'max depth exceeded']]);
  });
});

/**
 * `ExportLogsServiceRequest` in protobuf from the SDK's log records: the request the SDK's
 * protobuf log exporter sends for the same records (test/otel/protobuf-encoders.test.ts
 * decodes both and compares them), written in one pass.
 */
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { FIXED32, FIXED64, LEN, VARINT } from '../otlp/protobuf-writer.ts';
import type { ProtobufWriter } from '../otlp/protobuf-writer.ts';
import { encodeRequest, writeAnyValueFields, writeAttributes } from './protobuf-common.ts';

/** A record with a one-line body and a few attributes takes 128 to 16 383 bytes: a two-byte length. */
const RECORD_LENGTH_BYTES = 2;

export function encodeLogsRequest(records: readonly ReadableLogRecord[]): Uint8Array {
  return encodeRequest(records, writeLogRecord);
}

/** `ScopeLogs.log_records` (field 2): one `LogRecord`. */
function writeLogRecord(writer: ProtobufWriter, record: ReadableLogRecord): void {
  writer.tag(2, LEN);
  const start = writer.begin(RECORD_LENGTH_BYTES);
  writer.tag(1, FIXED64);
  writer.hrTime(record.hrTime);
  if (record.severityNumber) {
    writer.tag(2, VARINT);
    writer.varint(record.severityNumber);
  }
  if (record.severityText) {
    writer.tag(3, LEN);
    writer.string(record.severityText);
  }
  if (record.body !== undefined) {
    writer.tag(5, LEN);
    const body = writer.begin(RECORD_LENGTH_BYTES);
    writeAnyValueFields(writer, record.body);
    writer.end(body, RECORD_LENGTH_BYTES);
  }
  writeAttributes(writer, 6, record.attributes);
  if (record.droppedAttributesCount) {
    writer.tag(7, VARINT);
    writer.varint(record.droppedAttributesCount);
  }
  const context = record.spanContext;
  if (context !== undefined) {
    if (context.traceFlags) {
      writer.tag(8, FIXED32);
      writer.fixed32(context.traceFlags);
    }
    if (context.traceId) {
      writer.tag(9, LEN);
      writer.hexBytes(context.traceId);
    }
    if (context.spanId) {
      writer.tag(10, LEN);
      writer.hexBytes(context.spanId);
    }
  }
  writer.tag(11, FIXED64);
  writer.hrTime(record.hrTimeObserved);
  if (record.eventName) {
    writer.tag(12, LEN);
    writer.string(record.eventName);
  }
  writer.end(start, RECORD_LENGTH_BYTES);
}

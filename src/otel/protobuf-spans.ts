/**
 * `ExportTraceServiceRequest` in protobuf from the SDK's spans: the request the SDK's protobuf
 * trace exporter sends for the same spans (test/otel/protobuf-encoders.test.ts decodes both
 * and compares them), written in one pass.
 */
import type { HrTime, Link, SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { FIXED32, FIXED64, LEN, VARINT } from '../otlp/protobuf-writer.ts';
import type { ProtobufWriter } from '../otlp/protobuf-writer.ts';
import { encodeRequest, writeAttributes } from './protobuf-common.ts';

/** A span with its attributes takes 128 to 16 383 bytes: a two-byte length. */
const SPAN_LENGTH_BYTES = 2;
/** `Span.flags`: bit 8 says whether bit 9 (the parent is remote) is known. */
const FLAGS_HAS_IS_REMOTE = 0x100;
const FLAGS_IS_REMOTE = 0x200;

export function encodeTraceRequest(spans: readonly ReadableSpan[]): Uint8Array {
  return encodeRequest(spans, writeSpan);
}

function flagsOf(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | FLAGS_HAS_IS_REMOTE | (isRemote ? FLAGS_IS_REMOTE : 0);
}

function writeTime(writer: ProtobufWriter, field: number, time: HrTime): void {
  writer.tag(field, FIXED64);
  writer.hrTime(time);
}

function writeCount(writer: ProtobufWriter, field: number, count: number | undefined): void {
  if (!count) return;
  writer.tag(field, VARINT);
  writer.varint(count);
}

function writeIds(writer: ProtobufWriter, context: SpanContext): void {
  writer.tag(1, LEN);
  writer.hexBytes(context.traceId);
  writer.tag(2, LEN);
  writer.hexBytes(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    writer.tag(3, LEN);
    writer.string(traceState);
  }
}

/** `ScopeSpans.spans` (field 2): one `Span`. */
function writeSpan(writer: ProtobufWriter, span: ReadableSpan): void {
  writer.tag(2, LEN);
  const start = writer.begin(SPAN_LENGTH_BYTES);
  const context = span.spanContext();
  writeIds(writer, context);
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    writer.tag(4, LEN);
    writer.hexBytes(parent.spanId);
  }
  writer.tag(5, LEN);
  writer.string(span.name);
  // OTLP's SpanKind counts from SPAN_KIND_UNSPECIFIED; the API's from INTERNAL.
  if (span.kind != null) {
    writer.tag(6, VARINT);
    writer.varint(span.kind + 1);
  }
  writeTime(writer, 7, span.startTime);
  writeTime(writer, 8, span.endTime);
  writeAttributes(writer, 9, span.attributes);
  writeCount(writer, 10, span.droppedAttributesCount);
  for (const event of span.events) writeEvent(writer, event);
  writeCount(writer, 12, span.droppedEventsCount);
  for (const link of span.links) writeLink(writer, link);
  writeCount(writer, 14, span.droppedLinksCount);
  writer.tag(15, LEN);
  const status = writer.begin();
  if (span.status.message) {
    writer.tag(2, LEN);
    writer.string(span.status.message);
  }
  if (span.status.code) {
    writer.tag(3, VARINT);
    writer.varint(span.status.code);
  }
  writer.end(status);
  writer.tag(16, FIXED32);
  writer.fixed32(flagsOf(context.traceFlags, parent?.isRemote));
  writer.end(start, SPAN_LENGTH_BYTES);
}

/** `Span.events` (field 11): one `Span.Event`. */
function writeEvent(writer: ProtobufWriter, event: TimedEvent & { droppedAttributesCount?: number }): void {
  writer.tag(11, LEN);
  const start = writer.begin(SPAN_LENGTH_BYTES);
  writeTime(writer, 1, event.time);
  writer.tag(2, LEN);
  writer.string(event.name);
  if (event.attributes) writeAttributes(writer, 3, event.attributes);
  writeCount(writer, 4, event.droppedAttributesCount);
  writer.end(start, SPAN_LENGTH_BYTES);
}

/** `Span.links` (field 13): one `Span.Link`. */
function writeLink(writer: ProtobufWriter, link: Link): void {
  writer.tag(13, LEN);
  const start = writer.begin(SPAN_LENGTH_BYTES);
  writeIds(writer, link.context);
  if (link.attributes) writeAttributes(writer, 4, link.attributes);
  writeCount(writer, 5, link.droppedAttributesCount);
  writer.tag(6, FIXED32);
  writer.fixed32(flagsOf(link.context.traceFlags, link.context.isRemote));
  writer.end(start, SPAN_LENGTH_BYTES);
}

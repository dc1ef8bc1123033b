/**
 * Our codec against the official .proto files (loaded by the full protobufjs with its .proto
 * parser): requests that set every field, encoded by the official protos, decode with ours to
 * the same data and encode back to the same bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type protobuf from 'protobufjs';
import { decode, encode } from '../../src/otlp/codec.ts';
import { loadOtlpProtos } from '../support/otlp-protos.ts';
import type { Signal } from '../support/otlp-types.ts';
import { FULL_REQUESTS } from './full-requests.ts';
import { plain } from './plain.ts';

const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];
const REQUEST_TYPES: Record<Signal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
};

/** `type.field` names of the fields that no message of `value` (of `type`) sets. */
function unsetFields(type: protobuf.Type, values: readonly unknown[]): string[] {
  const set = new Map<protobuf.Type, Set<string>>();
  const visit = (t: protobuf.Type, message: Record<string, unknown>): void => {
    const names = set.get(t) ?? set.set(t, new Set()).get(t)!;
    for (const field of t.fieldsArray) {
      // Own properties only: a decoded message's prototype holds every field's default.
      const value = Object.hasOwn(message, field.name) ? message[field.name] : undefined;
      if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
      names.add(field.name);
      const nested = field.resolve().resolvedType;
      if (nested === null || !('fieldsArray' in nested)) continue;
      for (const item of Array.isArray(value) ? value : [value]) visit(nested, item as Record<string, unknown>);
    }
  };
  for (const value of values) visit(type, value as Record<string, unknown>);
  const missing: string[] = [];
  for (const [t, names] of set) for (const field of t.fieldsArray) if (!names.has(field.name)) missing.push(`${t.name}.${field.name}`);
  return missing;
}

describe('otlp codec against the official protos', () => {
  const official = loadOtlpProtos();

  for (const signal of SIGNALS) {
    it(`${signal}: the full request sets every field of the schema`, () => {
      const type = official.root.lookupType(REQUEST_TYPES[signal]);
      const decoded = type.decode(official.encode(signal, FULL_REQUESTS[signal]));
      assert.deepEqual(unsetFields(type, [decoded]), []);
    });

    it(`${signal}: official bytes decode with ours to the same data and encode back to the same bytes`, () => {
      const bytes = official.encode(signal, FULL_REQUESTS[signal]);
      const ours = decode(signal, bytes);
      assert.deepEqual(plain(ours), plain(official.decode(signal, bytes)));
      assert.deepEqual(Buffer.from(encode(signal, ours)), Buffer.from(bytes));
    });

    it(`${signal}: our encoding of it decodes with the official protos to the same data`, () => {
      const bytes = official.encode(signal, FULL_REQUESTS[signal]);
      const again = encode(signal, decode(signal, bytes));
      assert.deepEqual(plain(official.decode(signal, again)), plain(official.decode(signal, bytes)));
    });
  }

  it('keeps fields newer than the schema through decode and encode', () => {
    // Field 99 of ExportTraceServiceRequest (unknown to the schema): tag 99<<3|2, length 2, "hi".
    const unknown = Buffer.from([0x9a, 0x06, 0x02, 0x68, 0x69]);
    const bytes = Buffer.concat([official.encode('traces', FULL_REQUESTS.traces), unknown]);
    assert.deepEqual(Buffer.from(encode('traces', decode('traces', bytes))), bytes);
  });
});

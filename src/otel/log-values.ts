/**
 * Bounds on the values of a log record (the body and each attribute value), so that one
 * hostile JSON log line cannot make the receiver refuse the whole export request it travels in.
 *
 * Protobuf decoders refuse a request nesting more than 100 messages (the default of protoc's
 * C++ and Java runtimes, of protobufjs, upb and prost). Below the request, a log record is 3
 * deep and an attribute value 5; each level of a map adds three (KeyValueList, KeyValue,
 * AnyValue) and each level of an array two. {@link MAX_VALUE_DEPTH} levels of maps in an
 * attribute nest 5 + 3 × 16 = 53 messages deep; 32 levels would nest 101.
 */
import type { AnyValue } from '@opentelemetry/api';
import { setField } from '../util/set-field.ts';

/** Maps and arrays nested deeper than this (the value itself is level 1) are kept as their JSON text. */
export const MAX_VALUE_DEPTH = 16;
/** Map entries plus array elements, at all levels, kept as structure in one value; a map or array past it is kept as its JSON text. */
export const MAX_VALUE_ENTRIES = 1024;
/** Stands for a map or array JSON.stringify cannot write (a cycle, or nesting thousands deep). */
export const UNWRITABLE_VALUE = '[unwritable value]';

export interface ValueFitter {
  /**
   * `value` within the bounds: strings over the byte limit are cut at a character boundary;
   * maps and arrays over {@link MAX_VALUE_DEPTH} or {@link MAX_VALUE_ENTRIES} become their
   * JSON text (cut like any string). Unchanged parts are returned as they are, not copied.
   */
  fit(value: unknown): AnyValue;
  /** How many values were cut or written as text since the last call; starts counting again. */
  takeCuts(): number;
}

class Fitter implements ValueFitter {
  readonly #maxBytes: number;
  readonly #encoder = new TextEncoder();
  readonly #decoder = new TextDecoder();
  readonly #scratch: Uint8Array;
  #entriesLeft = 0;
  #cuts = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
    this.#scratch = new Uint8Array(maxBytes);
  }

  fit(value: unknown): AnyValue {
    this.#entriesLeft = MAX_VALUE_ENTRIES;
    return this.#fit(value, 1);
  }

  takeCuts(): number {
    const cuts = this.#cuts;
    this.#cuts = 0;
    return cuts;
  }

  #fit(value: unknown, depth: number): unknown {
    if (typeof value === 'string') {
      if (this.#fits(value)) return value;
      this.#cuts++;
      return this.#cut(value);
    }
    if (typeof value !== 'object' || value === null) return value;
    return Array.isArray(value) ? this.#array(value, depth) : this.#map(value as Record<string, unknown>, depth);
  }

  #array(value: readonly unknown[], depth: number): unknown {
    if (depth > MAX_VALUE_DEPTH || value.length > this.#entriesLeft) return this.#asText(value);
    this.#entriesLeft -= value.length;
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const fitted = this.#fit(item, depth + 1);
      if (copy === null) {
        if (fitted === item) continue;
        copy = value.slice(0, i);
      }
      copy.push(fitted);
    }
    return copy ?? value;
  }

  #map(value: Readonly<Record<string, unknown>>, depth: number): unknown {
    const keys = Object.keys(value);
    if (depth > MAX_VALUE_DEPTH || keys.length > this.#entriesLeft) return this.#asText(value);
    this.#entriesLeft -= keys.length;
    let copy: Record<string, unknown> | null = null;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const item = value[key];
      const fitted = this.#fit(item, depth + 1);
      if (copy === null) {
        if (fitted === item) continue;
        copy = {};
        for (let j = 0; j < i; j++) setField(copy, keys[j]!, value[keys[j]!]);
      }
      setField(copy, key, fitted);
    }
    return copy ?? value;
  }

  #asText(value: object): string {
    this.#cuts++;
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch {
      // A cycle (only an API caller can build one) or a depth beyond the call stack.
    }
    if (text === undefined) return UNWRITABLE_VALUE;
    return this.#fits(text) ? text : this.#cut(text);
  }

  /** Three UTF-8 bytes per UTF-16 unit at most: most strings are decided without counting. */
  #fits(text: string): boolean {
    return text.length * 3 <= this.#maxBytes || Buffer.byteLength(text) <= this.#maxBytes;
  }

  #cut(text: string): string {
    const { written } = this.#encoder.encodeInto(text, this.#scratch);
    // Decoded afresh: a slice would keep the whole original alive as long as the record.
    return this.#decoder.decode(this.#scratch.subarray(0, written));
  }
}

/** A fitter cutting strings at `maxBytes` UTF-8 bytes (`LAMBDA_OTEL_LOG_MAX_BODY_BYTES`). */
export function createValueFitter(maxBytes: number): ValueFitter {
  return new Fitter(maxBytes);
}

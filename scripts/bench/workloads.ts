/**
 * Telemetry API POST bodies for the throughput and memory benchmarks, built with the sandbox's
 * own event factory (Lambda's field order) and batched the way Lambda batches: a JSON array
 * of at most `maxItems` events and `maxBytes` bytes.
 */
import { functionLogEvent, reportEvent, runtimeDoneEvent, startEvent } from '../../src/sandbox/event-factory.ts';
import type { TelemetryEvent } from '../../src/telemetry/events.ts';

/** The Telemetry API's largest batch: maxItems 10 000, maxBytes 1 MiB. */
export const MAX_BATCH = { maxItems: 10_000, maxBytes: 1_048_576 } as const;
/** Its default batch (maxItems 1000), the one the layer subscribes with. */
export const DEFAULT_BATCH = { maxItems: 1_000, maxBytes: 262_144 } as const;

export interface Workload {
  readonly name: string;
  readonly bodies: readonly Buffer[];
  readonly events: number;
  readonly bytes: number;
  /** What the sink must receive at least: spans and log records. */
  readonly expectedSpans: number;
  readonly expectedLogs: number;
}

/** Invocations are this far apart in event time. */
const INVOCATION_STEP_MS = 20;
const RUNTIME_MS = 12.5;
const REPORT_MS = 13.75;
const iso = (epochMs: number): string => new Date(epochMs).toISOString();

function requestIdOf(index: number): string {
  const hex = index.toString(16).padStart(12, '0');
  return `8f5e3c2a-1b4d-4e6f-9a7b-${hex}`;
}

/** Serialises events into JSON-array bodies within `limits`. */
export function batch(events: readonly TelemetryEvent[], limits: { maxItems: number; maxBytes: number }): Buffer[] {
  const bodies: Buffer[] = [];
  let parts: string[] = [];
  let bytes = 2;
  for (const event of events) {
    const json = JSON.stringify(event);
    const size = Buffer.byteLength(json) + 1;
    if (parts.length > 0 && (parts.length === limits.maxItems || bytes + size > limits.maxBytes)) {
      bodies.push(Buffer.from(`[${parts.join(',')}]`));
      parts = [];
      bytes = 2;
    }
    parts.push(json);
    bytes += size;
  }
  if (parts.length > 0) bodies.push(Buffer.from(`[${parts.join(',')}]`));
  return bodies;
}

function workload(name: string, events: readonly TelemetryEvent[], limits: { maxItems: number; maxBytes: number }, expectedSpans: number, expectedLogs: number): Workload {
  const bodies = batch(events, limits);
  return { name, bodies, events: events.length, bytes: bodies.reduce((sum, body) => sum + body.length, 0), expectedSpans, expectedLogs };
}

/** A Node.js runtime log line: `<time>\t<requestId>\tINFO\t<message>`, about 150 bytes of event. */
function logEvent(epochMs: number, requestId: string, n: number): TelemetryEvent {
  const message = `order ${n} accepted {"sku":"SKU-${n % 977}","quantity":${(n % 7) + 1},"amountCents":${(n * 37) % 100_000}}`;
  return { ...functionLogEvent(`${iso(epochMs)}\t${requestId}\tINFO\t${message}`), time: iso(epochMs) };
}

/** start, runtimeDone (responseLatency + responseDuration) and report of invocation `index`. */
function invocationEvents(baseMs: number, index: number, logLines: number): TelemetryEvent[] {
  const startMs = baseMs + index * INVOCATION_STEP_MS;
  const requestId = requestIdOf(index);
  const events: TelemetryEvent[] = [startEvent(startMs, requestId, '$LATEST', null)];
  for (let line = 0; line < logLines; line++) events.push(logEvent(startMs + 1 + line, requestId, index));
  const done = runtimeDoneEvent({ requestId, status: 'success', errorType: null, startEpochMs: startMs, runtimeDurationMs: RUNTIME_MS, producedBytes: 512, tracing: null });
  events.push({ ...done, time: iso(startMs + RUNTIME_MS) });
  const metrics = { durationMs: REPORT_MS, billedDurationMs: 14, memorySizeMB: 128, maxMemoryUsedMB: 64 };
  events.push({ ...reportEvent(requestId, 'success', null, metrics, null), time: iso(startMs + REPORT_MS) });
  return events;
}

/** Spans per invocation: the invocation, responseLatency, responseDuration, postRuntimeExtensions. */
export const SPANS_PER_INVOCATION = 4;

/** (3a) `count` function log lines of one busy invocation each 1000 lines, in max-size batches. */
export function functionLogWorkload(count: number): Workload {
  const baseMs = Date.now() - 60_000;
  const events: TelemetryEvent[] = [];
  for (let n = 0; n < count; n++) events.push(logEvent(baseMs + n, requestIdOf(1_000_000 + Math.floor(n / 1000)), n));
  return workload(`${count} function log events`, events, MAX_BATCH, 0, count);
}

/**
 * (3b) the platform events of `invocations` invocations, in the batches the layer subscribes
 * with by default (1000 events, 256 KiB), or in max-size ones.
 */
export function platformWorkload(invocations: number, maxSize = false): Workload {
  const baseMs = Date.now() - invocations * INVOCATION_STEP_MS;
  const events: TelemetryEvent[] = [];
  for (let i = 0; i < invocations; i++) events.push(...invocationEvents(baseMs, i, 0));
  return workload(`${invocations} invocations' platform events`, events, maxSize ? MAX_BATCH : DEFAULT_BATCH, invocations * SPANS_PER_INVOCATION, 0);
}

/**
 * Invocations [from, to) with one log line each, in default-size batches (Lambda's usual
 * delivery), built lazily so that 100 000 invocations never sit in memory at once.
 */
export function invocationBodies(baseMs: number, from: number, to: number): Buffer[] {
  const events: TelemetryEvent[] = [];
  for (let i = from; i < to; i++) events.push(...invocationEvents(baseMs, i, 1));
  return batch(events, DEFAULT_BATCH);
}

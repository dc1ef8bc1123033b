/**
 * A local OTLP/HTTP protobuf endpoint for the benchmarks: answers every export 200 with an
 * empty (valid) protobuf response and counts bytes on the wire, spans, log records and metric
 * points by walking the protobuf wire format: no schema decoding, so it costs the process
 * being measured next to nothing. Listens on 127.0.0.1 only. While asked to
 * ({@link OtlpSink.recordSpans}), it also notes every span's id and parent, so that a benchmark
 * can tell which spans arrived, how often, and under which parent.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';

export type Signal = 'traces' | 'metrics' | 'logs';

export interface SignalCounts {
  requests: number;
  /** Bytes of the request bodies as sent (compressed if they were). */
  bytes: number;
  /** Spans, log records or metric data points. */
  items: number;
}

/** A span id seen by the sink (hex), while recording. */
export interface SeenSpan {
  /** How many times it arrived. */
  count: number;
  /** Hex; '' for a root span. */
  parentSpanId: string;
}

export interface OtlpSink {
  /** `http://127.0.0.1:<port>`, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  readonly counts: Readonly<Record<Signal, Readonly<SignalCounts>>>;
  /** performance.now() when the latest request body was fully read. */
  lastAtMs(): number;
  /** Turns the recording of span ids on or off (off at start; {@link reset} clears what was recorded). */
  recordSpans(on: boolean): void;
  /** The spans recorded since the last reset, by span id (hex). */
  spans(): ReadonlyMap<string, Readonly<SeenSpan>>;
  reset(): void;
  close(): Promise<void>;
}

const PATHS: Readonly<Record<string, Signal>> = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };
/** Metric fields that hold data points: gauge, sum, histogram, exponential histogram, summary. */
const POINT_HOLDERS = new Set([5, 7, 9, 10, 11]);

/** Calls `visit` with each length-delimited field of the message in buf[start, end). */
function eachField(buf: Buffer, start: number, end: number, visit: (field: number, from: number, to: number) => void): void {
  let at = start;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = buf[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
    }
  };
  while (at < end) {
    const tag = varint();
    const wireType = tag & 7;
    if (wireType === 0) varint();
    else if (wireType === 1) at += 8;
    else if (wireType === 5) at += 4;
    else if (wireType === 2) {
      const length = varint();
      visit(Math.floor(tag / 8), at, at + length);
      at += length;
    } else throw new Error(`unsupported protobuf wire type ${wireType}`);
  }
}

/** Span fields: span_id (2) and parent_span_id (4), both bytes. */
const SPAN_ID = 2;
const PARENT_SPAN_ID = 4;

/** Notes the id and parent of the span in buf[start, end). */
function recordSpan(buf: Buffer, start: number, end: number, seen: Map<string, SeenSpan>): void {
  let id = '';
  let parentSpanId = '';
  eachField(buf, start, end, (field, from, to) => {
    if (field === SPAN_ID) id = buf.toString('hex', from, to);
    else if (field === PARENT_SPAN_ID) parentSpanId = buf.toString('hex', from, to);
  });
  const known = seen.get(id);
  if (known === undefined) seen.set(id, { count: 1, parentSpanId });
  else known.count++;
}

/**
 * Items of an Export*ServiceRequest: resource (1) > scope (2) > span / log record / metric (2).
 * With `seen`, each span's id and parent are noted there.
 */
function countItems(signal: Signal, body: Buffer, seen: Map<string, SeenSpan> | null): number {
  let items = 0;
  eachField(body, 0, body.length, (f1, a1, b1) => {
    if (f1 !== 1) return;
    eachField(body, a1, b1, (f2, a2, b2) => {
      if (f2 !== 2) return;
      eachField(body, a2, b2, (f3, a3, b3) => {
        if (f3 !== 2) return;
        if (signal !== 'metrics') {
          items++;
          if (seen !== null && signal === 'traces') recordSpan(body, a3, b3, seen);
          return;
        }
        eachField(body, a3, b3, (f4, a4, b4) => {
          if (POINT_HOLDERS.has(f4)) eachField(body, a4, b4, (f5) => void (f5 === 1 && items++));
        });
      });
    });
  });
  return items;
}

const fresh = (): Record<Signal, SignalCounts> => ({
  traces: { requests: 0, bytes: 0, items: 0 },
  metrics: { requests: 0, bytes: 0, items: 0 },
  logs: { requests: 0, bytes: 0, items: 0 },
});

export async function startOtlpSink(): Promise<OtlpSink> {
  let counts = fresh();
  let lastAtMs = 0;
  let recording = false;
  let seen = new Map<string, SeenSpan>();
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const signal = PATHS[req.url ?? ''];
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      lastAtMs = performance.now();
      if (signal === undefined || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      const wire = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(wire) : wire;
      const entry = counts[signal];
      entry.requests++;
      entry.bytes += wire.length;
      entry.items += countItems(signal, body, recording ? seen : null);
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': 0 }).end();
    });
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get counts() {
      return counts;
    },
    lastAtMs: () => lastAtMs,
    recordSpans: (on) => {
      recording = on;
    },
    spans: () => seen,
    reset: () => {
      counts = fresh();
      seen = new Map();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

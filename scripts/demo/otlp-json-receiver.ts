/**
 * The demo's embedded OTLP/HTTP receiver. It accepts OTLP/JSON only (the demo points the
 * extension at it with OTEL_EXPORTER_OTLP_PROTOCOL=http/json), so it needs no .proto files and
 * runs on a fresh clone.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface DemoSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly statusCode: number;
  readonly statusMessage: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** The instrumentation scope's name: the extension's, or the function's own SDK's. */
  readonly scope: string;
}

export interface DemoPoint {
  readonly name: string;
  readonly unit: string;
  /** Gauge/sum value, or histogram count. */
  readonly value: number;
  readonly timeNs: bigint;
}

export interface DemoLog {
  readonly body: unknown;
  readonly severityText: string;
  readonly traceId: string;
}

export interface DemoReceiver {
  readonly url: string;
  readonly spans: DemoSpan[];
  readonly points: DemoPoint[];
  readonly logs: DemoLog[];
  /** Requests that could not be read, with the reason. */
  readonly errors: string[];
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
type Json = Record<string, unknown>;

export async function startDemoReceiver(): Promise<DemoReceiver> {
  const receiver = { url: '', spans: [] as DemoSpan[], points: [] as DemoPoint[], logs: [] as DemoLog[], errors: [] as string[] };
  const server = createServer((req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) throw new Error('body too large');
        chunks.push(chunk);
      }
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const json = JSON.parse(body.toString('utf8')) as Json;
      if (req.url === '/v1/traces') collectSpans(json, receiver.spans);
      else if (req.url === '/v1/metrics') collectPoints(json, receiver.points);
      else if (req.url === '/v1/logs') collectLogs(json, receiver.logs);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    } catch (error) {
      receiver.errors.push(`${req.url}: ${(error as Error).message}`);
      res.writeHead(400).end();
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  receiver.url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  return {
    ...receiver,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const nanos = (value: unknown): bigint => (typeof value === 'string' || typeof value === 'number' ? BigInt(value) : 0n);

function anyValue(value: unknown): unknown {
  const v = (value ?? {}) as Json;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return list((v.arrayValue as Json).values).map(anyValue);
  if ('kvlistValue' in v) return attributes((v.kvlistValue as Json).values);
  return undefined;
}

function attributes(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list(value)) out[String(kv.key)] = anyValue(kv.value);
  return out;
}

function collectSpans(request: Json, into: DemoSpan[]): void {
  for (const rs of list(request.resourceSpans)) {
    for (const ss of list(rs.scopeSpans)) {
      for (const s of list(ss.spans)) {
        const status = (s.status ?? {}) as Json;
        into.push({
          traceId: String(s.traceId ?? ''),
          spanId: String(s.spanId ?? ''),
          parentSpanId: String(s.parentSpanId ?? ''),
          name: String(s.name ?? ''),
          kind: Number(s.kind ?? 0),
          startNs: nanos(s.startTimeUnixNano),
          endNs: nanos(s.endTimeUnixNano),
          statusCode: Number(status.code ?? 0),
          statusMessage: String(status.message ?? ''),
          attributes: attributes(s.attributes),
          scope: String(((ss.scope ?? {}) as Json).name ?? ''),
        });
      }
    }
  }
}

function collectPoints(request: Json, into: DemoPoint[]): void {
  for (const rm of list(request.resourceMetrics)) {
    for (const sm of list(rm.scopeMetrics)) {
      for (const m of list(sm.metrics)) {
        const data = (m.gauge ?? m.sum ?? m.histogram ?? {}) as Json;
        for (const p of list(data.dataPoints)) {
          const value = p.asDouble ?? p.asInt ?? p.count ?? 0;
          into.push({ name: String(m.name), unit: String(m.unit ?? ''), value: Number(value), timeNs: nanos(p.timeUnixNano) });
        }
      }
    }
  }
}

function collectLogs(request: Json, into: DemoLog[]): void {
  for (const rl of list(request.resourceLogs)) {
    for (const sl of list(rl.scopeLogs)) {
      for (const r of list(sl.logRecords)) into.push({ body: anyValue(r.body), severityText: String(r.severityText ?? ''), traceId: String(r.traceId ?? '') });
    }
  }
}

/**
 * The receiver's HTTP plumbing: body reading with a cap, body decoding, and answers.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { flattenMetrics } from './otlp-flatten-metrics.ts';
import { flattenLogs, flattenSpans } from './otlp-flatten.ts';
import type { OtlpProtos } from './otlp-protos.ts';
import type { Encoding, ReceivedLog, ReceivedMetric, ReceivedSpan, Signal } from './otlp-types.ts';
import type { PlannedAnswer } from './response-plans.ts';

export const ROUTES: Readonly<Record<string, Signal>> = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };
const MEDIA_TYPES: Readonly<Record<string, Encoding>> = { 'application/x-protobuf': 'protobuf', 'application/json': 'json' };
const CONTENT_TYPES: Readonly<Record<Encoding, string>> = { protobuf: 'application/x-protobuf', json: 'application/json' };

export interface Items {
  spans: ReceivedSpan[];
  metrics: ReceivedMetric[];
  logs: ReceivedLog[];
}

/** The encoding a Content-Type header names, or undefined for any other media type. */
export function encodingOf(header: string | undefined): Encoding | undefined {
  if (header === undefined) return undefined;
  const semicolon = header.indexOf(';');
  return MEDIA_TYPES[(semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase()];
}

export function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The body, or null once it exceeds `maxBytes` (the rest is drained and dropped). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

/** Gunzips (capped at `maxBytes`), decodes and flattens a body; throws on anything malformed. */
export function decodeBody(protos: OtlpProtos, signal: Signal, encoding: Encoding, gzip: boolean, body: Buffer, maxBytes: number): Items {
  const raw = gzip ? gunzipSync(body, { maxOutputLength: maxBytes }) : body;
  const request = encoding === 'protobuf' ? protos.decode(signal, raw) : (JSON.parse(raw.toString('utf8')) as unknown);
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new TypeError('body is not an OTLP request object');
  }
  return {
    spans: signal === 'traces' ? flattenSpans(request) : [],
    metrics: signal === 'metrics' ? flattenMetrics(request) : [],
    logs: signal === 'logs' ? flattenLogs(request) : [],
  };
}

/** An empty `Export<Signal>ServiceResponse` (no bytes in protobuf, `{}` in JSON) with the planned status. */
export function answer(res: ServerResponse, encoding: Encoding, planned: PlannedAnswer): void {
  const body = encoding === 'json' ? '{}' : '';
  res.setHeader('Content-Type', CONTENT_TYPES[encoding]);
  res.setHeader('Content-Length', String(body.length));
  if (planned.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(planned.retryAfterSeconds));
  res.writeHead(planned.status).end(body);
}

/** A plain-text refusal of a request that is not OTLP; any unread body is drained and dropped. */
export function refuse(req: IncomingMessage, res: ServerResponse, status: number, reason: string): void {
  req.resume();
  res.setHeader('Connection', 'close');
  res.writeHead(status, { 'Content-Type': 'text/plain' }).end(reason);
}

/**
 * The one HTTP call the Lambda API clients need, on `node:http`: measured cheaper to load
 * than `fetch` or undici (see README), and everything loaded before the first `event/next`
 * is added to every cold start (so node:http comes through `require`, see node-builtins.ts).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { http } from '../util/node-builtins.ts';

/** A complete HTTP response with its body read as text. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** `host:port`, as in `AWS_LAMBDA_RUNTIME_API`. */
  readonly authority: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Abort after this many ms without an answer; `0` waits forever (the `event/next` long poll). */
  readonly timeoutMs: number;
}

/** Responses from the Runtime API are small JSON documents; anything bigger is a fault. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

// One kept-alive connection serves register, subscribe and every next call.
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** Sends one request; rejects on network errors, timeouts and oversized bodies, never on a status. */
export function send(req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const colon = req.authority.lastIndexOf(':');
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(req.body));
    }
    const outgoing = http.request(
      {
        agent,
        method: req.method,
        host: colon > 0 ? req.authority.slice(0, colon) : req.authority,
        port: colon > 0 ? Number(req.authority.slice(colon + 1)) : 80,
        path: req.path,
        headers,
        timeout: req.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            res.destroy(new Error(`response body over ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${req.timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** Reads `errorType` / `errorMessage` from an error body, tolerating non-JSON answers. */
export function describeError(res: HttpResponse): { errorType: string; errorMessage: string } {
  try {
    const parsed: unknown = JSON.parse(res.body);
    if (typeof parsed === 'object' && parsed !== null) {
      const { errorType, errorMessage } = parsed as Record<string, unknown>;
      return {
        errorType: typeof errorType === 'string' ? errorType : `HTTP ${res.statusCode}`,
        errorMessage: typeof errorMessage === 'string' ? errorMessage : res.body.slice(0, 200),
      };
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return { errorType: `HTTP ${res.statusCode}`, errorMessage: res.body.slice(0, 200) };
}

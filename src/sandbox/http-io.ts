/**
 * Small HTTP helpers of the sandbox API server: capped body reading and JSON replies in the
 * AWS ErrorResponse format.
 */
import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An answer of the emulated API; `body` is sent as JSON, or verbatim when `raw` (a string). */
export interface ApiReply {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** Send the string `body` as is, for bodies AWS sends that JSON.stringify would not produce. */
  readonly raw?: boolean;
}

/** Result of reading a request body. */
export type BodyResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly tooLarge: true };

/** Builds an AWS ErrorResponse reply. */
export function errorReply(statusCode: number, errorType: string, errorMessage: string): ApiReply {
  return { statusCode, body: { errorMessage, errorType } };
}

/** Reads a request body up to `maxBytes`; refuses on Content-Length before reading. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    req.resume();
    return Promise.resolve({ ok: false, tooLarge: true });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let finished = false;
    const finish = (result: BodyResult): void => {
      if (finished) return;
      finished = true;
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > maxBytes) {
        req.resume();
        finish({ ok: false, tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ ok: true, text: Buffer.concat(chunks, received).toString('utf8') });
    // An aborted request gets no useful answer; treat what arrived as the body.
    const onError = (): void => finish({ ok: true, text: '' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** Parses JSON without throwing. */
export function parseJson(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** True for a non-null, non-array object. */
export function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Writes `reply` as JSON unless the response was already ended or the socket is gone. */
export function sendReply(res: ServerResponse, reply: ApiReply): void {
  if (res.writableEnded || res.destroyed) return;
  const payload = reply.raw === true && typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  res.statusCode = reply.statusCode;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  if (reply.headers !== undefined) {
    for (const name of Object.keys(reply.headers)) res.setHeader(name, reply.headers[name] ?? '');
  }
  res.end(payload);
}

/** Reads a single-valued header; repeated headers yield the first value. */
export function headerValue(req: { readonly headers: IncomingMessage['headers'] }, name: string): string | undefined {
  const value = req.headers[name];
  if (Array.isArray(value)) return value[0];
  return value === '' ? undefined : value;
}

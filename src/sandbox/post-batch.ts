/**
 * One telemetry batch POST to a subscriber, as Lambda's agent sends it. `sandbox.localdomain`
 * resolves to 127.0.0.1; the Host header keeps the subscribed name.
 */
import { Buffer } from 'node:buffer';
import { request } from 'node:http';
import type { Agent } from 'node:http';
import { SANDBOX_HOST } from './subscription.ts';

/** How a POST ended; never an exception. */
export type PostOutcome =
  | { readonly kind: 'delivered'; readonly statusCode: number }
  | { readonly kind: 'rejected'; readonly statusCode: number }
  | { readonly kind: 'failed'; readonly reason: string };

/** A POST in flight. */
export interface PostHandle {
  /** Never rejects. */
  readonly done: Promise<PostOutcome>;
  /** Ends the request as failed with `reason` (no-op once done). */
  abort(reason: string): void;
}

/** POSTs `body` (a JSON array) to `uri`. */
export function postBatch(uri: URL, body: string, agent: Agent): PostHandle {
  let settle: (outcome: PostOutcome) => void = () => undefined;
  let settled = false;
  const done = new Promise<PostOutcome>((resolve) => {
    settle = (outcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
  });
  const req = request({
    agent,
    method: 'POST',
    host: uri.hostname === SANDBOX_HOST ? '127.0.0.1' : uri.hostname,
    port: uri.port === '' ? 80 : Number(uri.port),
    path: `${uri.pathname}${uri.search}`,
    headers: {
      Host: uri.host,
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
    },
  });
  req.on('response', (res) => {
    const statusCode = res.statusCode ?? 0;
    // Drain without keeping the body: the listener's answer carries nothing Lambda reads.
    res.resume();
    res.once('end', () =>
      settle(statusCode >= 200 && statusCode < 300 ? { kind: 'delivered', statusCode } : { kind: 'rejected', statusCode }),
    );
    res.once('error', (error: Error) => settle({ kind: 'failed', reason: error.message }));
  });
  req.on('error', (error: NodeJS.ErrnoException) => settle({ kind: 'failed', reason: error.code ?? error.message }));
  req.end(body);
  return {
    done,
    abort: (reason) => {
      settle({ kind: 'failed', reason });
      req.destroy();
    },
  };
}

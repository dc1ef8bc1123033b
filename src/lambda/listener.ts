/**
 * The HTTP receiver Lambda POSTs Telemetry API batches to. It reads each body defensively
 * (declared length checked first, cap enforced while streaming, one concat, one parse) and
 * hands the decoded batch over synchronously.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { dns, fs, http } from '../util/node-builtins.ts';
import { ERROR_TYPES, ExtensionError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import { decode } from '../telemetry/decode.ts';
import { listen } from '../util/listen.ts';
import { withTimeout } from '../util/with-timeout.ts';
import type { DecodeResult } from '../telemetry/decode.ts';

/** Host name Lambda requires in the subscription's destination URI. */
/** Counters of the listener: events handed to the processor and items or bodies refused. */
export interface IntakeStats {
  readonly batches: number;
  readonly events: number;
  /** Items the decoder rejected plus whole bodies refused (not JSON, not an array). */
  readonly rejected: number;
}

export const SANDBOX_HOST = 'sandbox.localdomain';
/** Path of the listener; anything else gets 404. */
export const LISTENER_PATH = '/telemetry';
/** Longest a batch's answer is held for back-pressure: well inside any delivery timeout. */
export const MAX_HOLD_MS = 1000;
/** Largest accepted body: Lambda's biggest batch (maxBytes 1 MiB) plus room for the JSON framing. */
export const MAX_BODY_BYTES = 1536 * 1024;

export interface ListenerOptions {
  readonly port: number;
  /**
   * When `port` is in use, listen on a free port the system picks instead of failing, and log
   * that once (warn) to `logger`. Only our own subscription names the port, so any port works.
   */
  readonly fallBackToFreePort?: boolean;
  readonly logger?: Pick<Logger, 'warn'>;
  /** Address to bind; default: {@link resolveSandboxHost}. */
  readonly host?: string | Promise<string>;
  readonly maxBodyBytes?: number;
  /**
   * Receives every accepted batch (also those with rejected items); must not throw. A returned
   * promise holds the answer to Lambda until it settles, at most {@link MAX_HOLD_MS}: Lambda
   * sends the next batch only after the answer, so this is how a backlog slows the stream.
   */
  readonly onBatch: (result: DecodeResult, bodyBytes: number) => void | Promise<void>;
}

export interface TelemetryListener {
  /** The address actually bound. */
  readonly host: string;
  readonly port: number;
  /** The `destination.URI` to subscribe with. */
  readonly destinationUri: string;
  close(): Promise<void>;
}

/**
 * Starts listening.
 * @throws {ExtensionError} `Extension.ListenerFailed` when the port cannot be bound (when it is
 * in use, only without `fallBackToFreePort`)
 */
export async function startListener(options: ListenerOptions): Promise<TelemetryListener> {
  const host = await (options.host ?? resolveSandboxHost());
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const server = http.createServer({ requestTimeout: 60_000 }, (req, res) => handle(req, res, maxBodyBytes, options.onBatch));
  await listenOrFallBack(server, host, options);
  const port = boundPort(server);
  return {
    host,
    port,
    destinationUri: `http://${SANDBOX_HOST}:${port}${LISTENER_PATH}`,
    // Called on the way out: a kept-alive connection from Lambda must not hold the exit.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The address to bind: `sandbox.localdomain` from /etc/hosts when it is there (a file read is
 * cheaper than a resolver call on the cold-start path: the first `lookup` of a name spends 3 to
 * 11 ms of CPU in node:net's isIPv6 pattern), else from the resolver, else 127.0.0.1 (local runs,
 * where the name does not resolve). Through the callback `lookup` of node:dns, which node:net
 * has loaded already: node:dns/promises and an import() would load two modules more.
 */
export function resolveSandboxHost(hostsFile = '/etc/hosts'): Promise<string> {
  const fromHosts = hostsAddress(hostsFile);
  if (fromHosts !== null) return Promise.resolve(fromHosts);
  return new Promise((resolve) => {
    dns.lookup(SANDBOX_HOST, { family: 4 }, (error, address) => resolve(error === null ? address : '127.0.0.1'));
  });
}

function hostsAddress(hostsFile: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(hostsFile, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const fields = line.split('#', 1)[0]!.trim().split(/\s+/);
    if (fields.length > 1 && fields.slice(1).includes(SANDBOX_HOST) && fields[0]!.includes('.')) return fields[0]!;
  }
  return null;
}

async function listenOrFallBack(server: Server, host: string, options: ListenerOptions): Promise<void> {
  try {
    await listenOrFail(server, options.port, host);
  } catch (error) {
    const inUse = error instanceof ExtensionError && (error.cause as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
    if (!inUse || options.fallBackToFreePort !== true) throw error;
    await listenOrFail(server, 0, host);
    options.logger?.warn(`port ${options.port} is in use; listening on ${boundPort(server)} instead`, { taken: options.port, port: boundPort(server) });
  }
}

function boundPort(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** Listens, or fails as the extension does when it cannot: `Extension.ListenerFailed`. */
async function listenOrFail(server: Server, port: number, host: string): Promise<void> {
  try {
    await listen(server, port, host);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new ExtensionError(ERROR_TYPES.LISTENER_FAILED, `cannot listen on ${host}:${port}: ${code ?? message}`, { cause: error });
  }
}

function handle(req: IncomingMessage, res: ServerResponse, maxBodyBytes: number, onBatch: ListenerOptions['onBatch']): void {
  const path = req.url === undefined ? '' : req.url.split('?', 1)[0];
  if (path !== LISTENER_PATH) return reply(res, 404, 'not found');
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return reply(res, 405, 'method not allowed');
  }
  const declared = req.headers['content-length'] === undefined ? -1 : Number(req.headers['content-length']);
  if (declared > maxBodyBytes) return refuseTooLarge(req, res, maxBodyBytes);

  const chunks: Buffer[] = [];
  let received = 0;
  let refused = false;
  req.on('data', (chunk: Buffer) => {
    if (refused) return;
    received += chunk.length;
    if (received > maxBodyBytes) {
      refused = true;
      chunks.length = 0;
      refuseTooLarge(req, res, maxBodyBytes);
      return;
    }
    chunks.push(chunk);
  });
  req.on('error', () => {
    refused = true;
  });
  req.on('end', () => {
    if (refused) return;
    if (declared >= 0 && declared !== received) return reply(res, 400, `body length ${received} differs from Content-Length ${declared}`);
    const result = decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
    if (result.batchError !== null) {
      onBatch(result, received);
      return reply(res, 400, result.batchError === 'invalid-json' ? 'body is not valid JSON' : 'body must be a JSON array of events');
    }
    const held = onBatch(result, received);
    if (held === undefined) return reply(res, 200, 'OK');
    void withTimeout(held.catch(() => undefined), MAX_HOLD_MS).then(() => reply(res, 200, 'OK'));
  });
}

function refuseTooLarge(req: IncomingMessage, res: ServerResponse, maxBodyBytes: number): void {
  res.setHeader('Connection', 'close');
  reply(res, 413, `body larger than ${maxBodyBytes} bytes`);
  // Discard the rest without buffering it; the connection closes after the answer.
  req.resume();
}

function reply(res: ServerResponse, statusCode: number, message: string): void {
  if (res.headersSent) return;
  const body = statusCode === 200 ? '' : JSON.stringify({ error: message });
  res.writeHead(statusCode, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

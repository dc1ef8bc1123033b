/**
 * The local OTLP/HTTP receiver the function's own OpenTelemetry SDK exports to
 * (`http://localhost:4318` by default, loopback only): `POST /v1/traces`, `/v1/metrics` and
 * `/v1/logs`, protobuf or JSON, plain or gzip. Each body is read with the cap enforced while
 * streaming and while inflating, decoded, and handed over synchronously; the answer follows
 * at once, never after a backend round trip. Answers and status codes are the OTLP/HTTP
 * specification's: 200 with an export response (partial success when some items were
 * refused), 400 for a body that does not decode, 404, 405, 413 and 415, each error with a
 * `google.rpc.Status` body in the request's encoding.
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { listen } from '../util/listen.ts';
import { http } from '../util/node-builtins.ts';
import type { Logger } from '../util/logger.ts';
import type { OtlpFormat, OtlpRequest, OtlpResult, OtlpSignal } from './codec.ts';
import { loadCodec } from './lazy-codec.ts';
import type { OtlpCodec } from './lazy-codec.ts';

// node:zlib through require, on first use: the receiver starts before the first `event/next`,
// and an ESM import of a built-in builds its whole export facade (see util/node-builtins.ts).
const require = createRequire(import.meta.url);
let zlib: typeof import('node:zlib') | null = null;
const inflate = (body: Buffer, options: import('node:zlib').ZlibOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    zlib ??= require('node:zlib') as typeof import('node:zlib');
    zlib.gunzip(body, options, (error, result) => (error === null ? resolve(result) : reject(error)));
  });

export interface ReceiverStats {
  /** Requests decoded and handed over. */
  readonly accepted: number;
  /** Requests refused with a 4xx status (malformed, too large, wrong type, wrong path or method). */
  readonly refused: number;
}

export interface OtlpReceiverOptions {
  readonly host: string;
  readonly port: number;
  /** Largest body, compressed or inflated (bytes); beyond, 413. */
  readonly maxBodyBytes: number;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /**
   * Takes a decoded request; `protobuf` is the body as received when it was protobuf, so that
   * an unchanged request can be sent on as it came. Must not throw or wait.
   */
  readonly onRequest: (signal: OtlpSignal, request: OtlpRequest, protobuf: Uint8Array | null, codec: OtlpCodec) => OtlpResult;
}

export interface OtlpReceiver {
  readonly host: string;
  readonly port: number;
  stats(): ReceiverStats;
  /** Stops taking connections; requests already under way get `graceMs` to finish, then their connections close. */
  close(graceMs: number): Promise<void>;
}

const PATHS: Readonly<Record<string, OtlpSignal>> = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };
const CONTENT_TYPES: Readonly<Record<OtlpFormat, string>> = { protobuf: 'application/x-protobuf', json: 'application/json' };
const MEDIA_TYPES: Readonly<Record<string, OtlpFormat>> = { 'application/x-protobuf': 'protobuf', 'application/protobuf': 'protobuf', 'application/json': 'json' };
/** gRPC status codes carried in `google.rpc.Status.code`. */
const GRPC = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, UNIMPLEMENTED: 12, RESOURCE_EXHAUSTED: 8 } as const;
/** A refused body is read to its end, to answer a sender still writing it, up to this many times the cap. */
const DRAIN_FACTOR = 4;

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly grpcCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Starts the receiver; null (logged once) when the address is taken, e.g. by the collector layer. */
export async function startOtlpReceiver(options: OtlpReceiverOptions): Promise<OtlpReceiver | null> {
  let accepted = 0;
  let refused = 0;
  const server: Server = http.createServer({ requestTimeout: 30_000 }, (req, res) => {
    handle(req, res, options).then(
      (ok) => (ok ? accepted++ : refused++),
      () => refused++,
    );
  });
  // Keep-alive sockets of the function's SDK must not hold the extension's exit.
  server.on('connection', (socket) => socket.unref());
  try {
    await listen(server, options.port, options.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    options.logger.warn(
      code === 'EADDRINUSE'
        ? 'local OTLP receiver not started: the address is in use (another extension, such as the OpenTelemetry collector layer, listens there); the function\'s OTLP exports go to it'
        : 'local OTLP receiver not started',
      { address: `${options.host}:${options.port}`, cause: code ?? String(error) },
    );
    return null;
  }
  server.unref();
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  options.logger.info('local OTLP receiver listening', { address: `${options.host}:${port}` });
  return {
    host: options.host,
    port,
    stats: () => ({ accepted, refused }),
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests already being read are answered and handed over, within the grace.
        setTimeout(() => server.closeAllConnections(), graceMs).unref();
      }),
  };
}

/** Answers one request; true when it was decoded and handed over. */
async function handle(req: IncomingMessage, res: ServerResponse, options: OtlpReceiverOptions): Promise<boolean> {
  const format = MEDIA_TYPES[(req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase()];
  try {
    const signal = PATHS[req.url === undefined ? '' : req.url.split('?', 1)[0]!];
    if (signal === undefined) throw new Refusal(404, GRPC.NOT_FOUND, `no OTLP endpoint at ${req.url}: use /v1/traces, /v1/metrics or /v1/logs`);
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      throw new Refusal(405, GRPC.UNIMPLEMENTED, 'only POST is supported');
    }
    if (format === undefined) throw new Refusal(415, GRPC.INVALID_ARGUMENT, 'Content-Type must be application/x-protobuf or application/json');
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity' && encoding !== 'gzip') throw new Refusal(415, GRPC.INVALID_ARGUMENT, `Content-Encoding ${encoding} is not supported: use gzip or none`);
    const [raw, codec] = await Promise.all([readBody(req, options.maxBodyBytes), loadCodec()]);
    const body = encoding === 'gzip' ? await inflateCapped(raw, options.maxBodyBytes) : raw;
    const request = decodeBody(codec, signal, format, body);
    const answer = options.onRequest(signal, request, format === 'protobuf' ? body : null, codec);
    send(res, 200, format, codec.encodeResponse(signal, answer, format));
    return true;
  } catch (error) {
    const refusal = error instanceof Refusal ? error : new Refusal(400, GRPC.INVALID_ARGUMENT, String(error));
    options.logger.debug('local OTLP request refused', { status: refusal.status, cause: refusal.message });
    // The sender may still be writing the body (a 413 on Content-Length, or part way): answering
    // and closing now would reset the connection under its writes, and it would see ECONNRESET
    // (retryable) instead of the status. What is left is read and discarded first, up to a bound.
    const drained = await drain(req, options.maxBodyBytes * DRAIN_FACTOR);
    if (!drained) res.setHeader('Connection', 'close');
    const codec = await loadCodec().catch(() => null);
    if (codec === null) sendText(res, refusal.status, refusal.message);
    else send(res, refusal.status, format ?? 'protobuf', codec.encodeStatus(refusal.grpcCode, refusal.message, format ?? 'protobuf'));
    return false;
  }
}

function decodeBody(codec: OtlpCodec, signal: OtlpSignal, format: OtlpFormat, body: Buffer): OtlpRequest {
  try {
    return format === 'protobuf' ? codec.decode(signal, body) : codec.fromJson(signal, body.toString('utf8'));
  } catch (error) {
    throw new Refusal(400, GRPC.INVALID_ARGUMENT, `the body is not a valid OTLP ${format} export request: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The body length the request declares (`Content-Length`), or -1. */
const declaredLength = (req: IncomingMessage): number => (req.headers['content-length'] === undefined ? -1 : Number(req.headers['content-length']));

/** The body, refused with 413 past `maxBytes` (declared or streamed) before more is buffered. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = (): Refusal => new Refusal(413, GRPC.RESOURCE_EXHAUSTED, `body larger than ${maxBytes} bytes`);
  const declared = declaredLength(req);
  if (declared > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > maxBytes) {
        detach();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      detach();
      if (declared >= 0 && declared !== received) reject(new Refusal(400, GRPC.INVALID_ARGUMENT, `body length ${received} differs from Content-Length ${declared}`));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    };
    const onError = (error: Error): void => {
      detach();
      reject(error);
    };
    const detach = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * Reads and discards what is left of a refused request's body, without buffering it; false when
 * more than `maxBytes` (declared or streamed) would be left, then the connection is to be closed.
 */
function drain(req: IncomingMessage, maxBytes: number): Promise<boolean> {
  if (req.readableEnded || req.destroyed) return Promise.resolve(req.readableEnded);
  if (declaredLength(req) > maxBytes) return Promise.resolve(false);
  return new Promise((resolve) => {
    let left = maxBytes;
    const onData = (chunk: Buffer): void => {
      left -= chunk.length;
      if (left < 0) done(false);
    };
    const onEnd = (): void => done(true);
    const onClose = (): void => done(req.readableEnded);
    const done = (ended: boolean): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onClose);
      req.off('close', onClose);
      resolve(ended);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onClose);
    req.on('close', onClose);
    req.resume();
  });
}

/** Inflates a gzip body; a body that would inflate past `maxBytes` (a gzip bomb) is refused with 413 without inflating further. */
async function inflateCapped(body: Buffer, maxBytes: number): Promise<Buffer> {
  try {
    return await inflate(body, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new Refusal(413, GRPC.RESOURCE_EXHAUSTED, `body inflates to more than ${maxBytes} bytes`);
    throw new Refusal(400, GRPC.INVALID_ARGUMENT, `the gzip body does not inflate: ${(error as Error).message}`);
  }
}

function send(res: ServerResponse, status: number, format: OtlpFormat, body: Uint8Array): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': CONTENT_TYPES[format], 'Content-Length': body.byteLength });
  res.end(body);
}

function sendText(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(message) });
  res.end(message);
}

/**
 * An OTLP/HTTP receiver for tests: decodes what a sender actually put on the wire (protobuf
 * with the official opentelemetry-proto files and protoc's recursion limit of 100, or OTLP/JSON;
 * gzip or not) into plain records, and answers as planned (refusals with Retry-After, held
 * answers) for fault tests.
 *
 * @example
 * const receiver = await startOtlpReceiver();
 * // ... run the extension with OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url
 * await receiver.waitFor(() => receiver.spans().length >= 2);
 * await receiver.close();
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { ROUTES, answer, decodeBody, encodingOf, flatHeaders, readBody, refuse } from './otlp-http.ts';
import type { Items } from './otlp-http.ts';
import { loadOtlpProtos, resolveOtlpProtoDir } from './otlp-protos.ts';
import type { OtlpProtos } from './otlp-protos.ts';
import type {
  OtlpReceiver,
  ReceivedLog,
  ReceivedMetric,
  ReceivedRequest,
  ReceivedSpan,
  ReceiverOptions,
  ResponsePlan,
  Signal,
  StrayRequest,
} from './otlp-types.ts';
import { createResponsePlans } from './response-plans.ts';
import type { PlannedAnswer } from './response-plans.ts';
import { createWaiters } from './waiters.ts';

export { DEFAULT_PROTO_DIR, OTLP_PROTO_DIR, PROTOBUF_RECURSION_LIMIT, loadOtlpProtos, resolveOtlpProtoDir } from './otlp-protos.ts';
export type { OtlpProtos } from './otlp-protos.ts';
export type {
  AttrKind,
  AttrValue,
  AttributeKinds,
  Attributes,
  Encoding,
  MetricPoint,
  MetricType,
  OtlpReceiver,
  ReceivedLog,
  ReceivedMetric,
  ReceivedRequest,
  ReceivedSpan,
  ReceiverOptions,
  ResponsePlan,
  Scope,
  Signal,
  SpanKindName,
  StatusCodeName,
  StrayRequest,
} from './otlp-types.ts';

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
export const DEFAULT_WAIT_FOR_MS = 5000;

const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];
const BAD_REQUEST: PlannedAnswer = { status: 400, retryAfterSeconds: undefined, delayMs: 0 };

class Receiver implements OtlpReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[] = [];
  readonly strays: StrayRequest[] = [];
  readonly #server: Server;
  readonly #protos: OtlpProtos;
  readonly #maxBodyBytes: number;
  readonly #plans = createResponsePlans();
  readonly #waiters = createWaiters(() => this.#summary());
  // Arrival number of each entry of `requests`, so held answers still list in arrival order.
  readonly #arrivals: number[] = [];
  readonly #held = new Set<NodeJS.Timeout>();
  #nextArrival = 0;
  #closed = false;

  constructor(server: Server, url: string, protos: OtlpProtos, maxBodyBytes: number) {
    this.url = url;
    this.#server = server;
    this.#protos = protos;
    this.#maxBodyBytes = maxBodyBytes;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      // #handle catches everything and answers 500.
      void this.#handle(req, res);
    });
  }

  spans(): ReceivedSpan[] {
    return this.requests.flatMap((r) => (r.accepted ? r.spans : []));
  }

  metrics(): ReceivedMetric[] {
    return this.requests.flatMap((r) => (r.accepted ? r.metrics : []));
  }

  logs(): ReceivedLog[] {
    return this.requests.flatMap((r) => (r.accepted ? r.logs : []));
  }

  refusedCount(signal?: Signal): number {
    return this.requests.filter((r) => !r.accepted && (signal === undefined || r.signal === signal)).length;
  }

  setResponse(signal: Signal | 'all', response: ResponsePlan | null): void {
    this.#plans.set(signal, response);
  }

  waitFor(predicate: () => boolean, timeoutMs: number = DEFAULT_WAIT_FOR_MS): Promise<void> {
    return this.#waiters.waitFor(predicate, timeoutMs);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#held) clearTimeout(timer);
    this.#held.clear();
    this.#waiters.close('the receiver closed');
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const atMs = Date.now();
    const arrival = this.#nextArrival++;
    try {
      const url = req.url ?? '/';
      const query = url.indexOf('?');
      const path = query < 0 ? url : url.slice(0, query);
      const signal = ROUTES[path];
      if (signal === undefined) return this.#stray(req, res, path, 404, 'no such path', atMs);
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        return this.#stray(req, res, path, 405, `method ${req.method} not allowed`, atMs);
      }
      const encoding = encodingOf(req.headers['content-type']);
      if (encoding === undefined) return this.#stray(req, res, path, 415, `content type '${req.headers['content-type']}'`, atMs);
      const coding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
      if (coding !== 'gzip' && coding !== 'identity') return this.#stray(req, res, path, 415, `content encoding '${coding}'`, atMs);
      if (Number(req.headers['content-length'] ?? 0) > this.#maxBodyBytes) {
        return this.#stray(req, res, path, 413, `declared length over ${this.#maxBodyBytes} bytes`, atMs);
      }
      const body = await readBody(req, this.#maxBodyBytes);
      if (body === null) return this.#stray(req, res, path, 413, `body over ${this.#maxBodyBytes} bytes`, atMs);

      const gzip = coding === 'gzip';
      let items: Items = { spans: [], metrics: [], logs: [] };
      let error: string | null = null;
      try {
        items = decodeBody(this.#protos, signal, encoding, gzip, body, this.#maxBodyBytes);
      } catch (cause) {
        error = cause instanceof Error ? cause.message : String(cause);
      }
      // A body that does not decode is answered 400 and does not use up a planned answer.
      const planned = error === null ? this.#plans.next(signal) : BAD_REQUEST;
      const headers = flatHeaders(req.headers);
      const record = (abandoned: boolean): void => {
        const { status } = planned;
        const accepted = !abandoned && status >= 200 && status < 300;
        this.#record(arrival, { signal, encoding, gzip, bytes: body.length, headers, status, accepted, abandoned, error, atMs, ...items });
      };
      const send = (): void => {
        answer(res, encoding, planned);
        record(false);
      };
      if (planned.delayMs === 0) send();
      else this.#hold(res, planned.delayMs, send, () => record(true));
    } catch (cause) {
      if (!res.headersSent) res.writeHead(500).end(cause instanceof Error ? cause.message : String(cause));
    }
  }

  /** Runs `send` after `delayMs`, or `abandon` when the sender closes the connection first. */
  #hold(res: ServerResponse, delayMs: number, send: () => void, abandon: () => void): void {
    const timer = setTimeout(() => {
      this.#held.delete(timer);
      send();
    }, delayMs);
    this.#held.add(timer);
    res.once('close', () => {
      // Not held any more: already answered, or the receiver is closing.
      if (!this.#held.delete(timer)) return;
      clearTimeout(timer);
      abandon();
    });
  }

  #stray(req: IncomingMessage, res: ServerResponse, path: string, status: number, reason: string, atMs: number): void {
    refuse(req, res, status, reason);
    this.strays.push({ method: req.method ?? '', path, status, reason, atMs });
    this.#waiters.notify();
  }

  #record(arrival: number, entry: ReceivedRequest): void {
    if (this.#closed) return;
    let index = this.requests.length;
    while (index > 0 && this.#arrivals[index - 1]! > arrival) index -= 1;
    this.requests.splice(index, 0, entry);
    this.#arrivals.splice(index, 0, arrival);
    this.#waiters.notify();
  }

  #summary(): string {
    const bySignal = SIGNALS.map((signal) => {
      const count = this.requests.filter((r) => r.signal === signal).length;
      const refused = this.refusedCount(signal);
      return `${signal} ${count}${refused > 0 ? ` (${refused} refused)` : ''}`;
    });
    const strays = this.strays.map((s) => `${s.status} ${s.method} ${s.path}`).join(', ') || 'none';
    return (
      `received ${this.requests.length} requests (${bySignal.join(', ')}); accepted ${this.spans().length} spans, ` +
      `${this.metrics().length} metric points, ${this.logs().length} logs; strays: ${strays}`
    );
  }
}

/**
 * Starts a receiver on 127.0.0.1 (default: a free port), over HTTPS with `tls`. Rejects when the OTLP protos are
 * missing (run `scripts/otlp-protos.sh` or set `OTLP_PROTO_DIR`) or the port is taken.
 */
export async function startOtlpReceiver(options: ReceiverOptions = {}): Promise<OtlpReceiver> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new RangeError(`startOtlpReceiver: maxBodyBytes must be a positive integer, got ${maxBodyBytes}`);
  }
  const protos = loadOtlpProtos(resolveOtlpProtoDir(options.protoDir));
  const server: Server = options.tls === undefined ? createServer() : createTlsServer(options.tls);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return new Receiver(server, `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`, protos, maxBodyBytes);
}

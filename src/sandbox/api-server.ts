/**
 * The emulated `AWS_LAMBDA_RUNTIME_API` server: routing, body caps and error bodies. What
 * each endpoint does is up to the {@link ApiHandlers} it is given.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorReply, readBody, sendReply } from './http-io.ts';
import type { ApiReply } from './http-io.ts';
import { PATHS } from '../lambda/types.ts';

/** Largest request body the server reads. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/** A request as the handlers see it. */
export interface ApiRequest {
  readonly headers: IncomingHttpHeaders;
  /** Body text, empty when none. */
  readonly body: string;
}

/** A long-poll answer the handler sends later. */
export interface PendingReply {
  respond(reply: ApiReply): void;
  /** False once the client went away or the reply was sent. */
  isOpen(): boolean;
}

/** The endpoints of the emulated API. */
export interface ApiHandlers {
  register(req: ApiRequest): ApiReply;
  /** Returns null when the reply is held for later. */
  next(req: ApiRequest, pending: PendingReply): ApiReply | null;
  initError(req: ApiRequest): ApiReply;
  exitError(req: ApiRequest): ApiReply;
  subscribe(req: ApiRequest): ApiReply;
}

/** The listening server. */
export interface ApiServer {
  /** `127.0.0.1:PORT`. */
  readonly address: string;
  /** Stops listening and drops every connection, held long polls included. */
  close(): Promise<void>;
}

type Route = { readonly method: string; readonly handle: (h: ApiHandlers, req: ApiRequest) => ApiReply };

const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  [PATHS.REGISTER, { method: 'POST', handle: (h, req) => h.register(req) }],
  [PATHS.INIT_ERROR, { method: 'POST', handle: (h, req) => h.initError(req) }],
  [PATHS.EXIT_ERROR, { method: 'POST', handle: (h, req) => h.exitError(req) }],
  [PATHS.TELEMETRY, { method: 'PUT', handle: (h, req) => h.subscribe(req) }],
]);

const NEXT_PATH = PATHS.NEXT;

function routePath(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  const path = query === -1 ? raw : raw.slice(0, query);
  // Lambda accepts the telemetry path with a trailing slash, as the docs spell it.
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function createPendingReply(res: ServerResponse): PendingReply {
  return {
    respond: (reply) => sendReply(res, reply),
    isOpen: () => !res.writableEnded && !res.destroyed && !res.socket?.destroyed,
  };
}

async function handleRequest(handlers: ApiHandlers, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = routePath(req.url);
  const route = ROUTES.get(path);
  const expectedMethod = path === NEXT_PATH ? 'GET' : route?.method;
  if (expectedMethod === undefined) {
    req.resume();
    sendReply(res, errorReply(404, 'NotFound', `no such endpoint: ${req.method ?? ''} ${path}`));
    return;
  }
  if (req.method !== expectedMethod) {
    req.resume();
    res.setHeader('Allow', expectedMethod);
    sendReply(res, errorReply(405, 'MethodNotAllowed', `${path} accepts ${expectedMethod} only`));
    return;
  }
  const body = await readBody(req, MAX_REQUEST_BODY_BYTES);
  if (!body.ok) {
    res.setHeader('Connection', 'close');
    sendReply(res, errorReply(413, 'RequestEntityTooLarge', `body exceeds ${MAX_REQUEST_BODY_BYTES} bytes`));
    return;
  }
  const request: ApiRequest = { headers: req.headers, body: body.text };
  if (route === undefined) {
    const reply = handlers.next(request, createPendingReply(res));
    if (reply !== null) sendReply(res, reply);
    return;
  }
  sendReply(res, route.handle(handlers, request));
}

/** Starts the API server on 127.0.0.1 with an ephemeral port. */
export async function startApiServer(handlers: ApiHandlers): Promise<ApiServer> {
  const server: Server = createServer({ requestTimeout: 0 }, (req, res) => {
    handleRequest(handlers, req, res).catch((error: unknown) => {
      sendReply(res, errorReply(500, 'ServiceException', String(error)));
    });
  });
  // A frozen extension keeps its connection idle across the freeze; never time it out.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The Extensions API endpoints: register, event/next (long poll), init/error, exit/error.
 * Error types follow Lambda's (`Extension.*`, `InvalidRequestFormat`).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html
 */
import { randomUUID } from 'node:crypto';
import type { ApiRequest, PendingReply } from './api-server.ts';
import type { SandboxContext } from './context.ts';
import { extensionStateEvent, roundMs } from './event-factory.ts';
import { addNextCall, addViolation, isWaiting } from './extension-state.ts';
import type { ExtensionState, NextCall } from './extension-state.ts';
import type { RegisterResponse } from '../lambda/types.ts';
import { errorReply, headerValue, isObject, parseJson } from './http-io.ts';
import type { ApiReply } from './http-io.ts';
import { invokeRefusal, managedInstancesJsonReply } from './managed-instances.ts';
import { deliverShutdown } from './shutdown-phase.ts';

const EVENT_TYPES = ['INVOKE', 'SHUTDOWN'] as const;
const ACCEPTED = { statusCode: 202, body: { status: 'OK' } } as const;

/** The 403 Lambda answers to a missing or unknown `Lambda-Extension-Identifier`. */
export function invalidIdentifier(): ApiReply {
  return errorReply(403, 'Extension.InvalidExtensionIdentifier', 'missing or unknown Lambda-Extension-Identifier header');
}

/** The extension named by the request's identifier header. */
export function extensionOf(ctx: SandboxContext, req: ApiRequest): ExtensionState | undefined {
  return ctx.byIdentifier(headerValue(req, 'lambda-extension-identifier'));
}

function parseEvents(value: unknown): string[] | string {
  if (!Array.isArray(value) || value.length === 0) return 'events must be a non-empty array of INVOKE, SHUTDOWN';
  const events: string[] = [];
  for (const item of value) {
    if (!(EVENT_TYPES as readonly unknown[]).includes(item)) return `invalid event type: ${JSON.stringify(item)}`;
    if (!events.includes(item as string)) events.push(item as string);
  }
  return events;
}

function acceptsAccountId(acceptFeature: string | null): boolean {
  return acceptFeature !== null && acceptFeature.split(',').some((feature) => feature.trim() === 'accountId');
}

function register(ctx: SandboxContext, req: ApiRequest): ApiReply {
  const name = headerValue(req, 'lambda-extension-name');
  if (name === undefined) return errorReply(400, 'Extension.InvalidExtensionName', 'missing Lambda-Extension-Name header');
  const state = ctx.byName(name);
  if (state === undefined) {
    return errorReply(400, 'Extension.InvalidExtensionName', `no extension executable is named ${name}`);
  }
  if (ctx.phase !== 'init') return errorReply(403, 'Extension.RegistrationClosed', 'registration is closed after init');
  if (state.registered !== null) {
    return errorReply(403, 'Extension.InvalidExtensionState', `extension ${name} is already registered`);
  }
  const parsed = parseJson(req.body);
  if (!parsed.ok || !isObject(parsed.value)) {
    return errorReply(400, 'InvalidRequestFormat', 'body must be a JSON object like {"events":["INVOKE","SHUTDOWN"]}');
  }
  const events = parseEvents(parsed.value['events']);
  if (typeof events === 'string') return errorReply(400, 'Extension.InvalidEventType', events);
  // LMI: external extensions may register for SHUTDOWN only; a refused one may retry.
  if (ctx.managedInstances !== null && events.includes('INVOKE')) return invokeRefusal();
  const acceptFeature = headerValue(req, 'lambda-extension-accept-feature') ?? null;
  const identifier = randomUUID();
  state.identifier = identifier;
  state.registered = { events, acceptFeature, atMs: ctx.nowMs() };
  ctx.hub.produce(extensionStateEvent(name, events));
  ctx.progress({ type: 'registered', extension: name, events });
  ctx.signal.notify();
  const { fn } = ctx;
  const body: RegisterResponse = acceptsAccountId(acceptFeature)
    ? { functionName: fn.name, functionVersion: fn.version, handler: fn.handler, accountId: fn.accountId }
    : { functionName: fn.name, functionVersion: fn.version, handler: fn.handler };
  const reply = { statusCode: 200, headers: { 'Lambda-Extension-Identifier': identifier }, body };
  return ctx.managedInstances === null ? reply : managedInstancesJsonReply(reply);
}

function next(ctx: SandboxContext, req: ApiRequest, reply: PendingReply): ApiReply | null {
  const state = extensionOf(ctx, req);
  if (state === undefined) return invalidIdentifier();
  const atMs = ctx.nowMs();
  const call: NextCall = { atMs, delivered: null };
  addNextCall(state, call);
  if (state.firstNextMs === null) state.firstNextMs = roundMs(atMs - state.spawnedAtMs);
  if (state.shutdownDelivered) {
    // Lambda never answers this call; the process is killed at the deadline.
    addViolation(state, 'next after SHUTDOWN');
    return null;
  }
  if (isWaiting(state)) {
    addViolation(state, 'concurrent next');
    return errorReply(403, 'Extension.InvalidExtensionState', 'an event/next call is already pending');
  }
  state.pendingNext = { reply, call };
  state.busyWithInvoke = false;
  if (ctx.phase === 'shutdown') deliverShutdown(ctx, state);
  ctx.signal.notify();
  return null;
}

function reportError(ctx: SandboxContext, req: ApiRequest, kind: 'init' | 'exit'): ApiReply {
  const state = extensionOf(ctx, req);
  if (state === undefined) return invalidIdentifier();
  const errorType = headerValue(req, 'lambda-extension-function-error-type');
  if (errorType === undefined) {
    return errorReply(400, 'Extension.MissingHeader', 'missing Lambda-Extension-Function-Error-Type header');
  }
  const parsed = parseJson(req.body);
  const body = req.body === '' ? null : parsed.ok ? parsed.value : req.body;
  const report = { errorType, body, atMs: ctx.nowMs() };
  if (kind === 'init') {
    if (ctx.phase !== 'init') {
      addViolation(state, `init/error after init (${errorType})`);
      return errorReply(403, 'Extension.InvalidExtensionState', 'init/error is only accepted during init');
    }
    state.initError ??= report;
  } else {
    state.exitError ??= report;
  }
  ctx.signal.notify();
  return ACCEPTED;
}

/** The Extensions API endpoints of one sandbox. */
export function createExtensionsApi(ctx: SandboxContext): {
  register(req: ApiRequest): ApiReply;
  next(req: ApiRequest, reply: PendingReply): ApiReply | null;
  initError(req: ApiRequest): ApiReply;
  exitError(req: ApiRequest): ApiReply;
} {
  return {
    register: (req) => register(ctx, req),
    next: (req, reply) => next(ctx, req, reply),
    initError: (req) => reportError(ctx, req, 'init'),
    exitError: (req) => reportError(ctx, req, 'exit'),
  };
}

/**
 * What the sandbox knows about one extension, and its conversion to the report. Every field
 * is assigned in the factory so the shape stays stable.
 */
import { randomUUID } from 'node:crypto';
import type { ExtensionEvent } from '../lambda/types.ts';
import type { PendingReply } from './api-server.ts';
import type { DeliveryQueue } from './delivery-queue.ts';
import type { ExtensionProcess } from './extension-process.ts';
import type {
  DeliveryReport,
  ExitReport,
  ExtensionErrorReport,
  ExtensionReport,
  SubscribeAttempt,
  SubscriptionReport,
} from './types.ts';

/** Caps that keep a misbehaving extension from growing the report without bound. */
const MAX_VIOLATIONS = 100;
const MAX_NEXT_CALLS = 10_000;
const MAX_SUBSCRIBE_ATTEMPTS = 100;

/** One `event/next` call. */
export interface NextCall {
  readonly atMs: number;
  delivered: 'INVOKE' | 'SHUTDOWN' | null;
}

/** Mutable delivery counters. */
export type DeliveryCounters = { -readonly [K in keyof DeliveryReport]: DeliveryReport[K] };

/** Mutable state of one extension. */
export interface ExtensionState {
  readonly name: string;
  readonly path: string;
  process: ExtensionProcess | null;
  spawnedAtMs: number;
  spawnError: string | null;
  identifier: string | null;
  registered: { readonly events: readonly string[]; readonly acceptFeature: string | null; readonly atMs: number } | null;
  subscription: SubscriptionReport | null;
  readonly subscribeAttempts: SubscribeAttempt[];
  firstNextMs: number | null;
  readonly nextCalls: NextCall[];
  pendingNext: { readonly reply: PendingReply; readonly call: NextCall } | null;
  /** INVOKE was delivered and the extension has not called next since. */
  busyWithInvoke: boolean;
  shutdownDelivered: boolean;
  initError: ExtensionErrorReport | null;
  exitError: ExtensionErrorReport | null;
  exit: ExitReport | null;
  /** Why the sandbox SIGKILLed it: alive at the SHUTDOWN deadline, or earlier on purpose. */
  kill: 'deadline' | 'early' | null;
  /** `extension` events produced from its output lines. */
  logEvents: number;
  readonly delivery: DeliveryCounters;
  queue: DeliveryQueue | null;
  readonly violations: string[];
}

/** A fresh state for the executable at `path`. */
export function createExtensionState(name: string, path: string): ExtensionState {
  return {
    name,
    path,
    process: null,
    spawnedAtMs: 0,
    spawnError: null,
    identifier: null,
    registered: null,
    subscription: null,
    subscribeAttempts: [],
    firstNextMs: null,
    nextCalls: [],
    pendingNext: null,
    busyWithInvoke: false,
    shutdownDelivered: false,
    initError: null,
    exitError: null,
    exit: null,
    kill: null,
    logEvents: 0,
    delivery: { batches: 0, events: 0, bytes: 0, failures: 0, droppedEvents: 0, undeliveredEvents: 0, lastError: null },
    queue: null,
    violations: [],
  };
}

/** True once the process is gone (or never started). */
export function isGone(state: ExtensionState): boolean {
  return state.exit !== null || state.spawnError !== null;
}

/** True when the extension registered for `event`. */
export function wants(state: ExtensionState, event: 'INVOKE' | 'SHUTDOWN'): boolean {
  return state.registered !== null && state.registered.events.includes(event);
}

/** True when the extension is parked in an open `event/next` call. */
export function isWaiting(state: ExtensionState): boolean {
  return state.pendingNext !== null && state.pendingNext.reply.isOpen();
}

/** Records a protocol violation (capped). */
export function addViolation(state: ExtensionState, violation: string): void {
  if (state.violations.length < MAX_VIOLATIONS) state.violations.push(violation);
}

/** Records an `event/next` call (capped). */
export function addNextCall(state: ExtensionState, call: NextCall): void {
  if (state.nextCalls.length < MAX_NEXT_CALLS) state.nextCalls.push(call);
}

/** Records a subscription attempt (capped). */
export function addSubscribeAttempt(state: ExtensionState, attempt: SubscribeAttempt): void {
  if (state.subscribeAttempts.length < MAX_SUBSCRIBE_ATTEMPTS) state.subscribeAttempts.push(attempt);
}

/** Answers the held `event/next` with `event`; false when none is held. */
export function deliverEvent(state: ExtensionState, event: ExtensionEvent): boolean {
  const pending = state.pendingNext;
  if (pending === null || !pending.reply.isOpen()) return false;
  state.pendingNext = null;
  pending.call.delivered = event.eventType;
  pending.reply.respond({
    statusCode: 200,
    headers: { 'Lambda-Extension-Event-Identifier': randomUUID() },
    body: event,
  });
  return true;
}

/** A snapshot for the report. */
export function toExtensionReport(state: ExtensionState): ExtensionReport {
  return {
    name: state.name,
    path: state.path,
    pid: state.process?.pid ?? null,
    spawnError: state.spawnError,
    registered: state.registered,
    identifier: state.identifier,
    subscription: state.subscription,
    subscribeAttempts: state.subscribeAttempts.slice(),
    firstNextMs: state.firstNextMs,
    nextCalls: state.nextCalls.map((call) => ({ atMs: call.atMs, delivered: call.delivered })),
    initError: state.initError,
    exitError: state.exitError,
    exit: state.exit,
    stdout: state.process?.stdout() ?? '',
    stderr: state.process?.stderr() ?? '',
    logEvents: state.logEvents,
    delivery: { ...state.delivery },
    violations: state.violations.slice(),
  };
}

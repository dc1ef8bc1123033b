/**
 * The invocations the correlator waits on: their start, runtimeDone and report joined by
 * requestId, in any order and across batches, until the invocation is complete or has to go.
 * Bounded by count (past `maxInFlight` the oldest is evicted) and by age on event times (an
 * invocation whose first event is more than `maxAgeMs` older than the newest event seen is
 * evicted): Lambda freezes the process between invocations, so the wall clock says nothing.
 *
 * - An event of an invocation emitted among the last 1024 is late: counted and dropped. An
 *   event for an older one starts a new pending invocation, evicted or flushed in time.
 * - A duplicate event of a pending invocation is ignored (the first is kept), not counted.
 * - The age sweep runs after each event is handled and spares the invocation of that event:
 *   an event for N that arrives hours later (a freeze) never evicts N itself.
 * - An event whose `time` does not parse counts as the newest time seen.
 */
import type { ReportEvent, RuntimeDoneEvent, StartEvent } from './events.ts';
import type { Completion } from './invocation.ts';
import { createRecentIds } from './recent-ids.ts';

/** How many emitted requestIds are remembered to recognise late events. */
const REMEMBERED_REQUEST_IDS = 1024;

export type InvocationEvent = StartEvent | RuntimeDoneEvent | ReportEvent;

/** One invocation still waiting for events. */
export interface PendingInvocation {
  readonly requestId: string;
  start: StartEvent | null;
  runtimeDone: RuntimeDoneEvent | null;
  report: ReportEvent | null;
  /** Epoch ms of the first event that arrived for it. */
  readonly firstTimeMs: number;
}

export interface PendingInvocationsOptions {
  /** Invocations held at most (a positive integer). */
  readonly maxInFlight: number;
  /** Event-time age, in ms, past which an invocation is evicted. */
  readonly maxAgeMs: number;
  /** Takes each invocation that leaves, once; it is already out of the table and remembered. */
  readonly emit: (invocation: PendingInvocation, completion: Completion) => void;
}

export interface PendingInvocations {
  /** Advances the newest event time seen by `time`; returns its epoch ms. */
  observe(time: string): number;
  /** Joins one event; returns its invocation while that is still pending, else null. */
  add(event: InvocationEvent): PendingInvocation | null;
  /** Evicts, oldest first, those too old for the newest time seen, but `touched`. Cheap while none can be. */
  sweep(touched: PendingInvocation | null): void;
  /** Emits `complete` every invocation whose report came since the last call (Lambda sends the report last). */
  endBatch(): void;
  /** Pending invocations without a report. */
  owedReports(): number;
  /** Emits every pending invocation as `shutdown`. */
  flush(): void;
  size(): number;
  /** Invocations evicted so far (cap or age). */
  evicted(): number;
  /** Events dropped because their invocation was already emitted. */
  late(): number;
}

export function createPendingInvocations(options: PendingInvocationsOptions): PendingInvocations {
  const { maxInFlight, maxAgeMs, emit } = options;
  /** In insertion order, so the oldest comes first. */
  const pending = new Map<string, PendingInvocation>();
  const emitted = createRecentIds(REMEMBERED_REQUEST_IDS);
  let newestTimeMs = -Infinity;
  /** Until the newest time reaches this, no pending invocation is old enough to evict. */
  let sweepAtMs = Infinity;
  let evicted = 0, late = 0;
  /** Invocations whose report arrived while some other event of them is still missing. */
  let reported: PendingInvocation[] = [];

  function observe(time: string): number {
    const ms = Date.parse(time);
    // Unparsable: as new as the newest seen; before any, never old enough for the age limit.
    if (ms !== ms) return newestTimeMs === Number.NEGATIVE_INFINITY ? Number.POSITIVE_INFINITY : newestTimeMs;
    if (ms > newestTimeMs) newestTimeMs = ms;
    return ms;
  }

  function add(event: InvocationEvent): PendingInvocation | null {
    const timeMs = observe(event.time);
    const requestId = event.record.requestId;
    let p = pending.get(requestId);
    if (p === undefined) {
      if (emitted.has(requestId)) {
        late++;
        return null;
      }
      while (pending.size >= maxInFlight) {
        const oldest = pending.values().next().value;
        if (oldest === undefined) break;
        evicted++;
        leave(oldest, 'evicted');
      }
      p = {
        requestId,
        start: event.type === 'platform.start' ? event : null,
        runtimeDone: event.type === 'platform.runtimeDone' ? event : null,
        report: event.type === 'platform.report' ? event : null,
        firstTimeMs: timeMs,
      };
      pending.set(requestId, p);
      if (p.report !== null) markReported(p);
      if (timeMs + maxAgeMs < sweepAtMs) sweepAtMs = timeMs + maxAgeMs;
      return p;
    }
    if (event.type === 'platform.start') {
      if (p.start === null) p.start = event;
    } else if (event.type === 'platform.runtimeDone') {
      if (p.runtimeDone === null) p.runtimeDone = event;
    } else if (p.report === null) {
      p.report = event;
      markReported(p);
    }
    if (p.start === null || p.runtimeDone === null || p.report === null) return p;
    leave(p, 'complete');
    return null;
  }

  /** Bounded for callers that never call endBatch: entries emitted meanwhile are pruned. */
  function markReported(p: PendingInvocation): void {
    if (reported.length >= maxInFlight) reported = reported.filter((q) => pending.get(q.requestId) === q);
    reported.push(p);
  }

  function leave(p: PendingInvocation, completion: Completion): void {
    pending.delete(p.requestId);
    emitted.add(p.requestId);
    emit(p, completion);
  }

  function sweep(touched: PendingInvocation | null): void {
    if (newestTimeMs < sweepAtMs) return;
    const cutoffMs = newestTimeMs - maxAgeMs;
    let nextSweepAtMs = Infinity;
    for (const p of pending.values()) {
      if (p.firstTimeMs >= cutoffMs || p === touched) {
        if (p.firstTimeMs + maxAgeMs < nextSweepAtMs) nextSweepAtMs = p.firstTimeMs + maxAgeMs;
        if (p.firstTimeMs >= cutoffMs) break;
        continue;
      }
      evicted++;
      leave(p, 'evicted');
    }
    sweepAtMs = nextSweepAtMs;
  }

  return {
    observe,
    add,
    sweep,
    endBatch(): void {
      if (reported.length === 0) return;
      const ready = reported;
      reported = [];
      // Those already emitted (complete, evicted) are no longer pending under their id.
      for (const p of ready) if (pending.get(p.requestId) === p) leave(p, 'complete');
    },
    owedReports(): number {
      // Only polled while draining at SHUTDOWN, and pending is capped: counting beats bookkeeping per event.
      let owed = 0;
      for (const p of pending.values()) if (p.report === null) owed++;
      return owed;
    },
    flush(): void {
      // Deleting the visited entry while iterating a Map is safe.
      for (const p of pending.values()) leave(p, 'shutdown');
    },
    size: () => pending.size,
    evicted: () => evicted,
    late: () => late,
  };
}

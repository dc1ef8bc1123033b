/**
 * Joins the platform events of one invocation (start, runtimeDone, report) and of one init or
 * SnapStart restore phase into one record each, whatever their order and however many batches
 * they span: report N normally arrives only during invocation N+1 or at SHUTDOWN, after a freeze.
 *
 * Lambda produces an invocation's `platform.report` last and delivers in order, so once the
 * batch that carried a report is over, nothing more of that invocation is coming:
 * {@link Correlator.endBatch} emits it `complete` with what is known (its runtimeDone may have
 * been dropped, or never exist, as on Managed Instances). Events fed without batch boundaries
 * are joined in any order.
 *
 * Rules where Lambda leaves room:
 * - A duplicate event of something pending is ignored (the first is kept) and not counted. An
 *   event of an invocation or phase already emitted is late: counted and dropped. Only the last
 *   1024 emitted requestIds are remembered; an event for an older one starts a new pending
 *   invocation, which is evicted or flushed in time.
 * - Age eviction runs on event times after each event is handled, and spares the invocation of
 *   that event: an event for N that arrives hours later (a freeze) never evicts N itself.
 * - Init events of `phase: 'invoke'` (the init re-run after a failed init) form their own phase.
 * - Provisioned-concurrency and Managed Instances inits are emitted on their own at their
 *   report. Other phases attach to the first invocation emitted after them, complete or not;
 *   once an invocation has been an init (restore) cold start, a later init (restore) phase is
 *   emitted on its own at its report, so that only one invocation per phase is a cold start.
 * - A phase record is `complete` when its report arrived, else `shutdown` when emitted by
 *   `flush`, else `evicted`. An event whose `time` does not parse counts as the newest time seen.
 */
import type { InitializationType, ReportEvent, RuntimeDoneEvent, StartEvent, TelemetryEvent } from './events.ts';
import type { Completion, CorrelatorStats, InvocationRecord, PhaseRecord } from './invocation.ts';

const DEFAULT_MAX_IN_FLIGHT = 500;
const DEFAULT_MAX_AGE_MS = 20 * 60 * 1000;
/** How many emitted requestIds are remembered to recognise late events. */
const REMEMBERED_REQUEST_IDS = 1024;

/** Options of {@link createCorrelator}. */
export interface CorrelatorOptions {
  /** Cap on invocations waiting for events; past it the oldest is emitted incomplete ('evicted'). Default 500. */
  readonly maxInFlight?: number;
  /**
   * An incomplete invocation is evicted once events more than this many ms newer than its first
   * event have arrived. Default 20 minutes (Lambda's maximum timeout is 15). On event times, not
   * the wall clock: Lambda freezes the process between invocations, report N comes after the thaw.
   */
  readonly maxAgeMs?: number;
  /** Initialization type from the environment (`AWS_LAMBDA_INITIALIZATION_TYPE`), used when no init event says it. */
  readonly initializationType?: string;
  readonly onInvocation: (record: InvocationRecord) => void;
  /** A phase emitted on its own (not attached to an invocation). */
  readonly onPhase: (record: PhaseRecord) => void;
}

/** Joins Telemetry API platform events into invocation and phase records. */
export interface Correlator {
  /** Feed events in arrival order (any TelemetryEvent; non-platform or irrelevant types are ignored cheaply). */
  add(event: TelemetryEvent): void;
  /**
   * The events of one delivered batch have all been added: invocations whose report came in it
   * are emitted `complete` with what arrived, even without a start or runtimeDone.
   */
  endBatch(): void;
  /** Requests whose platform.report is still owed (start or runtimeDone seen, no report yet). */
  owedReports(): number;
  /** Emit everything still pending with what is known, completion 'shutdown' (idempotent). */
  flush(): void;
  stats(): CorrelatorStats;
}

/**
 * Creates a correlator. Records are delivered synchronously through the callbacks, from inside
 * `add` or `flush`; the correlator's state is consistent before each callback runs.
 * @throws RangeError when `maxInFlight` is not a positive integer or `maxAgeMs` not a positive number
 * @example
 * const correlator = createCorrelator({
 *   initializationType: process.env.AWS_LAMBDA_INITIALIZATION_TYPE,
 *   onInvocation: (record) => traces.invocation(record),
 *   onPhase: (record) => traces.phase(record),
 * });
 * for (const event of decode(body).events) correlator.add(event);
 */
export function createCorrelator(options: CorrelatorOptions): Correlator {
  const { onInvocation, onPhase, initializationType: defaultInitType } = options;
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  if (!(maxAgeMs > 0)) throw new RangeError(`maxAgeMs must be a positive number of ms, got ${maxAgeMs}`);

  /** In insertion order, so the oldest comes first. */
  const pending = new Map<string, PendingInvocation>();
  /** The last REMEMBERED_REQUEST_IDS emitted requestIds, with the ring that forgets the oldest. */
  const emitted = new Set<string>();
  const ring = new Array<string>(REMEMBERED_REQUEST_IDS).fill('');
  let ringNext = 0;
  /** Init, init re-run during the first invoke (`phase: 'invoke'`), restore: their order in time. */
  const slots: readonly PhaseSlot[] = [newSlot('init'), newSlot('init'), newSlot('restore')];
  let initClaimed = false, restoreClaimed = false;
  let newestTimeMs = -Infinity;
  /** Until the newest time reaches this, no pending invocation is old enough to evict. */
  let sweepAtMs = Infinity;
  let evicted = 0, late = 0;
  /** Invocations whose report arrived while some other event of them is still missing. */
  let reported: PendingInvocation[] = [];

  function add(event: TelemetryEvent): void {
    let touched: PendingInvocation | null = null;
    switch (event.type) {
      case 'platform.start':
      case 'platform.runtimeDone':
      case 'platform.report':
        touched = addInvocationEvent(event, timeOf(event.time));
        break;
      case 'platform.initStart':
      case 'platform.initRuntimeDone':
      case 'platform.initReport':
      case 'platform.restoreStart':
      case 'platform.restoreRuntimeDone':
      case 'platform.restoreReport':
        timeOf(event.time);
        addPhaseEvent(event);
        break;
      default:
        return;
    }
    if (newestTimeMs >= sweepAtMs) sweep(touched);
  }

  /** Parses an event time (epoch ms) and advances the newest time seen. */
  function timeOf(time: string): number {
    const ms = Date.parse(time);
    // Unparsable: as new as the newest seen; before any, never old enough for the age limit.
    if (ms !== ms) return newestTimeMs === Number.NEGATIVE_INFINITY ? Number.POSITIVE_INFINITY : newestTimeMs;
    if (ms > newestTimeMs) newestTimeMs = ms;
    return ms;
  }

  /** Returns the invocation if it is still pending after the event, else null. */
  function addInvocationEvent(event: StartEvent | RuntimeDoneEvent | ReportEvent, timeMs: number): PendingInvocation | null {
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
        emitInvocation(oldest, 'evicted');
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
    emitInvocation(p, 'complete');
    return null;
  }

  /** Bounded for callers that never call endBatch: entries emitted meanwhile are pruned. */
  function markReported(p: PendingInvocation): void {
    if (reported.length >= maxInFlight) reported = reported.filter((q) => pending.get(q.requestId) === q);
    reported.push(p);
  }

  function addPhaseEvent(event: PhaseEvent): void {
    let slot = slots[2]!;
    let initType: InitializationType | undefined;
    if (event.type === 'platform.initStart' || event.type === 'platform.initRuntimeDone' || event.type === 'platform.initReport') {
      slot = slots[event.record.phase === 'invoke' ? 1 : 0]!;
      initType = event.record.initializationType;
    }
    if (slot.state === DONE) {
      late++;
      return;
    }
    slot.state = PENDING;
    if (event.type === 'platform.initStart' || event.type === 'platform.restoreStart') {
      if (slot.start === null) slot.start = event;
    } else if (event.type === 'platform.initRuntimeDone' || event.type === 'platform.restoreRuntimeDone') {
      if (slot.runtimeDone === null) slot.runtimeDone = event;
    } else if (slot.report === null) {
      slot.report = event;
    }
    if (initType !== undefined && slot.initializationType === null) slot.initializationType = initType;
    if (slot.report !== null && standsAlone(slot)) onPhase(closePhase(slot, 'complete'));
  }

  /** Whether a phase is emitted on its own rather than attached to an invocation. */
  function standsAlone(slot: PhaseSlot): boolean {
    if (slot.kind === 'restore') return restoreClaimed;
    return initClaimed || isAheadOfTime(slot.initializationType ?? defaultInitType);
  }

  function emitInvocation(p: PendingInvocation, completion: Completion): void {
    pending.delete(p.requestId);
    remember(p.requestId);
    let coldStart = false, claimsInit = false, claimsRestore = false;
    let phases: PhaseRecord[] | null = null;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (slot.state !== PENDING || standsAlone(slot)) continue;
      (phases ??= []).push(closePhase(slot, completion === 'shutdown' ? 'shutdown' : 'evicted'));
      if (slot.kind === 'restore') claimsRestore = coldStart = true;
      else if (isColdStartType(slot.initializationType ?? defaultInitType)) claimsInit = coldStart = true;
      else claimsInit = true;
    }
    const metrics = p.report === null ? undefined : p.report.record.metrics;
    if (metrics?.initDurationMs !== undefined) claimsInit = coldStart = true;
    if (metrics?.restoreDurationMs !== undefined) claimsRestore = coldStart = true;
    // Claimed only now, so that an init and its re-run both attach to this invocation.
    if (claimsInit) initClaimed = true;
    if (claimsRestore) restoreClaimed = true;
    onInvocation({
      requestId: p.requestId,
      start: p.start,
      runtimeDone: p.runtimeDone,
      report: p.report,
      coldStart,
      phases: phases ?? NO_PHASES,
      completion,
    });
  }

  function remember(requestId: string): void {
    const forgotten = ring[ringNext];
    if (forgotten !== undefined && forgotten !== '') emitted.delete(forgotten);
    ring[ringNext] = requestId;
    emitted.add(requestId);
    ringNext = ringNext + 1 === REMEMBERED_REQUEST_IDS ? 0 : ringNext + 1;
  }

  /** Evicts, oldest first, invocations too old for the newest time seen; stops at the first young one. */
  function sweep(touched: PendingInvocation | null): void {
    const cutoffMs = newestTimeMs - maxAgeMs;
    let nextSweepAtMs = Infinity;
    for (const p of pending.values()) {
      if (p.firstTimeMs >= cutoffMs || p === touched) {
        if (p.firstTimeMs + maxAgeMs < nextSweepAtMs) nextSweepAtMs = p.firstTimeMs + maxAgeMs;
        if (p.firstTimeMs >= cutoffMs) break;
        continue;
      }
      evicted++;
      emitInvocation(p, 'evicted');
    }
    sweepAtMs = nextSweepAtMs;
  }

  return {
    add,
    endBatch(): void {
      if (reported.length === 0) return;
      const ready = reported;
      reported = [];
      // Those already emitted (complete, evicted) are no longer pending under their id.
      for (const p of ready) if (pending.get(p.requestId) === p) emitInvocation(p, 'complete');
    },
    owedReports(): number {
      // Only polled while draining at SHUTDOWN, and pending is capped: counting beats bookkeeping per event.
      let owed = 0;
      for (const p of pending.values()) if (p.report === null) owed++;
      return owed;
    },
    flush(): void {
      // Deleting the visited entry while iterating a Map is safe.
      for (const p of pending.values()) emitInvocation(p, 'shutdown');
      for (const slot of slots) if (slot.state === PENDING) onPhase(closePhase(slot, 'shutdown'));
    },
    stats: () => ({ inFlight: pending.size, evicted, late }),
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface PendingInvocation extends Mutable<Pick<InvocationRecord, 'start' | 'runtimeDone' | 'report'>> {
  readonly requestId: string;
  /** Epoch ms of the first event that arrived for it. */
  readonly firstTimeMs: number;
}

/** States of a phase slot: nothing seen, waiting for more events, emitted. */
const IDLE = 0, PENDING = 1, DONE = 2;

interface PhaseSlot extends Mutable<Pick<PhaseRecord, 'start' | 'runtimeDone' | 'report'>> {
  readonly kind: PhaseRecord['kind'];
  state: typeof IDLE | typeof PENDING | typeof DONE;
  initializationType: InitializationType | null;
}

type PhaseEvent = NonNullable<PhaseRecord['start'] | PhaseRecord['runtimeDone'] | PhaseRecord['report']>;

const NO_PHASES: readonly PhaseRecord[] = Object.freeze([]);

function newSlot(kind: PhaseRecord['kind']): PhaseSlot {
  return { kind, state: IDLE, start: null, runtimeDone: null, report: null, initializationType: null };
}

/** Marks a phase emitted and builds its record; `completion` applies when its report is missing. */
function closePhase(slot: PhaseSlot, completion: Completion): PhaseRecord {
  slot.state = DONE;
  const { kind, start, runtimeDone, report } = slot;
  return { kind, start, runtimeDone, report, completion: report !== null ? 'complete' : completion };
}

/** Environments initialised before any invocation is routed to them: their init is nobody's cold start. */
function isAheadOfTime(type: string | null | undefined): boolean {
  return type === 'provisioned-concurrency' || type === 'lambda-managed-instances';
}

function isColdStartType(type: string | null | undefined): boolean {
  return type === 'on-demand' || type === 'snap-start';
}

/**
 * The init and SnapStart restore phases the correlator waits on, and which invocation each one
 * goes with: the phase is emitted on its own, or attached to the first invocation emitted
 * after it, which then is its cold start.
 *
 * - Three slots, in their order in time: the init, the init re-run after a failed init
 *   (events of `phase: 'invoke'`), the restore. An event of a slot already emitted is late.
 * - Provisioned-concurrency and Managed Instances inits are emitted on their own at their
 *   report: those environments are initialised before any invocation is routed to them.
 * - Other phases attach to the first invocation emitted after them, complete or not; once an
 *   invocation has been an init (restore) cold start, a later init (restore) phase is emitted
 *   on its own at its report, so that only one invocation per phase is a cold start.
 * - A phase record is `complete` when its report arrived, else `shutdown` when emitted by
 *   `flush`, else `evicted`.
 */
import type { InitializationType, ReportEvent } from './events.ts';
import type { Completion, PhaseRecord } from './invocation.ts';

export type PhaseEvent = NonNullable<PhaseRecord['start'] | PhaseRecord['runtimeDone'] | PhaseRecord['report']>;

/** What an invocation being emitted takes from the phases. */
export interface PhaseClaim {
  readonly phases: readonly PhaseRecord[];
  readonly coldStart: boolean;
}

export interface PendingPhasesOptions {
  /** Initialization type from the environment, used when no init event says it. */
  readonly initializationType: string | undefined;
  /** Takes a phase emitted on its own. */
  readonly onPhase: (record: PhaseRecord) => void;
}

export interface PendingPhases {
  add(event: PhaseEvent): void;
  /**
   * The phases the invocation now being emitted takes, marked emitted (`completion`, the
   * invocation's, applies to those without a report), and whether it is a cold start: it took
   * an on-demand or SnapStart init or a restore, or its report names an init or restore duration.
   */
  claim(report: ReportEvent | null, completion: Completion): PhaseClaim;
  /** Emits every pending phase on its own as `shutdown`. */
  flush(): void;
  /** Events dropped because their phase was already emitted. */
  late(): number;
}

/** States of a phase slot: nothing seen, waiting for more events, emitted. */
const IDLE = 0, PENDING = 1, DONE = 2;

interface PhaseSlot {
  readonly kind: PhaseRecord['kind'];
  state: typeof IDLE | typeof PENDING | typeof DONE;
  start: PhaseRecord['start'];
  runtimeDone: PhaseRecord['runtimeDone'];
  report: PhaseRecord['report'];
  initializationType: InitializationType | null;
}

const NO_PHASES: readonly PhaseRecord[] = Object.freeze([]);
/** A warm invocation's claim, shared. */
const NO_CLAIM: PhaseClaim = Object.freeze({ phases: NO_PHASES, coldStart: false });

export function createPendingPhases(options: PendingPhasesOptions): PendingPhases {
  const { onPhase, initializationType: defaultInitType } = options;
  /** Init, init re-run during the first invoke (`phase: 'invoke'`), restore: their order in time. */
  const slots: readonly PhaseSlot[] = [newSlot('init'), newSlot('init'), newSlot('restore')];
  let initClaimed = false, restoreClaimed = false;
  let late = 0;

  /** Whether a phase is emitted on its own rather than attached to an invocation. */
  function standsAlone(slot: PhaseSlot): boolean {
    if (slot.kind === 'restore') return restoreClaimed;
    return initClaimed || isAheadOfTime(slot.initializationType ?? defaultInitType);
  }

  return {
    add(event) {
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
    },
    claim(report, completion) {
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
      const metrics = report === null ? undefined : report.record.metrics;
      if (metrics?.initDurationMs !== undefined) claimsInit = coldStart = true;
      if (metrics?.restoreDurationMs !== undefined) claimsRestore = coldStart = true;
      // Claimed only now, so that an init and its re-run both attach to this invocation.
      if (claimsInit) initClaimed = true;
      if (claimsRestore) restoreClaimed = true;
      return phases === null && !coldStart ? NO_CLAIM : { phases: phases ?? NO_PHASES, coldStart };
    },
    flush() {
      for (const slot of slots) if (slot.state === PENDING) onPhase(closePhase(slot, 'shutdown'));
    },
    late: () => late,
  };
}

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

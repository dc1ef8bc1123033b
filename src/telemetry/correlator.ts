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
 * This module validates the options, routes each event and builds the invocation record. The
 * waiting and its bounds are in pending-invocations.ts (cap, event-time age, late events), the
 * phases and the cold start in pending-phases.ts; their headers give the rules where Lambda
 * leaves room.
 */
import type { TelemetryEvent } from './events.ts';
import type { Completion, InvocationRecord, PhaseRecord } from './invocation.ts';
import { createPendingInvocations } from './pending-invocations.ts';
import type { PendingInvocation } from './pending-invocations.ts';
import { createPendingPhases } from './pending-phases.ts';

const DEFAULT_MAX_IN_FLIGHT = 500;
const DEFAULT_MAX_AGE_MS = 20 * 60 * 1000;

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

/** Counters of the correlator's own bookkeeping. */
export interface CorrelatorStats {
  /** Invocations currently waiting for more events. */
  readonly inFlight: number;
  /** Invocations emitted incomplete because of the cap or the age limit. */
  readonly evicted: number;
  /** Events for an invocation or phase that was already emitted (counted, then dropped). */
  readonly late: number;
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
  const { onInvocation, onPhase, initializationType } = options;
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  if (!(maxAgeMs > 0)) throw new RangeError(`maxAgeMs must be a positive number of ms, got ${maxAgeMs}`);

  const phases = createPendingPhases({ initializationType, onPhase });
  const invocations = createPendingInvocations({ maxInFlight, maxAgeMs, emit: emitInvocation });

  function emitInvocation(p: PendingInvocation, completion: Completion): void {
    const claim = phases.claim(p.report, completion);
    onInvocation({
      requestId: p.requestId,
      start: p.start,
      runtimeDone: p.runtimeDone,
      report: p.report,
      coldStart: claim.coldStart,
      phases: claim.phases,
      completion,
    });
  }

  return {
    add(event: TelemetryEvent): void {
      let touched: PendingInvocation | null = null;
      switch (event.type) {
        case 'platform.start':
        case 'platform.runtimeDone':
        case 'platform.report':
          touched = invocations.add(event);
          break;
        case 'platform.initStart':
        case 'platform.initRuntimeDone':
        case 'platform.initReport':
        case 'platform.restoreStart':
        case 'platform.restoreRuntimeDone':
        case 'platform.restoreReport':
          invocations.observe(event.time);
          phases.add(event);
          break;
        default:
          return;
      }
      // After the phase event too: an invocation evicted now may take that phase.
      invocations.sweep(touched);
    },
    endBatch: () => invocations.endBatch(),
    owedReports: () => invocations.owedReports(),
    flush(): void {
      invocations.flush();
      phases.flush();
    },
    stats: () => ({ inFlight: invocations.size(), evicted: invocations.evicted(), late: invocations.late() + phases.late() }),
  };
}

/**
 * What the correlator joins: the platform events of one invocation, and of one init or
 * SnapStart restore phase. Produced once per invocation/phase, with whatever was known.
 */
import type {
  InitReportEvent,
  InitRuntimeDoneEvent,
  InitStartEvent,
  ReportEvent,
  RestoreReportEvent,
  RestoreRuntimeDoneEvent,
  RestoreStartEvent,
  RuntimeDoneEvent,
  StartEvent,
} from './events.ts';

/**
 * Why a record was emitted: `complete` when every event of it arrived, or when its report
 * arrived and the batch that carried it ended (Lambda sends the report last); otherwise it was
 * emitted with what was known, because it was `evicted` (cap or age limit) or the
 * environment shut down (`shutdown`).
 */
export type Completion = 'complete' | 'evicted' | 'shutdown';

/** An init or restore phase (initStart/initRuntimeDone/initReport, restore*). */
export interface PhaseRecord {
  readonly kind: 'init' | 'restore';
  readonly start: InitStartEvent | RestoreStartEvent | null;
  readonly runtimeDone: InitRuntimeDoneEvent | RestoreRuntimeDoneEvent | null;
  readonly report: InitReportEvent | RestoreReportEvent | null;
  readonly completion: Completion;
}

/** One invocation: platform.start, platform.runtimeDone and platform.report of one requestId. */
export interface InvocationRecord {
  readonly requestId: string;
  readonly start: StartEvent | null;
  readonly runtimeDone: RuntimeDoneEvent | null;
  readonly report: ReportEvent | null;
  /**
   * First invocation after an on-demand init or a SnapStart restore: the report carries
   * `initDurationMs` / `restoreDurationMs`, or it is the first invocation after an init phase
   * whose initializationType is `on-demand` or `snap-start`.
   */
  readonly coldStart: boolean;
  /**
   * The init or restore phase this invocation paid for (cold starts only), attached so that
   * the phase can be placed in the invocation's trace. A phase is emitted on its own instead
   * when no invocation follows it, or for provisioned-concurrency inits.
   */
  readonly phases: readonly PhaseRecord[];
  readonly completion: Completion;
}

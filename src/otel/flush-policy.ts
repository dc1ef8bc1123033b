/**
 * When to export, besides SHUTDOWN and the buffer thresholds (LAMBDA_OTEL_FLUSH):
 *
 * - `end`: at the end of every invocation, the extension waits for the invocation's
 *   `platform.runtimeDone` (so that the previous invocation's report has arrived) and exports
 *   before calling `next`. Telemetry reaches the backend before the environment freezes, at the
 *   price of billed post-runtime time (the buffering delay plus one export). The wait is bounded
 *   by the telemetry stream (see runtime-done-wait.ts) and the export by `flushTimeoutMs`; while
 *   the backend fails, or once runtimeDone proved unreliable, end works as `periodic`.
 * - `periodic,<ms>`: a timer exports in the background; the invocation never waits. Lambda
 *   freezes timers between invocations, so a due export runs at the next thaw.
 * - `adaptive` (default): `end` while invocations are rare, `periodic` (10 s) while they are
 *   frequent (20 invocations within 60 s), like Datadog's extension.
 * - `shutdown`: only at SHUTDOWN and when a threshold is reached.
 *
 * On Lambda Managed Instances there is no INVOKE to end an invocation: `end` and `adaptive`
 * become a timer of {@link MANAGED_INSTANCES_FLUSH_MS} there ({@link managedInstancesMode}).
 */
import type { FlushMode } from './config.ts';
import { withTimeout } from '../util/with-timeout.ts';
import type { InvokeEvent } from '../lambda/types.ts';

export interface FlushPolicyOptions {
  readonly mode: FlushMode;
  /** Longest a blocking (end-of-invocation) export may hold the invocation. */
  readonly flushTimeoutMs: number;
  /** Exports everything pending; never rejects. */
  readonly flush: () => Promise<void>;
  /** Settles once the invocation's runtimeDone arrived or will not; after `maxMs` at the latest. */
  readonly waitForRuntimeDone: (requestId: string, maxMs: number) => Promise<unknown>;
  /** Called when an end-of-invocation export did not finish within `flushTimeoutMs`. */
  readonly onFlushTimeout?: () => void;
  /** While true, end-of-invocation exports run in the background instead of holding `next`. */
  readonly backendFailing?: () => boolean;
  /** Once true, end mode no longer waits for runtimeDone and exports periodically instead. */
  readonly runtimeDoneUnreliable?: () => boolean;
  readonly now?: () => number;
}

/** A mode as it applies to one INVOKE: `adaptive` is `end` or `periodic` at any one time. */
export type EffectiveFlushMode = 'end' | 'periodic' | 'shutdown';

export interface FlushPolicy {
  /** Called on INVOKE; `event/next` is called again once it resolves. */
  onInvoke(event: InvokeEvent): Promise<void>;
  /**
   * The mode that applied to the latest INVOKE (before the first: the configured one, `end` for
   * adaptive). Still `end` when a failing backend made that invocation export in the background
   * instead of waiting; `periodic` once runtimeDone proved unreliable.
   */
  effectiveMode(): EffectiveFlushMode;
  stop(): void;
}

/** Adaptive: this many invocations within {@link FREQUENT_WINDOW_MS} count as frequent. */
export const FREQUENT_INVOCATIONS = 20;
export const FREQUENT_WINDOW_MS = 60_000;
export const ADAPTIVE_INTERVAL_MS = 10_000;
/** End mode gives up waiting for runtimeDone this long before the invocation's deadline. */
const DEADLINE_MARGIN_MS = 100;
/** Export interval on Managed Instances: an invocation's telemetry leaves within about a second of its report. */
export const MANAGED_INSTANCES_FLUSH_MS = 1000;

/** The mode on Managed Instances: without INVOKE nothing ends an invocation for `end` to wait on, so a timer exports instead. */
export function managedInstancesMode(mode: FlushMode): FlushMode {
  if (mode.kind === 'periodic' || mode.kind === 'shutdown') return mode;
  return { kind: 'periodic', intervalMs: MANAGED_INSTANCES_FLUSH_MS };
}

export function createFlushPolicy(options: FlushPolicyOptions): FlushPolicy {
  const now = options.now ?? Date.now;
  const recentInvokes: number[] = [];
  let lastFlushMs = now();
  let timer: NodeJS.Timeout | null = null;
  let current: EffectiveFlushMode = options.mode.kind === 'adaptive' ? 'end' : options.mode.kind;

  const flushInBackground = (): void => {
    lastFlushMs = now();
    void options.flush();
  };
  const startTimer = (intervalMs: number): void => {
    if (timer !== null) return;
    timer = setInterval(flushInBackground, intervalMs);
    timer.unref();
  };
  const stopTimer = (): void => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  if (options.mode.kind === 'periodic') startTimer(options.mode.intervalMs);

  const intervalMs = options.mode.kind === 'periodic' ? options.mode.intervalMs : ADAPTIVE_INTERVAL_MS;

  return {
    async onInvoke(event) {
      const at = now();
      if (options.mode.kind === 'adaptive') {
        recentInvokes.push(at);
        if (recentInvokes.length > FREQUENT_INVOCATIONS) recentInvokes.shift();
        const frequent = recentInvokes.length === FREQUENT_INVOCATIONS && at - recentInvokes[0]! <= FREQUENT_WINDOW_MS;
        current = frequent ? 'periodic' : 'end';
        if (frequent) startTimer(intervalMs);
        else stopTimer();
      }
      if (current === 'end' && options.runtimeDoneUnreliable?.() === true) {
        current = 'periodic';
        startTimer(intervalMs);
      }
      if (current === 'periodic') {
        // A timer that was due while the environment was frozen fires late; do not wait for it.
        if (at - lastFlushMs >= intervalMs) flushInBackground();
        return;
      }
      if (current !== 'end') return;
      if (options.backendFailing?.() === true) {
        // Waiting on a backend that is down would add the whole flush budget to every invocation.
        flushInBackground();
        return;
      }
      // The wait ends by itself on the telemetry stream; the deadline is only a last guard so
      // that this extension never turns an invocation into a timeout.
      await options.waitForRuntimeDone(event.requestId, Math.max(0, event.deadlineMs - DEADLINE_MARGIN_MS - now()));
      lastFlushMs = now();
      // The export may not push the invocation past its deadline either.
      const leftMs = Math.max(0, event.deadlineMs - DEADLINE_MARGIN_MS - now());
      if (!(await withTimeout(options.flush(), Math.min(options.flushTimeoutMs, leftMs)))) options.onFlushTimeout?.();
    },
    effectiveMode: () => current,
    stop: stopTimer,
  };
}

/**
 * Lets the end-of-invocation flush wait for the invocation's `platform.runtimeDone` (once it
 * has arrived, the previous invocation's report, produced before it, has arrived too), and
 * never longer than the telemetry stream gives reason to.
 *
 * A wait ends when runtimeDone arrives, when any later sign says it will not: the request's
 * `platform.report`, another request's `platform.start`, `platform.logsDropped`; or when the
 * stream has been quiet for `quietMs`. Lambda delivers what it buffered at least every
 * buffering `timeoutMs`, so a quiet stream means that either the runtime is still running
 * without logging (then our `next` costs the function nothing) or the event is lost.
 *
 * Misses are counted from what arrives afterwards: a report whose runtimeDone never came.
 * After {@link MISSES_BEFORE_UNRELIABLE} in a row the environment stops waiting for good.
 */
import type { TelemetryEvent } from '../telemetry/events.ts';

/** Why a wait ended. */
export type WaitOutcome = 'runtimeDone' | 'report' | 'superseded' | 'dropped' | 'quiet' | 'timeout';

export interface RuntimeDoneWaitOptions {
  /** Quiet stream time after which a wait ends (the buffering timeout plus a grace). */
  readonly quietMs: number;
  /** Called once a runtimeDone arrives for a request whose wait already ended on `quiet`. */
  readonly onLateRuntimeDone?: () => void;
  /** Called once, when runtimeDone has been missing for too many invocations in a row. */
  readonly onUnreliable?: (misses: number) => void;
  readonly now?: () => number;
}

export interface RuntimeDoneWait {
  /** Resolves with why the wait ended; after `maxMs` at the latest. */
  wait(requestId: string, maxMs: number): Promise<WaitOutcome>;
  /** Feeds one batch of platform events (any events; only the relevant types are looked at). */
  observe(events: readonly TelemetryEvent[]): void;
  /** The stream is alive: a batch arrived or was answered. */
  activity(): void;
  /** True once runtimeDone was missing for {@link MISSES_BEFORE_UNRELIABLE} invocations in a row. */
  unreliable(): boolean;
}

/** Consecutive invocations without runtimeDone before waiting for it stops. */
export const MISSES_BEFORE_UNRELIABLE = 3;
/** Request ids remembered: of runtimeDone seen, and of waits that ended quiet. */
const REMEMBERED = 16;

interface Waiter {
  readonly requestId: string;
  readonly release: (outcome: WaitOutcome) => void;
}

export function createRuntimeDoneWait(options: RuntimeDoneWaitOptions): RuntimeDoneWait {
  const now = options.now ?? Date.now;
  const seenRuntimeDone: string[] = [];
  const endedQuiet: string[] = [];
  let waiter: Waiter | null = null;
  let lastActivityMs = now();
  let misses = 0;
  let unreliable = false;

  const remember = (list: string[], requestId: string): void => {
    list.push(requestId);
    if (list.length > REMEMBERED) list.shift();
  };
  const release = (outcome: WaitOutcome): void => waiter?.release(outcome);

  return {
    wait(requestId, maxMs) {
      if (seenRuntimeDone.includes(requestId)) return Promise.resolve('runtimeDone');
      release('superseded');
      lastActivityMs = now();
      return new Promise((resolve) => {
        let quietTimer: NodeJS.Timeout | undefined;
        const deadline = setTimeout(() => current.release('timeout'), maxMs);
        const checkQuiet = (): void => {
          const quietForMs = now() - lastActivityMs;
          if (quietForMs >= options.quietMs) current.release('quiet');
          else quietTimer = setTimeout(checkQuiet, options.quietMs - quietForMs);
        };
        const current: Waiter = {
          requestId,
          release: (outcome) => {
            clearTimeout(deadline);
            clearTimeout(quietTimer);
            if (waiter === current) waiter = null;
            if (outcome === 'quiet') remember(endedQuiet, requestId);
            resolve(outcome);
          },
        };
        waiter = current;
        quietTimer = setTimeout(checkQuiet, options.quietMs);
      });
    },

    observe(events) {
      lastActivityMs = now();
      for (const event of events) {
        switch (event.type) {
          case 'platform.runtimeDone': {
            const requestId = event.record.requestId;
            remember(seenRuntimeDone, requestId);
            if (!unreliable) misses = 0;
            if (waiter?.requestId === requestId) release('runtimeDone');
            else if (endedQuiet.includes(requestId)) options.onLateRuntimeDone?.();
            break;
          }
          case 'platform.report': {
            const requestId = event.record.requestId;
            if (!seenRuntimeDone.includes(requestId) && !unreliable && ++misses >= MISSES_BEFORE_UNRELIABLE) {
              unreliable = true;
              options.onUnreliable?.(misses);
            }
            if (waiter?.requestId === requestId) release('report');
            break;
          }
          case 'platform.start':
            if (waiter !== null && event.record.requestId !== waiter.requestId) release('superseded');
            break;
          case 'platform.logsDropped':
            release('dropped');
            break;
        }
      }
    },

    activity() {
      lastActivityMs = now();
    },

    unreliable: () => unreliable,
  };
}

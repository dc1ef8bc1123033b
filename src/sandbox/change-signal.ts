/**
 * "Wait until this becomes true": the phases wait on predicates over extension state, and
 * every state change calls `notify()` to re-check them.
 */

/** A re-checkable wait. */
export interface ChangeSignal {
  /** Re-evaluates every waiting predicate. */
  notify(): void;
  /** Resolves true once `predicate()` holds, false after `timeoutMs` (Infinity: never). */
  until(predicate: () => boolean, timeoutMs: number): Promise<boolean>;
}

interface Waiter {
  readonly predicate: () => boolean;
  readonly resolve: (met: boolean) => void;
  timer: NodeJS.Timeout | null;
}

/** Creates a change signal. */
export function createChangeSignal(): ChangeSignal {
  const waiters = new Set<Waiter>();
  const settle = (waiter: Waiter, met: boolean): void => {
    if (!waiters.delete(waiter)) return;
    if (waiter.timer !== null) clearTimeout(waiter.timer);
    waiter.resolve(met);
  };
  return {
    notify() {
      for (const waiter of waiters) {
        if (waiter.predicate()) settle(waiter, true);
      }
    },
    until(predicate, timeoutMs) {
      if (predicate()) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const waiter: Waiter = { predicate, resolve, timer: null };
        waiters.add(waiter);
        if (Number.isFinite(timeoutMs)) {
          waiter.timer = setTimeout(() => settle(waiter, predicate()), Math.max(0, timeoutMs));
        }
      });
    },
  };
}

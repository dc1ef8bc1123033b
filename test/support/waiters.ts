/**
 * Event-driven waiting: predicates are re-checked when the owner calls `notify()` (after each
 * request), never polled.
 */

export interface Waiters {
  /** Resolves once `predicate` holds (now or at a later `notify`); rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs: number): Promise<void>;
  notify(): void;
  /** Rejects every pending wait and refuses new ones. */
  close(reason: string): void;
}

interface Waiter {
  readonly predicate: () => boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

function describe(predicate: () => boolean): string {
  const source = predicate.toString().replace(/\s+/g, ' ');
  return source.length > 120 ? `${source.slice(0, 117)}...` : source;
}

/** `summary` describes what has arrived, for the timeout message. */
export function createWaiters(summary: () => string): Waiters {
  const pending = new Set<Waiter>();
  let closedReason: string | null = null;
  return {
    waitFor(predicate, timeoutMs) {
      try {
        if (predicate()) return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
      if (closedReason !== null) return Promise.reject(new Error(`waitFor: ${closedReason}`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(waiter);
          reject(new Error(`waitFor: ${describe(predicate)} still false after ${timeoutMs} ms; ${summary()}`));
        }, timeoutMs);
        const waiter: Waiter = { predicate, resolve, reject, timer };
        pending.add(waiter);
      });
    },
    notify() {
      for (const waiter of pending) {
        let done: boolean;
        try {
          done = waiter.predicate();
        } catch (error) {
          clearTimeout(waiter.timer);
          pending.delete(waiter);
          waiter.reject(error);
          continue;
        }
        if (!done) continue;
        clearTimeout(waiter.timer);
        pending.delete(waiter);
        waiter.resolve();
      }
    },
    close(reason) {
      closedReason = reason;
      for (const waiter of pending) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`waitFor: ${reason} while waiting for ${describe(waiter.predicate)}`));
      }
      pending.clear();
    },
  };
}

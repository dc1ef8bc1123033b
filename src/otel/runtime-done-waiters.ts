/**
 * Lets the end-of-invocation flush wait for the invocation's `platform.runtimeDone`: once it
 * has arrived, the previous invocation's report (produced before it) has arrived too.
 */
export interface RuntimeDoneWaiters {
  /** Resolves true when runtimeDone of `requestId` arrived (maybe already), false after `timeoutMs`. */
  wait(requestId: string, timeoutMs: number): Promise<boolean>;
  seen(requestId: string): void;
  /** Releases every waiter (e.g. Lambda dropped telemetry, so the event may never come). */
  giveUp(): void;
}

/** Request ids remembered as seen; only the current invocation's matters. */
const MAX_SEEN = 16;

export function createRuntimeDoneWaiters(): RuntimeDoneWaiters {
  const seenIds: string[] = [];
  const waiters = new Map<string, (arrived: boolean) => void>();
  return {
    wait(requestId, timeoutMs) {
      if (seenIds.includes(requestId)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(requestId);
          resolve(false);
        }, timeoutMs);
        waiters.set(requestId, (arrived) => {
          clearTimeout(timer);
          waiters.delete(requestId);
          resolve(arrived);
        });
      });
    },
    seen(requestId) {
      seenIds.push(requestId);
      if (seenIds.length > MAX_SEEN) seenIds.shift();
      waiters.get(requestId)?.(true);
    },
    giveUp() {
      for (const release of [...waiters.values()]) release(false);
    },
  };
}

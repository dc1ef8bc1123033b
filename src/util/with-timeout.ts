/** Bounds a wait without cancelling the work: the flush budget, SHUTDOWN accounting, the listener's back-pressure hold. */

/**
 * Settles with `work` or after `timeoutMs`, whichever comes first; never rejects on the timeout.
 * Resolves true when `work` finished in time.
 */
export function withTimeout(work: Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  return Promise.race([work.then(() => true as const), expired]).finally(() => clearTimeout(timer));
}

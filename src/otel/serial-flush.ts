/**
 * One export at a time. A flush asked for while one runs waits for it, then exports what came
 * since. Requests made while one is already waiting join it: under load every invocation past a
 * threshold asks again, and one export carries everything pending when it starts.
 */

export interface SerialFlush {
  /** Exports after the running export, or joins the one already waiting; never rejects. */
  flush(): Promise<void>;
  /** Settles once every flush asked for so far is done; never rejects. */
  settled(): Promise<void>;
}

/**
 * @param exportAll - exports everything pending
 * @param onError - receives what a rejected `exportAll` rejected with
 */
export function createSerialFlush(exportAll: () => Promise<void>, onError: (error: unknown) => void): SerialFlush {
  let flushing: Promise<void> = Promise.resolve();
  let queued: Promise<void> | null = null;
  return {
    flush() {
      if (queued !== null) return queued;
      const next = flushing.then(() => {
        queued = null;
        return exportAll();
      });
      queued = next.catch(onError);
      flushing = queued;
      return queued;
    },
    settled: () => flushing,
  };
}

/**
 * Which invocation a function log line belongs to when the line does not say (no JSON
 * `requestId`, no request id in a runtime's text prefix). On-demand environments run one
 * invocation at a time, so it is the one in flight, or the last one started. Managed Instances
 * run many at once: a line is attributed only while exactly one is in flight, never guessed.
 */
export interface LogAttribution {
  started(requestId: string): void;
  /** Its runtimeDone or report arrived. */
  ended(requestId: string): void;
  /** The request id for a line that carries none, or null when it cannot be known. */
  fallback(): string | null;
}

export interface LogAttributionOptions {
  /** Invocations may run concurrently (Managed Instances). */
  readonly concurrent: boolean;
  /** Requests remembered as in flight; past it the oldest is forgotten (its events went missing). */
  readonly maxInFlight: number;
}

export function createLogAttribution(options: LogAttributionOptions): LogAttribution {
  const inFlight = new Set<string>();
  let lastStarted: string | null = null;
  return {
    started(requestId) {
      if (inFlight.size >= options.maxInFlight) inFlight.delete(inFlight.values().next().value!);
      inFlight.add(requestId);
      lastStarted = requestId;
    },
    ended(requestId) {
      inFlight.delete(requestId);
    },
    fallback() {
      if (inFlight.size === 1) return inFlight.values().next().value!;
      if (inFlight.size === 0 && !options.concurrent) return lastStarted;
      return null;
    },
  };
}

/**
 * Whether the backend is taking exports, per signal, and when to try a failing one again. While
 * a signal fails (connection refused or reset, timeout, 429, 5xx), end-of-invocation flushes
 * stop holding invocations and exports go on in the background, no more often than an
 * exponential backoff (1 s doubling to 60 s) or the backend's `Retry-After` allows. The first
 * export the backend takes again restores the normal policy.
 *
 * The OTLP exporters honour `Retry-After` inside one export but do not pass it on, so the
 * header is read from node:http's `http.client.response.finish` diagnostics channel.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { isRetainable } from './retaining-exporter.ts';

export type Signal = 'traces' | 'metrics' | 'logs';

export interface BackendHealth {
  /** True while some signal's last export failed in a way that may pass later. */
  failing(): boolean;
  /** True when no signal fails, or a failing one may be tried again now. */
  attemptDue(): boolean;
  /**
   * An export did not answer within the flush budget. The exporters retry inside one export
   * for up to their timeout (10 s by default), so their own result would come too late to
   * spare the invocations meanwhile. Any export the backend takes clears it.
   */
  timedOut(): void;
  /** Milliseconds until a failing signal may be tried again (0: now); null when none is failing. */
  retryInMs(): number | null;
  /** Wraps `exporter.export` (in place) to learn from every result. */
  watch<E extends WatchableExporter>(signal: Signal, exporter: E): E;
  /** Stops listening to the HTTP diagnostics channel. */
  close(): void;
}

/** Any OTLP exporter: spans, log records and metrics all export this way. */
export interface WatchableExporter {
  export(data: never, resultCallback: (result: ExportResult) => void): void;
}

export interface BackendHealthOptions {
  /** Called when a signal starts failing and when it recovers, for the extension's log. */
  readonly onChange?: (signal: Signal, failing: boolean, error?: string) => void;
  readonly now?: () => number;
}

export const INITIAL_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 60_000;
/** A longer `Retry-After` is cut to this: the environment may be gone by then. */
export const MAX_RETRY_AFTER_MS = 300_000;
const RESPONSE_CHANNEL = 'http.client.response.finish';
/** Failures that say nothing about the backend: the exporter refused before sending. */
const LOCAL_FAILURES = new Set(['Concurrent export limit reached', 'Nothing to send']);

interface SignalState {
  failing: boolean;
  backoffMs: number;
  nextAttemptAtMs: number;
}

export function createBackendHealth(options: BackendHealthOptions = {}): BackendHealth {
  const now = options.now ?? Date.now;
  const states = new Map<Signal | 'flush', SignalState>();
  const stateOf = (signal: Signal | 'flush'): SignalState => {
    let state = states.get(signal);
    if (state === undefined) states.set(signal, (state = { failing: false, backoffMs: INITIAL_BACKOFF_MS, nextAttemptAtMs: 0 }));
    return state;
  };

  const recover = (state: SignalState): void => {
    state.failing = false;
    state.backoffMs = INITIAL_BACKOFF_MS;
    // An earlier Retry-After is over once the backend takes exports: a new failure starts afresh.
    state.nextAttemptAtMs = 0;
  };
  const fail = (state: SignalState): void => {
    state.failing = true;
    state.nextAttemptAtMs = Math.max(state.nextAttemptAtMs, now() + state.backoffMs);
    state.backoffMs = Math.min(MAX_BACKOFF_MS, state.backoffMs * 2);
  };
  const record = (signal: Signal, result: ExportResult): void => {
    const state = stateOf(signal);
    if (result.code === ExportResultCode.SUCCESS || !isRetainable(result)) {
      // A 4xx is the backend answering: it is up, only that batch was wrong.
      if (state.failing) options.onChange?.(signal, false);
      recover(state);
      recover(stateOf('flush'));
      return;
    }
    if (result.error !== undefined && LOCAL_FAILURES.has(result.error.message)) return;
    if (!state.failing) options.onChange?.(signal, true, result.error?.message);
    fail(state);
  };

  const onResponse = (message: unknown): void => {
    const response = (message as { response?: IncomingMessage }).response;
    const retryAfterMs = parseRetryAfterMs(response?.headers['retry-after'], now());
    if (retryAfterMs === null || (response?.statusCode !== 429 && response?.statusCode !== 503)) return;
    const path = (message as { request?: { path?: string } }).request?.path ?? '';
    for (const signal of ['traces', 'metrics', 'logs'] as const) {
      if (path !== '' && !path.endsWith(`/v1/${signal}`)) continue;
      const state = stateOf(signal);
      state.nextAttemptAtMs = Math.max(state.nextAttemptAtMs, now() + Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
    }
  };
  subscribe(RESPONSE_CHANNEL, onResponse);

  return {
    failing() {
      for (const state of states.values()) if (state.failing) return true;
      return false;
    },
    attemptDue() {
      let backingOff = false;
      for (const state of states.values()) {
        if (!state.failing) continue;
        if (state.nextAttemptAtMs <= now()) return true;
        backingOff = true;
      }
      return !backingOff;
    },
    timedOut() {
      fail(stateOf('flush'));
    },
    retryInMs() {
      let soonest: number | null = null;
      for (const [signal, state] of states) {
        if (signal === 'flush' || !state.failing) continue;
        const inMs = Math.max(0, state.nextAttemptAtMs - now());
        soonest = soonest === null ? inMs : Math.min(soonest, inMs);
      }
      return soonest;
    },
    watch(signal, exporter) {
      const original = exporter.export.bind(exporter) as (data: unknown, resultCallback: (result: ExportResult) => void) => void;
      const watched = (data: unknown, resultCallback: (result: ExportResult) => void): void =>
        original(data, (result) => {
          record(signal, result);
          resultCallback(result);
        });
      (exporter as unknown as { export: typeof watched }).export = watched;
      return exporter;
    },
    close() {
      unsubscribe(RESPONSE_CHANNEL, onResponse);
    },
  };
}

/** `Retry-After` as ms from now: delay-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfterMs(header: string | string[] | undefined, nowMs: number): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  // Every HTTP date form carries hh:mm:ss (RFC 9110 section 5.6.7); Date.parse alone would
  // read '1.5', '-5' or 'later 2030' as dates.
  if (!/\d\d:\d\d:\d\d/.test(value)) return null;
  const atMs = Date.parse(value);
  return Number.isNaN(atMs) ? null : Math.max(0, atMs - nowMs);
}

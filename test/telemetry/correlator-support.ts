/**
 * Builders and a harness shared by the correlator tests (not a test file: the runner only picks
 * `*.test.ts`): platform events at an offset from one instant, the three events of an
 * invocation, a correlator that records what it emits, and a seeded shuffle.
 */
import { createCorrelator } from '../../src/telemetry/correlator.ts';
import type { Correlator, CorrelatorOptions } from '../../src/telemetry/correlator.ts';
import type {
  InitReportEvent,
  InitRuntimeDoneEvent,
  InitStartEvent,
  ReportEvent,
  ReportMetrics,
  RestoreReportEvent,
  RestoreRuntimeDoneEvent,
  RestoreStartEvent,
  RuntimeDoneEvent,
  StartEvent,
  TelemetryEvent,
} from '../../src/telemetry/events.ts';
import type { InvocationRecord, PhaseRecord } from '../../src/telemetry/invocation.ts';

const BASE_MS = Date.parse('2025-03-14T09:26:53.589Z');
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;

/** ISO time `offsetMs` after BASE_MS, the way Lambda stamps events. */
export function at(offsetMs: number): string {
  return new Date(BASE_MS + offsetMs).toISOString();
}

export function start(requestId: string, offsetMs = 0): StartEvent {
  return { time: at(offsetMs), type: 'platform.start', record: { requestId, version: '$LATEST' } };
}

export function runtimeDone(requestId: string, offsetMs = 0): RuntimeDoneEvent {
  return {
    time: at(offsetMs),
    type: 'platform.runtimeDone',
    record: { requestId, status: 'success', metrics: { durationMs: 12.5, producedBytes: 42 } },
  };
}

export function report(requestId: string, offsetMs = 0, extra: Partial<ReportMetrics> = {}): ReportEvent {
  const metrics: ReportMetrics = { durationMs: 13.1, billedDurationMs: 14, memorySizeMB: 128, maxMemoryUsedMB: 70, ...extra };
  return { time: at(offsetMs), type: 'platform.report', record: { requestId, status: 'success', metrics } };
}

export function initStart(initializationType?: string, offsetMs = 0, phase = 'init'): InitStartEvent {
  return { time: at(offsetMs), type: 'platform.initStart', record: { initializationType, phase, runtimeVersion: 'nodejs:22.v40' } };
}

export function initRuntimeDone(initializationType?: string, offsetMs = 0, phase = 'init'): InitRuntimeDoneEvent {
  return { time: at(offsetMs), type: 'platform.initRuntimeDone', record: { initializationType, phase, status: 'success' } };
}

export function initReport(initializationType?: string, offsetMs = 0, phase = 'init'): InitReportEvent {
  return {
    time: at(offsetMs),
    type: 'platform.initReport',
    record: { initializationType, phase, status: 'success', metrics: { durationMs: 250.3 } },
  };
}

export function restoreStart(offsetMs = 0): RestoreStartEvent {
  return { time: at(offsetMs), type: 'platform.restoreStart', record: { runtimeVersion: 'java:21.v30' } };
}

export function restoreRuntimeDone(offsetMs = 0): RestoreRuntimeDoneEvent {
  return { time: at(offsetMs), type: 'platform.restoreRuntimeDone', record: { status: 'success' } };
}

export function restoreReport(offsetMs = 0): RestoreReportEvent {
  return { time: at(offsetMs), type: 'platform.restoreReport', record: { status: 'success', metrics: { durationMs: 310.4 } } };
}

/** All three events of one invocation, in Lambda's order. */
export function invocation(requestId: string, offsetMs = 0, extra: Partial<ReportMetrics> = {}): TelemetryEvent[] {
  return [start(requestId, offsetMs), runtimeDone(requestId, offsetMs + 10), report(requestId, offsetMs + 20, extra)];
}

export interface Harness {
  readonly correlator: Correlator;
  readonly invocations: InvocationRecord[];
  readonly phases: PhaseRecord[];
  feed(...events: readonly TelemetryEvent[]): void;
}

export function harness(options: Partial<CorrelatorOptions> = {}): Harness {
  const invocations: InvocationRecord[] = [];
  const phases: PhaseRecord[] = [];
  const correlator = createCorrelator({
    ...options,
    onInvocation: (record) => invocations.push(record),
    onPhase: (record) => phases.push(record),
  });
  return {
    correlator,
    invocations,
    phases,
    feed(...events) {
      for (const event of events) correlator.add(event);
    },
  };
}

/** mulberry32: a tiny seeded PRNG, so that shuffled orders are the same on every run. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** The `phase` field of an init phase's initStart, if it has one. */
export function initPhaseOf(record: PhaseRecord): string | null {
  return record.start?.type === 'platform.initStart' ? (record.start.record.phase ?? null) : null;
}

/** The figures and target verdicts BENCHMARKS.md reports, derived from the raw results. */
import type { ColdRun, ColdStart, ColdVariant } from './cold-start.ts';
import { SMALL_MB } from './environment.ts';
import type { Results } from './results.ts';
import { median, percentile } from './stats.ts';
import type { ThroughputResult } from './throughput.ts';

export type ColdFigures = { readonly [K in keyof ColdRun]: number };

export function coldFigures(runs: readonly ColdRun[]): ColdFigures {
  const of = (pick: (run: ColdRun) => number | null): number => median(runs.map((run) => pick(run) ?? Number.NaN));
  return {
    wallMs: of((r) => r.wallMs),
    cpuMs: of((r) => r.cpuMs),
    hwmMiB: of((r) => r.hwmMiB),
    anonMiB: of((r) => r.anonMiB),
    cpuAfterFirstInvokeMs: of((r) => r.cpuAfterFirstInvokeMs),
    cpuAfterExportMs: of((r) => r.cpuAfterExportMs),
    idleHwmMiB: of((r) => r.idleHwmMiB),
    idleAnonMiB: of((r) => r.idleAnonMiB),
    spansExported: of((r) => r.spansExported),
    traceBytes: of((r) => r.traceBytes),
    groupPeakMiB: of((r) => r.groupPeakMiB),
    // Not a median: every kill counts.
    oomKills: runs.reduce((sum, run) => sum + run.oomKills, 0),
  };
}

/** The cold starts at `sizeMB` (128 MB unless asked). */
export function coldAt(results: Results, sizeMB = SMALL_MB): ColdStart {
  const cold = results.cold.find((c) => c.sizeMB === sizeMB);
  if (cold === undefined) throw new Error(`no cold starts at ${sizeMB} MB`);
  return cold;
}

export function allColdFigures(results: Results, sizeMB = SMALL_MB): Record<ColdVariant, ColdFigures> {
  const { runs } = coldAt(results, sizeMB);
  return {
    'node -e 0': coldFigures(runs['node -e 0']),
    'minimal telemetry extension': coldFigures(runs['minimal telemetry extension']),
    layer: coldFigures(runs.layer),
  };
}

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function percentiles(values: readonly number[]): Percentiles {
  return { p50: percentile(values, 50), p99: percentile(values, 99), max: Math.max(...values) };
}

export interface ThroughputFigures {
  readonly eventsPerS: number;
  readonly ingestEventsPerS: number;
  /** Events per second of the layer's own CPU time: what it would do with a whole core. */
  readonly eventsPerCpuS: number;
  readonly jsonParseEventsPerS: number;
  readonly jsonParseEventsPerCpuS: number;
  readonly decodeEventsPerS: number;
  readonly decodeCorrelateEventsPerS: number;
  /** Layer CPU per event, and JSON.parse's CPU per event of the same bodies, in µs. */
  readonly cpuUsPerEvent: number;
  readonly jsonParseCpuUsPerEvent: number;
  readonly busyMs: number;
  readonly cpuMs: number;
  readonly waitMs: number;
  readonly hwmMiB: number;
  readonly anonIdleMiB: number;
  /** Median of the runs' peaks, and the highest of them. */
  readonly anonPeakMiB: number;
  readonly anonPeakMaxMiB: number;
  readonly groupPeakMiB: number;
  /** Summed over the runs. */
  readonly oomKills: number;
  readonly spans: number;
  readonly logs: number;
  readonly metricPoints: number;
  readonly bytesPerSpan: number;
  readonly bytesPerLog: number;
  readonly bytesPerPoint: number;
}

export function throughputFigures(result: ThroughputResult): ThroughputFigures {
  const { events } = result.scenario.workload;
  const runs = result.runs;
  const of = (pick: (run: (typeof runs)[number]) => number): number => median(runs.map(pick));
  const perS = (ms: number): number => events / (ms / 1000);
  return {
    eventsPerS: of((r) => perS(r.busyMs)),
    ingestEventsPerS: of((r) => perS(r.ingestMs)),
    eventsPerCpuS: of((r) => perS(r.cpuMs)),
    jsonParseEventsPerS: perS(result.jsonParse.wallMs),
    jsonParseEventsPerCpuS: perS(result.jsonParse.cpuMs),
    decodeEventsPerS: perS(result.decode.wallMs),
    decodeCorrelateEventsPerS: perS(result.decodeCorrelate.wallMs),
    cpuUsPerEvent: (1000 * of((r) => r.cpuMs)) / events,
    jsonParseCpuUsPerEvent: (1000 * result.jsonParse.cpuMs) / events,
    busyMs: of((r) => r.busyMs),
    cpuMs: of((r) => r.cpuMs),
    waitMs: of((r) => r.waitMs),
    hwmMiB: of((r) => r.hwmMiB),
    anonIdleMiB: of((r) => r.anonIdleMiB),
    anonPeakMiB: of((r) => r.anonPeakMiB),
    anonPeakMaxMiB: Math.max(...runs.map((r) => r.anonPeakMiB)),
    groupPeakMiB: of((r) => r.groupPeakMiB ?? Number.NaN),
    oomKills: runs.reduce((sum, run) => sum + run.oomKills, 0),
    spans: of((r) => r.spans),
    logs: of((r) => r.logs),
    metricPoints: of((r) => r.metricPoints),
    bytesPerSpan: of((r) => r.traceBytes / r.spans),
    bytesPerLog: of((r) => r.logBytes / r.logs),
    bytesPerPoint: of((r) => r.metricBytes / r.metricPoints),
  };
}

export interface Target {
  readonly what: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

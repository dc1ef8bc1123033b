/** Section 5 of BENCHMARKS.md, the relay of the function's own spans (issue 17), and its figures. */
import { percentiles } from './figures.ts';
import type { Percentiles } from './figures.ts';
import { SMALL_MB } from './environment.ts';
import { table } from './markdown.ts';
import type { RelayResults, RelayRun } from './relay.ts';
import type { Results } from './results.ts';
import { fmt, median, ratio } from './stats.ts';

export interface RelayFigures {
  /** The function's export wall time, ms: steady state pooled over the runs, and the first export (median of the runs). */
  readonly layerExport: Percentiles;
  readonly floorExport: Percentiles;
  readonly layerFirstExportMs: number;
  readonly floorFirstExportMs: number;
  readonly layerFirstExportMaxMs: number;
  readonly floorFirstExportMaxMs: number;
  /** Relay runs whose first export took longer than {@link SLOW_FIRST_EXPORT_MS}. */
  readonly slowFirstExports: number;
  /** Layer CPU in the steady state, median of the runs, ms; per relayed span, median of the paired differences, µs. */
  readonly baselineCpuMs: number;
  readonly relayCpuMs: number;
  readonly cpuUsPerSpan: number;
  readonly cpuUsPerSpanRange: readonly [number, number];
  /** The layer's extra CPU over the invocation of the first export, median of the paired differences, ms. */
  readonly firstExtraCpuMs: number;
  readonly baselineFirstCpuMs: number;
  readonly relayFirstCpuMs: number;
  /** Private memory (RssAnon) peaks, median and highest of the runs, and VmHWM (median), MiB. */
  readonly baselineAnonPeakMiB: number;
  readonly relayAnonPeakMiB: number;
  readonly baselineAnonPeakMaxMiB: number;
  readonly relayAnonPeakMaxMiB: number;
  readonly baselineHwmMiB: number;
  readonly relayHwmMiB: number;
  readonly exported: number;
  readonly delivered: number;
  readonly roots: number;
  readonly rootsJoined: number;
  readonly oomKills: number;
  readonly warnings: number;
}

/** A first export this slow waited for something other than the layer's work: about 1 s is the OTLP exporter's first retry delay. */
const SLOW_FIRST_EXPORT_MS = 500;

const steady = (runs: readonly RelayRun[]): number[] => runs.flatMap((run) => run.exportMs.slice(1));
const sum = (runs: readonly RelayRun[], pick: (run: RelayRun) => number): number => runs.reduce((total, run) => total + pick(run), 0);

export function relayFigures(results: RelayResults): RelayFigures {
  const baseline = results.pairs.map((pair) => pair.baseline);
  const relay = results.pairs.map((pair) => pair.relay);
  const all = [...baseline, ...relay];
  const of = (runs: readonly RelayRun[], pick: (run: RelayRun) => number): number => median(runs.map(pick));
  const perSpan = results.pairs.map(({ baseline: b, relay: r }) => (1000 * (r.steadyCpuMs - b.steadyCpuMs)) / r.steadySpans);
  return {
    layerExport: percentiles(steady(relay)),
    floorExport: percentiles(steady(baseline)),
    layerFirstExportMs: of(relay, (r) => r.exportMs[0] ?? Number.NaN),
    floorFirstExportMs: of(baseline, (r) => r.exportMs[0] ?? Number.NaN),
    layerFirstExportMaxMs: Math.max(...relay.map((r) => r.exportMs[0] ?? Number.NaN)),
    floorFirstExportMaxMs: Math.max(...baseline.map((r) => r.exportMs[0] ?? Number.NaN)),
    slowFirstExports: relay.filter((r) => (r.exportMs[0] ?? 0) > SLOW_FIRST_EXPORT_MS).length,
    baselineCpuMs: of(baseline, (r) => r.steadyCpuMs),
    relayCpuMs: of(relay, (r) => r.steadyCpuMs),
    cpuUsPerSpan: median(perSpan),
    cpuUsPerSpanRange: [Math.min(...perSpan), Math.max(...perSpan)],
    firstExtraCpuMs: median(results.pairs.map(({ baseline: b, relay: r }) => r.firstCpuMs - b.firstCpuMs)),
    baselineFirstCpuMs: of(baseline, (r) => r.firstCpuMs),
    relayFirstCpuMs: of(relay, (r) => r.firstCpuMs),
    baselineAnonPeakMiB: of(baseline, (r) => r.anonPeakMiB),
    relayAnonPeakMiB: of(relay, (r) => r.anonPeakMiB),
    baselineAnonPeakMaxMiB: Math.max(...baseline.map((r) => r.anonPeakMiB)),
    relayAnonPeakMaxMiB: Math.max(...relay.map((r) => r.anonPeakMiB)),
    baselineHwmMiB: of(baseline, (r) => r.hwmMiB),
    relayHwmMiB: of(relay, (r) => r.hwmMiB),
    exported: sum(relay, (r) => r.exported),
    delivered: sum(relay, (r) => r.delivered),
    roots: sum(relay, (r) => r.roots),
    rootsJoined: sum(relay, (r) => r.rootsJoined),
    oomKills: sum(all, (r) => r.oomKills),
    warnings: sum(all, (r) => r.warnings.length),
  };
}

export function relaySection(results: Results): string {
  const relay = results.relay;
  const f = relayFigures(relay);
  const reps = relay.pairs.length;
  const steadyInvocations = relay.invocations - 1;
  const latency = (name: string, p: Percentiles, first: number, firstMax: number, vs: string): string[] => [name, fmt(first, 1), fmt(firstMax, 1), fmt(p.p50, 2), vs, fmt(p.p99, 2), fmt(p.max, 1)];
  const layer = (name: string, cpuMs: number, vs: string, firstMs: number, anon: number, anonMax: number, hwm: number): string[] => [
    name,
    fmt(cpuMs),
    fmt(cpuMs / steadyInvocations, 3),
    vs,
    fmt(firstMs),
    fmt(anon),
    fmt(anonMax),
    fmt(hwm),
  ];
  return [
    `## 5. Relay of the function's own spans (issue 17; ${reps} ${reps === 1 ? 'pair' : 'pairs'} of runs, ${relay.invocations} invocations each, ${SMALL_MB} MB)`,
    '',
    `In every invocation a simulated function (the OpenTelemetry SDK, \`BatchSpanProcessor\` and the protobuf OTLP/HTTP exporter, in the layer's cgroup) ends one request's ${relay.spansPerRequest} spans (a SERVER root with \`faas.invocation_id\`, ${relay.spansPerRequest - 1} children) and waits for \`forceFlush()\`: in the relay run to the layer's receiver, in the paired baseline run to a minimal local receiver (reads the body, answers 200) while the layer's receiver listens unused. The runtime answers once the export is done, as a handler awaiting it does. Invocation 1 carries the function's first export, made while the layer loads its pipeline on that INVOKE; invocations 2 to ${relay.invocations} are the steady state, through SHUTDOWN.`,
    '',
    "The function's export, wall ms of `forceFlush()` as the function sees it (p50, p99 and max pooled over the runs' steady state):",
    '',
    table(['receiver', 'first export, median of the runs', 'highest', 'p50', 'vs minimal', 'p99', 'max'], [
      latency('minimal local receiver', f.floorExport, f.floorFirstExportMs, f.floorFirstExportMaxMs, ''),
      latency('layer (relay)', f.layerExport, f.layerFirstExportMs, f.layerFirstExportMaxMs, ratio(f.layerExport.p50, f.floorExport.p50)),
    ]),
    '',
    'The layer (CPU median of the runs; invocation 1, with the pipeline\'s load and the first export, and its telemetry apart):',
    '',
    table(['layer, 128 MB', `CPU ms, invocations 2–${relay.invocations} and SHUTDOWN`, 'per invocation', 'vs baseline', 'CPU ms, invocation 1', 'private MiB peak', 'highest', 'VmHWM MiB'], [
      layer('baseline: no relayed traffic', f.baselineCpuMs, '', f.baselineFirstCpuMs, f.baselineAnonPeakMiB, f.baselineAnonPeakMaxMiB, f.baselineHwmMiB),
      layer(`relaying ${relay.spansPerRequest} spans per invocation`, f.relayCpuMs, ratio(f.relayCpuMs, f.baselineCpuMs), f.relayFirstCpuMs, f.relayAnonPeakMiB, f.relayAnonPeakMaxMiB, f.relayHwmMiB),
    ]),
    '',
    `- **CPU per relayed span: ${fmt(f.cpuUsPerSpan, 1)} µs** (${reps === 1 ? 'one paired difference' : `median of ${reps} paired differences, ${fmt(f.cpuUsPerSpanRange[0], 1)} to ${fmt(f.cpuUsPerSpanRange[1], 1)}`}): receiving, decoding, joining, re-encoding and sending on, per request of ${relay.spansPerRequest} spans ${fmt((f.cpuUsPerSpan * relay.spansPerRequest) / 1000, 2)} ms.`,
    `- **First export:** ${fmt(f.firstExtraCpuMs, 1)} ms more layer CPU than the same invocation without it (the receiver loads its codec, protobufjs, on the first request, and protobufjs generates the coder of each message type on its first use).${f.slowFirstExports > 0 ? ` In ${f.slowFirstExports} of ${reps} relay runs the function's first export took over ${SLOW_FIRST_EXPORT_MS} ms (highest ${fmt(f.layerFirstExportMaxMs, 0)} ms), about the OTLP exporter's first retry delay (1 s): the first request did not get its answer at once${f.floorFirstExportMaxMs <= SLOW_FIRST_EXPORT_MS ? '; against the minimal receiver it never did' : ''}.` : ''}`,
    `- **Delivered:** ${fmt(f.delivered, 0)} of ${fmt(f.exported, 0)} relayed spans arrived, each exactly once; ${fmt(f.rootsJoined, 0)} of ${fmt(f.roots, 0)} roots under their invocation span; ${f.oomKills} OOM kills; ${f.warnings} layer warnings.`,
  ].join('\n');
}

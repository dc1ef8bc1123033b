/** The measurement tables of BENCHMARKS.md, one function per benchmark. */
import { COLD_VARIANTS } from './cold-start.ts';
import type { ColdRun, ColdStart, ColdVariant } from './cold-start.ts';
import { allColdFigures, percentiles, throughputFigures } from './figures.ts';
import type { BackendDownVariant } from './backend-down.ts';
import type { OverheadVariant } from './invoke-overhead.ts';
import { table } from './markdown.ts';
import type { Results } from './results.ts';
import { fmt, median, pct, ratio } from './stats.ts';
import type { ThroughputResult } from './throughput.ts';

const MINIMAL = 'minimal telemetry extension' as const;

function coldRows(results: Results, cold: ColdStart): { start: string[][]; exported: string[][] } {
  const figures = allColdFigures(results, cold.sizeMB);
  const minimal = figures[MINIMAL];
  const floor = figures['node -e 0'];
  const size = `${fmt(cold.sizeMB, 0)} MB`;
  // Runs of the same round are paired: the median of per-round differences cancels slow drift.
  const paired = (name: ColdVariant, pick: (run: ColdRun) => number): string => {
    const base = cold.runs[MINIMAL];
    return name === MINIMAL ? '' : fmt(median(cold.runs[name].map((run, i) => pick(run) - pick(base[i]!))));
  };
  const start = COLD_VARIANTS.map((name) => {
    const f = figures[name];
    return [
      `${name}, ${size}`,
      fmt(f.wallMs),
      ratio(f.wallMs, minimal.wallMs),
      paired(name, (r) => r.wallMs),
      fmt(f.cpuMs),
      ratio(f.cpuMs, minimal.cpuMs),
      paired(name, (r) => r.cpuMs),
      ratio(f.cpuMs, floor.cpuMs),
      fmt(f.anonMiB),
      fmt(f.hwmMiB),
    ];
  });
  const exported = ([MINIMAL, 'layer'] as const).map((name) => {
    const f = figures[name];
    return [
      `${name}, ${size}`,
      fmt(f.cpuAfterFirstInvokeMs),
      ratio(f.cpuAfterFirstInvokeMs, minimal.cpuAfterFirstInvokeMs),
      fmt(f.cpuAfterExportMs),
      ratio(f.cpuAfterExportMs, minimal.cpuAfterExportMs),
      fmt(f.idleAnonMiB),
      fmt(f.idleHwmMiB),
      fmt(f.groupPeakMiB),
    ];
  });
  return { start, exported };
}

export function coldStartSection(results: Results): string {
  const rows = results.cold.map((cold) => coldRows(results, cold));
  const count = results.cold[0]?.runs.layer.length ?? 0;
  return [
    `## 1. Cold start (median of ${count} runs per variant and size)`,
    '',
    'From spawn to the point: the end of the script for `node -e 0`, the first `event/next` for the extensions. Private memory is RssAnon.',
    '',
    table(['variant, function memory', 'wall ms', 'vs minimal', 'paired Δ ms', 'CPU ms', 'vs minimal', 'paired Δ ms', 'CPU vs node -e 0', 'private MiB', 'VmHWM MiB'], rows.flatMap((r) => r.start)),
    '',
    "CPU from spawn until the end of invocation 1 (the layer has loaded the OpenTelemetry SDK and exported the log line) and until the end of invocation 2 (invocation 1's spans and metrics exported, since its `platform.report` arrives during invocation 2), default `adaptive` flush; memory then (idle, frozen), and the cgroup's peak charge over the whole run:",
    '',
    table(['variant, function memory', 'CPU ms to end of inv. 1', 'vs minimal', 'CPU ms to inv. 1 exported', 'vs minimal', 'idle private MiB', 'idle VmHWM MiB', 'cgroup peak MiB'], rows.flatMap((r) => r.exported)),
  ].join('\n');
}

export function overheadSection(results: Results): string {
  const names = Object.keys(results.overhead) as OverheadVariant[];
  const floor = percentiles(results.overhead[MINIMAL].invokeToNextMs);
  const rows = names.map((name) => {
    const run = results.overhead[name];
    const toNext = percentiles(run.invokeToNextMs);
    const post = percentiles(run.postRuntimeMs);
    const excess = name === MINIMAL ? '' : fmt(toNext.p99 - floor.p99, 2);
    return [
      name,
      fmt(toNext.p50, 2),
      fmt(toNext.p99, 2),
      excess,
      fmt(toNext.max, 1),
      fmt(post.p50, 2),
      fmt(post.p99, 2),
      fmt(run.cpuPerInvocationMs, 3),
      fmt(run.waitPerInvocationMs, 3),
      `${fmt(run.anonEarlyMiB)} → ${fmt(run.anonLateMiB)}`,
    ];
  });
  const count = results.overhead[MINIMAL].invokeToNextMs.length;
  return [
    `## 2. Per-invocation overhead (${count} invocations per variant, ${fmt(results.overhead[MINIMAL].sizeMB, 0)} MB, ms)`,
    '',
    table(['variant', 'INVOKE→next p50', 'p99', 'p99 minus minimal\'s', 'max', 'post-runtime p50', 'p99', 'CPU per invocation', 'waited for a CPU per invocation', `private MiB after ${count / 10} → ${count}`], rows),
  ].join('\n');
}

function workloadName(result: ThroughputResult): string {
  return `${result.scenario.workload.name}, ${fmt(result.scenario.sizeMB, 0)} MB`;
}

function cpuRow(result: ThroughputResult): string[] {
  const f = throughputFigures(result);
  const w = result.scenario.workload;
  const delivered = w.expectedLogs > 0 ? `${fmt(f.logs, 0)} / ${fmt(w.expectedLogs, 0)} logs` : `${fmt(f.spans, 0)} / ${fmt(w.expectedSpans, 0)} spans`;
  return [
    workloadName(result),
    `${w.bodies.length} × ≤${fmt(w.bytes / w.bodies.length / 1024, 0)} KiB`,
    delivered,
    fmt(f.cpuUsPerEvent, 2),
    fmt(f.jsonParseCpuUsPerEvent, 3),
    ratio(f.cpuUsPerEvent, f.jsonParseCpuUsPerEvent),
    pct(f.decodeEventsPerS, f.jsonParseEventsPerS),
    pct(f.decodeCorrelateEventsPerS, f.jsonParseEventsPerS),
    fmt(f.busyMs, 0),
    fmt(f.eventsPerS, 0),
    fmt(f.ingestEventsPerS, 0),
    fmt(f.waitMs, 0),
  ];
}

function memoryRow(result: ThroughputResult): string[] {
  const f = throughputFigures(result);
  return [workloadName(result), fmt(f.anonIdleMiB), fmt(f.anonPeakMiB), fmt(f.anonPeakMaxMiB), fmt(f.hwmMiB), fmt(f.groupPeakMiB), String(f.oomKills)];
}

export function throughputSection(results: Results): string {
  const { measured, oneVcpu, losses } = results.throughput;
  const all = [...measured, ...oneVcpu];
  const lossRows = losses.map((result) => {
    const run = result.runs[0]!;
    const w = result.scenario.workload;
    const config = Object.entries(result.scenario.env).map(([k, v]) => `${k}=${v}`).join(' ') || 'defaults';
    const lost = run.warnings.map((line) => (JSON.parse(line) as { msg: string }).msg);
    return [
      `${w.name}, ${w.bodies.length} × ≤${fmt(w.bytes / w.bodies.length / 1024, 0)} KiB, ${config}, ${fmt(result.scenario.sizeMB, 0)} MB${result.scenario.settle ? '' : ', SHUTDOWN right after the last POST'}`,
      `${fmt(run.spans, 0)} / ${fmt(w.expectedSpans, 0)}`,
      `${fmt(run.logs, 0)} / ${fmt(w.expectedLogs, 0)}`,
      fmt(run.anonPeakMiB),
      fmt(run.hwmMiB),
      String(run.oomKills),
      lost.length === 0 ? 'none' : `${lost.length} × "${[...new Set(lost.map((msg) => msg.replace(/\d+/g, 'N')))].join('", "')}"`,
    ];
  });
  const reps = (list: readonly ThroughputResult[]): number => list[0]?.runs.length ?? 0;
  return [
    `## 3. Pipeline throughput (median of ${reps(measured)} runs at 128 MB, ${reps(oneVcpu)} at 1 769 MB)`,
    '',
    'CPU per event: the layer process over the run, listener to backend, SHUTDOWN export included. JSON.parse, `decode()` and `decode()` + correlator of the same bodies run on the same node in a cgroup of the same size (their speed as a share of JSON.parse\'s). Busy time: first POST until the last export request is read by the receiver; ingest only: until the last POST was answered (exports still running); waited: time the layer was runnable but had no CPU (other load on this machine).',
    '',
    table(
      ['workload, function memory', 'bodies', 'delivered', 'layer CPU µs/event', 'JSON.parse CPU µs/event', 'vs JSON.parse', 'decode()', 'decode() + correlator', 'busy ms', 'events/s', 'ingest only events/s', 'waited for a CPU ms'],
      all.map(cpuRow),
    ),
    '',
    'Memory over the same runs: private memory (RssAnon) quiet before the first POST (SDK loaded, one invocation exported), its highest sample under the load (median and highest of the runs), VmHWM, and the cgroup\'s peak charge:',
    '',
    table(['workload, function memory', 'private MiB before', 'private MiB peak', 'highest peak', 'VmHWM MiB', 'cgroup peak MiB', 'OOM kills'], all.map(memoryRow)),
    '',
    'What arrived at the receiver (spans / expected, log records / expected) and what the layer logged, once per case:',
    '',
    table(['case', 'spans', 'log records', 'private MiB peak', 'VmHWM MiB', 'OOM kills', 'layer warnings'], lossRows),
  ].join('\n');
}

export function memorySection(results: Results): string {
  const cold = allColdFigures(results);
  const peaks = results.throughput.measured.map((result) => {
    const f = throughputFigures(result);
    return [`layer under ${result.scenario.workload.name} (peak)`, f.anonPeakMiB, f.hwmMiB] as const;
  });
  const g = results.growth;
  const rows: Array<readonly [string, number, number]> = [
    ['node -e 0 at its end', cold['node -e 0'].anonMiB, cold['node -e 0'].hwmMiB],
    ['minimal telemetry extension at its first event/next', cold[MINIMAL].anonMiB, cold[MINIMAL].hwmMiB],
    ['minimal telemetry extension idle after 2 invocations', cold[MINIMAL].idleAnonMiB, cold[MINIMAL].idleHwmMiB],
    ['layer at its first event/next', cold.layer.anonMiB, cold.layer.hwmMiB],
    ['layer idle after 2 invocations (SDK loaded, invocation 1 exported)', cold.layer.idleAnonMiB, cold.layer.idleHwmMiB],
    ...peaks,
    [`layer over ${fmt(g.readings.at(-1)?.invocations ?? 0, 0)} invocations (growth run, peak)`, g.anonPeakMiB, g.hwmMiB],
  ];
  const growth = g.readings.map((r) => [
    fmt(r.invocations, 0),
    fmt(r.anonMiB),
    fmt(r.anonAfterGcMiB),
    fmt(r.rssMiB),
    fmt(r.heapUsedMiB, 2),
    fmt(r.heapTotalMiB),
    fmt(r.anonAfterGcMiB - r.heapTotalMiB),
    fmt(r.externalMiB, 2),
    fmt(r.anonAfterReducingGcMiB),
    fmt(r.heapTotalAfterReducingGcMiB),
  ]);
  return [
    `## 4. Memory (function memory ${fmt(g.sizeMB, 0)} MB)`,
    '',
    'Private memory is RssAnon; VmHWM also counts the node binary\'s and libraries\' pages, which the function\'s own node shares.',
    '',
    table(['process', 'private MiB', 'VmHWM MiB'], rows.map(([name, anon, hwm]) => [name, fmt(anon), fmt(hwm)])),
    '',
    `Growth run: ${fmt(g.readings.at(-1)?.invocations ?? 0, 0)} invocations POSTed in ${fmt(g.elapsedMs / 1000)} s (layer CPU ${fmt(g.cpuMs / 1000)} s); the receiver got ${fmt(g.spans, 0)} of ${fmt(g.expectedSpans, 0)} spans and ${fmt(g.logs, 0)} log records; ${g.warnings.length} warning lines; ${g.oomKills} OOM kills.`,
    '',
    table(['after invocations', 'private MiB', 'private MiB after GC', 'VmRSS MiB', 'V8 heap used MiB', 'V8 heap reserved MiB', 'private after GC − V8 heap reserved MiB', 'external MiB', 'private MiB after a memory-reducing GC', 'V8 heap reserved MiB then'], growth),
  ].join('\n');
}

export function sizeSection(results: Results): string {
  const s = results.size;
  const cold = allColdFigures(results);
  const measured = results.throughput.measured.map(throughputFigures);
  const [logs, platform] = measured;
  return [
    '## 6. Size',
    '',
    table(
      ['what', 'bytes'],
      [
        ['dist/layer.zip', fmt(s.zipBytes, 0)],
        [`unzipped (${s.files} files)`, fmt(s.unzippedBytes, 0)],
        [`entry bundle (loaded before the first event/next; imports ${s.entryBuiltins.join(', ')})`, fmt(s.entryBytes, 0)],
        [`largest chunk, ${s.largestChunk.path} (loaded on the first INVOKE)`, fmt(s.largestChunk.bytes, 0)],
        [`on the wire per span, batches of up to 512 (${platform === undefined ? '' : platform.spans} spans)`, fmt(platform?.bytesPerSpan ?? Number.NaN, 0)],
        [`on the wire per span, one invocation's request (${cold.layer.spansExported} spans)`, fmt(cold.layer.traceBytes / cold.layer.spansExported, 0)],
        ['on the wire per log record, batches of 512 (~100-byte bodies)', fmt(logs?.bytesPerLog ?? Number.NaN, 0)],
        ['on the wire per metric point, (3b)', fmt(platform?.bytesPerPoint ?? Number.NaN, 0)],
      ],
    ),
  ].join('\n');
}

export function backendDownSection(results: Results): string {
  const names = Object.keys(results.backendDown) as BackendDownVariant[];
  const rows = names.map((name) => {
    const post = percentiles(results.backendDown[name].postRuntimeMs);
    return [name, fmt(post.p50, 2), fmt(post.p99, 2), fmt(post.max, 1)];
  });
  const count = results.backendDown['end, backend up'].postRuntimeMs.length;
  return [
    `## 2b. A down backend (${count} invocations per variant, freeze on, post-runtime ms)`,
    '',
    'The endpoint refuses connections. The first invocation waits its flush budget (1 s) or the exporter\'s failure, whichever comes first; after that the layer exports in the background with backoff and no invocation waits for the backend.',
    '',
    table(['variant', 'post-runtime p50', 'p99', 'max'], rows),
  ].join('\n');
}

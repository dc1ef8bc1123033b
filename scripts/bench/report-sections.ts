/** The measurement tables of BENCHMARKS.md, one function per benchmark. */
import type { ColdRun, ColdVariant } from './cold-start.ts';
import { allColdFigures, percentiles, throughputFigures } from './figures.ts';
import type { BackendDownVariant } from './backend-down.ts';
import type { OverheadVariant } from './invoke-overhead.ts';
import { table } from './markdown.ts';
import type { Results } from './results.ts';
import { fmt, median, pct, ratio } from './stats.ts';
import type { ThroughputResult } from './throughput.ts';

const COLD_VARIANTS: readonly ColdVariant[] = ['node -e 0', 'minimal extension', 'layer'];

export function coldStartSection(results: Results): string {
  const cold = allColdFigures(results);
  const minimal = cold['minimal extension'];
  const floor = cold['node -e 0'];
  // Runs of the same round are paired: the median of per-round differences cancels slow drift.
  const paired = (name: ColdVariant, pick: (run: ColdRun) => number): string => {
    const base = results.cold['minimal extension'];
    return name === 'minimal extension' ? '' : fmt(median(results.cold[name].map((run, i) => pick(run) - pick(base[i]!))));
  };
  const startRows = COLD_VARIANTS.map((name) => {
    const f = cold[name];
    return [
      name,
      fmt(f.wallMs),
      ratio(f.wallMs, minimal.wallMs),
      paired(name, (r) => r.wallMs),
      fmt(f.cpuMs),
      ratio(f.cpuMs, minimal.cpuMs),
      paired(name, (r) => r.cpuMs),
      ratio(f.cpuMs, floor.cpuMs),
      fmt(f.hwmMiB),
    ];
  });
  const exportRows = (['minimal extension', 'layer'] as const).map((name) => {
    const f = cold[name];
    return [name, fmt(f.cpuAfterFirstInvokeMs), ratio(f.cpuAfterFirstInvokeMs, minimal.cpuAfterFirstInvokeMs), fmt(f.cpuAfterExportMs), ratio(f.cpuAfterExportMs, minimal.cpuAfterExportMs), fmt(f.idleHwmMiB)];
  });
  return [
    `## 1. Cold start (median of ${results.cold.layer.length} runs per variant)`,
    '',
    'From spawn to the point: the end of the script for `node -e 0`, the first `event/next` for the extensions.',
    '',
    table(['variant', 'wall ms', 'vs minimal', 'paired Δ ms', 'CPU ms', 'vs minimal', 'paired Δ ms', 'CPU vs node -e 0', 'VmHWM MiB'], startRows),
    '',
    'CPU from spawn until the end of invocation 1 (the layer has loaded the OpenTelemetry SDK and exported the log line) and until the end of invocation 2 (invocation 1\'s spans and metrics exported, since its `platform.report` arrives during invocation 2), default `adaptive` flush:',
    '',
    table(['variant', 'CPU ms to end of inv. 1', 'vs minimal', 'CPU ms to inv. 1 exported', 'vs minimal', 'idle VmHWM MiB'], exportRows),
  ].join('\n');
}

export function overheadSection(results: Results): string {
  const names = Object.keys(results.overhead) as OverheadVariant[];
  const floor = percentiles(results.overhead['minimal extension'].invokeToNextMs);
  const rows = names.map((name) => {
    const run = results.overhead[name];
    const toNext = percentiles(run.invokeToNextMs);
    const post = percentiles(run.postRuntimeMs);
    const excess = name === 'minimal extension' ? '' : fmt(toNext.p99 - floor.p99, 2);
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
      `${fmt(run.rssEarlyMiB)} → ${fmt(run.rssLateMiB)}`,
    ];
  });
  const count = results.overhead['minimal extension'].invokeToNextMs.length;
  return [
    `## 2. Per-invocation overhead (${count} invocations per variant, ms)`,
    '',
    table(['variant', 'INVOKE→next p50', 'p99', 'p99 minus minimal\'s', 'max', 'post-runtime p50', 'p99', 'CPU per invocation', 'waited for a CPU per invocation', `VmRSS MiB after ${count / 10} → ${count}`], rows),
  ].join('\n');
}

function throughputRow(result: ThroughputResult): string[] {
  const f = throughputFigures(result);
  const w = result.scenario.workload;
  const delivered = w.expectedLogs > 0 ? `${fmt(f.logs, 0)} / ${fmt(w.expectedLogs, 0)} logs` : `${fmt(f.spans, 0)} / ${fmt(w.expectedSpans, 0)} spans`;
  return [
    w.name,
    `${w.bodies.length} × ≤${fmt(w.bytes / w.bodies.length / 1024, 0)} KiB`,
    delivered,
    fmt(f.busyMs, 0),
    fmt(f.eventsPerS, 0),
    pct(f.eventsPerS, f.jsonParseEventsPerS),
    fmt(f.cpuMs, 0),
    fmt(f.waitMs, 0),
    fmt(f.eventsPerCpuS, 0),
    pct(f.eventsPerCpuS, f.jsonParseEventsPerCpuS),
    fmt(f.jsonParseEventsPerS, 0),
    `${fmt(f.decodeEventsPerS, 0)} (${pct(f.decodeEventsPerS, f.jsonParseEventsPerS)})`,
    `${fmt(f.decodeCorrelateEventsPerS, 0)} (${pct(f.decodeCorrelateEventsPerS, f.jsonParseEventsPerS)})`,
    fmt(f.ingestEventsPerS, 0),
  ];
}

export function throughputSection(results: Results): string {
  const { measured, losses } = results.throughput;
  const lossRows = losses.map((result) => {
    const run = result.runs[0]!;
    const w = result.scenario.workload;
    const config = Object.entries(result.scenario.env).map(([k, v]) => `${k}=${v}`).join(' ') || 'defaults';
    const lost = run.warnings.map((line) => (JSON.parse(line) as { msg: string }).msg);
    return [
      `${w.name}, ${w.bodies.length} × ≤${fmt(w.bytes / w.bodies.length / 1024, 0)} KiB, ${config}${result.scenario.settle ? '' : ', SHUTDOWN right after the last POST'}`,
      `${fmt(run.spans, 0)} / ${fmt(w.expectedSpans, 0)}`,
      `${fmt(run.logs, 0)} / ${fmt(w.expectedLogs, 0)}`,
      fmt(run.hwmMiB),
      lost.length === 0 ? 'none' : `${lost.length} × "${[...new Set(lost.map((msg) => msg.replace(/\d+/g, 'N')))].join('", "')}"`,
    ];
  });
  const reps = measured[0]?.runs.length ?? 0;
  return [
    `## 3. Pipeline throughput (median of ${reps} runs)`,
    '',
    'Events/s over the busy time (first POST until the last export request is read by the receiver); per CPU-second of the layer process (what it would do with a core to itself); JSON.parse, `decode()` and `decode()` + correlator of the same bodies in the benchmark process; ingest only: until the last POST was answered (exports still running).',
    '',
    table(
      [
        'workload',
        'bodies',
        'delivered',
        'busy ms',
        'events/s',
        'of JSON.parse',
        'layer CPU ms',
        'waited for a CPU ms',
        'events/CPU-s',
        'of JSON.parse (CPU)',
        'JSON.parse events/s',
        'decode() events/s',
        'decode() + correlator events/s',
        'ingest only events/s',
      ],
      measured.map(throughputRow),
    ),
    '',
    'What arrived at the receiver (spans / expected, log records / expected) and what the layer logged, once per case:',
    '',
    table(['case', 'spans', 'log records', 'peak RSS MiB', 'layer warnings'], lossRows),
  ].join('\n');
}

export function memorySection(results: Results): string {
  const cold = allColdFigures(results);
  const floor = cold['node -e 0'].hwmMiB;
  const peaks = results.throughput.measured.map((result) => [`layer under ${result.scenario.workload.name}`, throughputFigures(result).hwmMiB] as const);
  const rows: Array<readonly [string, number]> = [
    ['node -e 0', floor],
    ['layer at its first event/next', cold.layer.hwmMiB],
    ['layer idle after 2 invocations (SDK loaded)', cold.layer.idleHwmMiB],
    ...peaks,
    [`layer over ${fmt(results.growth.readings.at(-1)?.invocations ?? 0, 0)} invocations (growth run)`, results.growth.hwmMiB],
  ];
  const growth = results.growth.readings.map((r) => [fmt(r.invocations, 0), fmt(r.rssMiB), fmt(r.rssAfterGcMiB), fmt(r.heapUsedMiB, 2), fmt(r.heapTotalMiB), fmt(r.externalMiB, 2)]);
  const g = results.growth;
  return [
    '## 4. Memory',
    '',
    table(['process', 'peak RSS (VmHWM) MiB', 'over node -e 0 MiB'], rows.map(([name, hwm]) => [name, fmt(hwm), fmt(hwm - floor)])),
    '',
    `Growth run: ${fmt(g.readings.at(-1)?.invocations ?? 0, 0)} invocations POSTed in ${fmt(g.elapsedMs / 1000)} s (layer CPU ${fmt(g.cpuMs / 1000)} s); the receiver got ${fmt(g.spans, 0)} of ${fmt(g.expectedSpans, 0)} spans and ${fmt(g.logs, 0)} log records; ${g.warnings.length} warning lines.`,
    '',
    table(['after invocations', 'VmRSS MiB', 'RSS after GC MiB', 'V8 heap used MiB', 'V8 heap reserved MiB', 'external MiB'], growth),
  ].join('\n');
}

export function sizeSection(results: Results): string {
  const s = results.size;
  const cold = allColdFigures(results);
  const measured = results.throughput.measured.map(throughputFigures);
  const [logs, platform] = measured;
  return [
    '## 5. Size',
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

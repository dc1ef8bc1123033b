/** Renders BENCHMARKS.md: machine, commands, target verdicts, the tables, method and caveats. */
import { allColdFigures, percentiles, throughputFigures } from './figures.ts';
import type { ColdFigures, Target } from './figures.ts';
import { ONE_VCPU_MB, SMALL_MB } from './environment.ts';
import { table, verdict } from './markdown.ts';
import { METHOD } from './report-method.ts';
import { relaySection } from './report-relay.ts';
import { lossNotes, reasons } from './report-reasons.ts';
import { backendDownSection, coldStartSection, memorySection, overheadSection, sizeSection, throughputSection } from './report-sections.ts';
import type { Results } from './results.ts';
import { fmt } from './stats.ts';
import type { ThroughputResult } from './throughput.ts';

/** Lambda's MB: the layer zip limit of issue 16 is 1 MB = 1 048 576 bytes. */
const LAMBDA_MB = 1024 * 1024;

/** The targets of issue 16, each judged on this run against baselines of the same run. */
export const WANTED = {
  coldStartRatio: 1.15,
  usPerLogLine: 4,
  logLineVsJsonParse: 15,
  usPerPlatformEvent: 8,
  burstPrivateMiB: 24,
  idlePrivateMiB: 14,
  growthPrivateMiB: 5,
  p99OverMinimalMs: 1,
  exportedCpuRatio: 2.5,
} as const;

const x = (value: number, base: number, unit = 'ms'): string => `${(value / base).toFixed(2)}x (${fmt(value)} vs ${fmt(base)} ${unit})`;

/** A ratio of the layer to the minimal telemetry extension at both sizes; met only at both. */
function vsMinimal(results: Results, what: string, wanted: number, pick: (f: ColdFigures) => number): Target {
  const at = (sizeMB: number): { ratio: number; text: string } => {
    const cold = allColdFigures(results, sizeMB);
    const layer = pick(cold.layer);
    const minimal = pick(cold['minimal telemetry extension']);
    return { ratio: layer / minimal, text: x(layer, minimal) };
  };
  const small = at(SMALL_MB);
  const vcpu = at(ONE_VCPU_MB);
  return {
    what,
    target: `≤ ${wanted}x`,
    measured: `${small.text} at ${SMALL_MB} MB; ${vcpu.text} at ${fmt(ONE_VCPU_MB, 0)} MB`,
    met: small.ratio <= wanted && vcpu.ratio <= wanted,
  };
}

/** Runs at 128 MB that lost something, named; and their OOM kills. */
function lossesAt128(results: Results): { lost: string[]; oomKills: number; runs: number } {
  const lost: string[] = [];
  let oomKills = 0;
  let runs = 0;
  const check = (result: ThroughputResult): void => {
    const w = result.scenario.workload;
    for (const run of result.runs) {
      runs++;
      oomKills += run.oomKills;
      if (run.spans < w.expectedSpans || run.logs < w.expectedLogs) lost.push(`${w.name}${result.scenario.settle ? '' : ' (SHUTDOWN at once)'}: ${fmt(run.spans, 0)}/${fmt(w.expectedSpans, 0)} spans, ${fmt(run.logs, 0)}/${fmt(w.expectedLogs, 0)} logs`);
    }
  };
  for (const result of [...results.throughput.measured, ...results.throughput.losses]) check(result);
  const g = results.growth;
  runs++;
  oomKills += g.oomKills;
  const growthLogs = g.readings.at(-1)?.invocations ?? 0;
  if (g.spans < g.expectedSpans || g.logs < growthLogs) lost.push(`growth run: ${fmt(g.spans, 0)}/${fmt(g.expectedSpans, 0)} spans, ${fmt(g.logs, 0)}/${fmt(growthLogs, 0)} logs`);
  for (const run of Object.values(results.overhead)) oomKills += run.oomKills;
  for (const figures of Object.values(allColdFigures(results, SMALL_MB))) oomKills += figures.oomKills;
  return { lost, oomKills, runs };
}

export function targets(results: Results): Target[] {
  const cold = allColdFigures(results);
  const [logs, platform] = results.throughput.measured.map(throughputFigures);
  const [logs1769] = results.throughput.oneVcpu.map(throughputFigures);
  const periodic = percentiles(results.overhead['layer, periodic,10000'].invokeToNextMs);
  const floor = percentiles(results.overhead['minimal telemetry extension'].invokeToNextMs);
  const list: Target[] = [
    vsMinimal(results, 'cold start: wall time to the first event/next vs the minimal telemetry extension', WANTED.coldStartRatio, (f) => f.wallMs),
    vsMinimal(results, 'cold start: CPU to the first event/next vs the minimal telemetry extension', WANTED.coldStartRatio, (f) => f.cpuMs),
  ];
  if (logs !== undefined && platform !== undefined) {
    list.push(
      {
        what: 'CPU per function log line, listener to backend (30 000-line burst, 128 MB)',
        target: `≤ ${WANTED.usPerLogLine} µs`,
        measured: `${fmt(logs.cpuUsPerEvent, 2)} µs (at ${fmt(ONE_VCPU_MB, 0)} MB: ${fmt(logs1769?.cpuUsPerEvent ?? Number.NaN, 2)} µs)`,
        met: logs.cpuUsPerEvent <= WANTED.usPerLogLine,
      },
      {
        what: 'CPU per function log line vs JSON.parse of the same events (same node, 128 MB)',
        target: `≤ ${WANTED.logLineVsJsonParse}x`,
        measured: x(logs.cpuUsPerEvent, logs.jsonParseCpuUsPerEvent, 'µs'),
        met: logs.cpuUsPerEvent <= WANTED.logLineVsJsonParse * logs.jsonParseCpuUsPerEvent,
      },
      {
        what: "CPU per platform event, 10 000 invocations' events (128 MB)",
        target: `≤ ${WANTED.usPerPlatformEvent} µs`,
        measured: `${fmt(platform.cpuUsPerEvent, 2)} µs (${fmt(platform.cpuUsPerEvent / platform.jsonParseCpuUsPerEvent, 0)}x JSON.parse)`,
        met: platform.cpuUsPerEvent <= WANTED.usPerPlatformEvent,
      },
      {
        what: 'peak private memory (RssAnon) under the 30 000-line burst at 128 MB',
        target: `≤ ${WANTED.burstPrivateMiB} MiB`,
        measured: `${fmt(logs.anonPeakMiB)} MiB (median of the runs' peaks; highest ${fmt(logs.anonPeakMaxMiB)}; VmHWM ${fmt(logs.hwmMiB)})`,
        met: logs.anonPeakMiB <= WANTED.burstPrivateMiB,
      },
    );
  }
  list.push({
    what: 'private memory idle with the SDK loaded (invocation 1 exported, frozen; 128 MB)',
    target: `≤ ${WANTED.idlePrivateMiB} MiB`,
    measured: `${fmt(cold.layer.idleAnonMiB)} MiB (minimal telemetry extension ${fmt(cold['minimal telemetry extension'].idleAnonMiB)}, node -e 0 ${fmt(cold['node -e 0'].anonMiB)})`,
    met: cold.layer.idleAnonMiB <= WANTED.idlePrivateMiB,
  });
  const readings = results.growth.readings;
  const first = readings[0];
  const last = readings.at(-1);
  if (first !== undefined && last !== undefined) {
    const grew = last.anonAfterGcMiB - first.anonAfterGcMiB;
    list.push({
      what: `private memory after ${fmt(last.invocations, 0)} vs after ${fmt(first.invocations, 0)} invocations (after a full GC, 128 MB)`,
      target: `within ${WANTED.growthPrivateMiB} MiB`,
      measured: `${grew >= 0 ? '+' : ''}${fmt(grew)} MiB (${fmt(first.anonAfterGcMiB)} → ${fmt(last.anonAfterGcMiB)}; V8 heap used ${fmt(first.heapUsedMiB, 2)} → ${fmt(last.heapUsedMiB, 2)} MiB; after a memory-reducing GC ${fmt(first.anonAfterReducingGcMiB)} → ${fmt(last.anonAfterReducingGcMiB)})`,
      met: Math.abs(grew) <= WANTED.growthPrivateMiB,
    });
  }
  const { lost, oomKills, runs } = lossesAt128(results);
  list.push({
    what: 'nothing lost and no OOM kill at 128 MB (bursts, loss cases, growth run)',
    target: 'every line and span delivered; 0 OOM kills',
    measured: `${lost.length === 0 ? `everything delivered in ${runs} runs` : `lost: ${lost.join('; ')}`}; ${oomKills} OOM kills`,
    met: lost.length === 0 && oomKills === 0,
  });
  list.push(
    {
      what: 'per-invocation overhead, periodic mode: p99 INVOKE→next vs the minimal telemetry extension (128 MB)',
      target: `≤ +${WANTED.p99OverMinimalMs} ms`,
      measured: `${periodic.p99 - floor.p99 >= 0 ? '+' : ''}${fmt(periodic.p99 - floor.p99, 2)} ms (${fmt(periodic.p99, 2)} vs ${fmt(floor.p99, 2)} ms)`,
      met: periodic.p99 - floor.p99 <= WANTED.p99OverMinimalMs,
    },
    vsMinimal(results, 'CPU from spawn until invocation 1 is exported vs the minimal telemetry extension', WANTED.exportedCpuRatio, (f) => f.cpuAfterExportMs),
    { what: 'layer zip (Node runtimes)', target: '≤ 1 MB', measured: `${fmt(results.size.zipBytes / 1024)} KiB`, met: results.size.zipBytes <= LAMBDA_MB },
  );
  return list;
}

/** Sections of one node's run, headings one level down, under that node's own heading. */
function nodeSection(results: Results): string {
  const list = targets(results);
  const unmet = list.filter((t) => !t.met);
  const body = [
    unmet.length === 0 ? 'Every target is met.' : `${unmet.length} of ${list.length} targets are not met. Why, as far as these measurements show:`,
    '',
    ...reasons(results, new Set(unmet.map((t) => t.what))).map((line) => `- ${line}`),
    '',
    coldStartSection(results),
    '',
    overheadSection(results),
    '',
    backendDownSection(results),
    '',
    throughputSection(results),
    '',
    ...lossNotes(results).map((line) => `- ${line}`),
    '',
    memorySection(results),
    '',
    relaySection(results),
  ].join('\n');
  const m = results.machine;
  return [`## Node.js ${m.node}`, '', `Measured in ${fmt(results.elapsedMs / 1000, 0)} s; load average (1, 5, 15 min) before → after: ${m.loadBefore} → ${m.loadAfter}.`, '', body.replace(/^## /gm, '### ')].join('\n');
}

/** One row per target, each node's figure and verdict beside the others (nodes in the order measured). */
function targetsTable(runs: readonly Results[]): string {
  const lists = runs.map(targets);
  const first = lists[0] ?? [];
  const rows = first.map((t, i) => [t.what, t.target, ...lists.flatMap((list) => [list[i]?.measured ?? 'n/a', list[i] === undefined ? 'n/a' : verdict(list[i]!.met)])]);
  return table(['target', 'wanted', ...runs.flatMap((run) => [`Node.js ${run.machine.node}`, 'verdict'])], rows);
}

function cgroupRow(runs: readonly Results[]): string {
  const problem = runs.find((run) => run.machine.cgroupProblem !== null)?.machine.cgroupProblem ?? null;
  return problem === null
    ? `v1, one group per measured process: ${SMALL_MB} MB, and ${fmt(ONE_VCPU_MB, 0)} MB (one vCPU) for the cold starts and the one-vCPU throughput rows`
    : `**none: ${problem}**; every process was measured with this machine's memory, so heap sizes and memory figures are not Lambda's`;
}

/** BENCHMARKS.md for one run per node, in the order measured. */
export function renderReport(runs: readonly Results[]): string {
  const first = runs[0];
  if (first === undefined) throw new Error('renderReport: no run');
  const m = first.machine;
  const elapsedMs = runs.reduce((sum, run) => sum + run.elapsedMs, 0);
  const unconfined = runs.some((run) => run.machine.cgroupProblem !== null);
  return [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` (\`scripts/bench/\`) on ${first.date}${first.quick ? ', **quick smoke run (BENCH_QUICK=1): small samples, not for comparison**' : ''}; overwritten by every run. Run time ${fmt(elapsedMs / 1000, 0)} s.`,
    '',
    `Everything is measured once per Node.js version Lambda runs: ${runs.map((run) => run.machine.node).join(', then ')} (the official Linux binaries, first on PATH for every measured process), ` +
      `${unconfined ? '**without memory cgroups (see Machine)**' : `each process in a memory cgroup of the function's size (${SMALL_MB} MB unless a figure says ${fmt(ONE_VCPU_MB, 0)} MB)`}. Ratios compare variants on the same node in the same run.`,
    '',
    '## Machine',
    '',
    table(['', ''], [
      ['CPUs (nproc)', String(m.nproc)],
      ['model', m.cpuModel],
      ['Node.js of the measured processes', runs.map((run) => run.machine.node).join(', ')],
      ['Node.js of the benchmark script', m.runner],
      ['kernel', m.kernel],
      ['memory cgroups', cgroupRow(runs)],
      ['NODE_EXTRA_CA_CERTS', m.extraCaCerts],
    ]),
    '',
    '## Commands',
    '',
    '```sh',
    'npm run bench                       # builds the layer, runs everything on Node.js 24 then 22, writes BENCHMARKS.md',
    'BENCH_NODES=24 npm run bench        # only on Node.js 24 (majors pinned in scripts/node-binaries.mjs)',
    'BENCH_QUICK=1 npm run bench         # smoke run: 3 cold starts, 100 invocations, 10 000 in the growth run, one relay pair of 50',
    'BENCH_KEEP_EXTRA_CA_CERTS=1 npm run bench   # pass NODE_EXTRA_CA_CERTS to every measured process',
    "BENCH_CGROUPS=0 npm run bench       # no memory cgroups: every process sees this machine's memory",
    'node scripts/bench/client-load.mjs  # what node:http and fetch cost to load (README, "Why node:http")',
    '```',
    '',
    '## Targets (issue 16)',
    '',
    `Ratios against the minimal telemetry extension of the same run and node. ${unconfined ? '**No memory cgroup on this machine: the 128 MB in these names was not enforced.**' : ''}`,
    '',
    targetsTable(runs),
    '',
    ...runs.flatMap((run) => [nodeSection(run), '']),
    sizeSection(first),
    '',
    METHOD,
    '',
  ].join('\n');
}

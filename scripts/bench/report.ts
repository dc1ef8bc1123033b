/** Renders BENCHMARKS.md: machine, commands, target verdicts, the tables, method and caveats. */
import { allColdFigures, percentiles, throughputFigures } from './figures.ts';
import type { Target } from './figures.ts';
import { table, verdict } from './markdown.ts';
import { lossNotes, reasons } from './report-reasons.ts';
import { backendDownSection, coldStartSection, memorySection, overheadSection, sizeSection, throughputSection } from './report-sections.ts';
import type { Results } from './results.ts';
import { fmt } from './stats.ts';

const MiB = 1024 * 1024;
/** Growth tolerated between the 1 000-invocation reading and the last one, after a full GC. */
const FLAT_RSS_MiB = 5;

export function targets(results: Results): Target[] {
  const cold = allColdFigures(results);
  const layer = cold.layer;
  const minimal = cold['minimal extension'];
  const x = (value: number, base: number): string => `${(value / base).toFixed(2)}x (${fmt(value)} vs ${fmt(base)} ms)`;
  const periodic = percentiles(results.overhead['layer, periodic,10000'].invokeToNextMs);
  const floor = percentiles(results.overhead['minimal extension'].invokeToNextMs);
  const list: Target[] = [
    { what: 'cold start wall time vs minimal extension', target: '≤ 1.3x', measured: x(layer.wallMs, minimal.wallMs), met: layer.wallMs <= 1.3 * minimal.wallMs },
    { what: 'cold start CPU vs minimal extension', target: '≤ 1.3x', measured: x(layer.cpuMs, minimal.cpuMs), met: layer.cpuMs <= 1.3 * minimal.cpuMs },
    {
      what: 'CPU from spawn to invocation 1 exported vs minimal',
      target: '≤ 2.5x',
      measured: x(layer.cpuAfterExportMs, minimal.cpuAfterExportMs),
      met: layer.cpuAfterExportMs <= 2.5 * minimal.cpuAfterExportMs,
    },
    {
      what: 'per-invocation overhead p99, periodic mode (INVOKE→next, sandbox round trip included)',
      target: '≤ 1 ms',
      measured: `${fmt(periodic.p99, 2)} ms (the minimal extension's: ${fmt(floor.p99, 2)} ms; difference ${fmt(periodic.p99 - floor.p99, 2)} ms)`,
      met: periodic.p99 <= 1,
    },
  ];
  // The first invocation pays the flush budget before the layer knows: compare the rest.
  const down = percentiles(results.backendDown['end, backend refusing'].postRuntimeMs.slice(1));
  const healthy = percentiles(results.backendDown['periodic, backend up'].postRuntimeMs.slice(1));
  list.push({
    what: 'post-runtime p50 with the backend refusing (end mode, after the first invocation) vs healthy periodic',
    target: '≤ +5 ms',
    measured: `${fmt(down.p50, 2)} vs ${fmt(healthy.p50, 2)} ms (p99 ${fmt(down.p99, 2)} vs ${fmt(healthy.p99, 2)} ms)`,
    met: down.p50 - healthy.p50 <= 5,
  });
  for (const result of results.throughput.measured) {
    const f = throughputFigures(result);
    const name = result.scenario.workload.name;
    const share = f.eventsPerS / f.jsonParseEventsPerS;
    const cpuShare = f.eventsPerCpuS / f.jsonParseEventsPerCpuS;
    list.push({
      what: `throughput, ${name}: share of JSON.parse`,
      target: '≥ 30 %',
      measured: `${fmt(100 * share)} % (per CPU-second: ${fmt(100 * cpuShare)} %)`,
      met: share >= 0.3,
    });
    list.push({
      what: `throughput, ${name}`,
      target: '≥ 100 000 events/s',
      measured: `${fmt(f.eventsPerS, 0)} events/s (per CPU-second: ${fmt(f.eventsPerCpuS, 0)})`,
      met: f.eventsPerS >= 100_000,
    });
  }
  const peak = Math.max(...results.throughput.measured.map((r) => throughputFigures(r).hwmMiB));
  const nodeFloor = cold['node -e 0'].hwmMiB;
  list.push({ what: 'peak RSS under (3) vs node -e 0', target: '≤ +25 MiB', measured: `+${fmt(peak - nodeFloor)} MiB (${fmt(peak)} vs ${fmt(nodeFloor)} MiB)`, met: peak - nodeFloor <= 25 });
  const readings = results.growth.readings;
  const first = readings[0];
  const last = readings.at(-1);
  if (first !== undefined && last !== undefined) {
    const grew = last.rssAfterGcMiB - first.rssAfterGcMiB;
    list.push({
      what: `RSS after ${fmt(last.invocations, 0)} vs after ${fmt(first.invocations, 0)} invocations (after a full GC)`,
      target: `flat (≤ +${FLAT_RSS_MiB} MiB)`,
      measured: `${grew >= 0 ? '+' : ''}${fmt(grew)} MiB (${fmt(first.rssAfterGcMiB)} → ${fmt(last.rssAfterGcMiB)}; V8 heap used ${fmt(first.heapUsedMiB, 2)} → ${fmt(last.heapUsedMiB, 2)} MiB)`,
      met: grew <= FLAT_RSS_MiB,
    });
  }
  list.push({ what: 'layer zip', target: '≤ 1 MiB', measured: `${fmt(results.size.zipBytes / 1024)} KiB`, met: results.size.zipBytes <= MiB });
  return list;
}

const METHOD = `## Method and caveats

- **Same environment for every process.** \`node -e 0\` and both extensions get the sandbox's
  environment (PATH, HOME, LANG and the Lambda variables). NODE_EXTRA_CA_CERTS, set on this
  machine and worth about 35 ms of CPU at every Node start, is left out of all of them, as on
  Lambda (\`BENCH_KEEP_EXTRA_CA_CERTS=1\` passes it to all of them instead).
- **CPU** is user + system time of every thread of the process, from
  \`/proc/<pid>/task/<tid>/schedstat\` (nanoseconds; \`/proc/<pid>/stat\` counts 10 ms ticks).
  It is read at each variant's point: \`node -e 0\` runs \`process.kill(process.pid,'SIGSTOP')\`
  as its script and is read once seen stopped (polled every millisecond, so its wall time is
  ±1 ms); the extensions are read when the sandbox sees every extension's first
  \`event/next\` (init done), before it freezes them. Both extensions are started through their
  executable as Lambda would (\`/bin/sh\` launcher for the layer, \`#!/usr/bin/env node\` for the
  minimal one), which \`node -e 0\` does not pay. Variants are interleaved run by run, order
  rotated; medians.
- **Per-invocation overhead** is taken from the sandbox's report: INVOKE→next is from the
  sandbox answering the pending \`event/next\` with INVOKE to the extension's next call arriving,
  so it includes the HTTP round trip through the sandbox, which runs in the benchmark process
  together with the receiver. The minimal extension's figure is that floor. Freeze is off and
  invocations run back to back (2 ms runtime, one log line), so telemetry deliveries and
  exports overlap the next invocations as they would under load. In \`end\` mode the extension
  waits by design for the invocation's \`platform.runtimeDone\`, which the Telemetry API
  delivers after its buffering time (25 ms here), then exports.
- **Throughput** runs the built layer in the sandbox (freeze off), loads its SDK with one real
  invocation, then POSTs pre-built bodies straight to its listener on 127.0.0.1, one at a time,
  as Lambda does, with the layer's defaults (the listener holds its answer while the export
  queues are more than half full, so a burst waits instead of being refused). (3b) comes in the
  batches the layer subscribes with by default (1 000 events), since a
  max-size batch holds 3 333 invocations, i.e. 13 332 spans (see the loss table for what
  a burst of those does: column "delivered"). The warm-up invocation adds its own
  5 spans to every run's counts. The
  receiver answers 200 and counts items by walking the protobuf wire format, so nothing is
  decoded into objects on the receiving side. \`layer CPU\` and \`waited for a CPU\` come from
  schedstat; events per CPU-second is the figure least affected by other load on the machine.
- **Memory** is VmHWM / VmRSS from \`/proc/<pid>/status\`. The growth run POSTs synthetic
  invocations straight to the layer's listener instead of invoking through the sandbox (which
  would take minutes), and only for that run preloads \`scripts/bench/gc-on-signal.mjs\`
  (\`--expose-gc\`, a GC and a memory report on SIGUSR2) so that readings compare live memory.
- **Noise.** Wall times depend on what else runs: see the load average above. CPU times and
  the ratios between variants measured in the same run are the robust figures.`;

/** Sections of one node's run, headings one level down, under that node's own heading. */
function nodeSection(results: Results): string {
  const list = targets(results);
  const unmet = list.filter((t) => !t.met);
  const body = [
    '## Targets',
    '',
    table(['target', 'wanted', 'measured', 'verdict'], list.map((t) => [t.what, t.target, t.measured, verdict(t.met)])),
    '',
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
  ].join('\n');
  const m = results.machine;
  return [`## Node.js ${m.node}`, '', `Measured in ${fmt(results.elapsedMs / 1000, 0)} s; load average (1, 5, 15 min) before → after: ${m.loadBefore} → ${m.loadAfter}.`, '', body.replace(/^## /gm, '### ')].join('\n');
}

/** BENCHMARKS.md for one run per node, in the order measured. */
export function renderReport(runs: readonly Results[]): string {
  const first = runs[0];
  if (first === undefined) throw new Error('renderReport: no run');
  const m = first.machine;
  const elapsedMs = runs.reduce((sum, run) => sum + run.elapsedMs, 0);
  return [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` (\`scripts/bench/\`) on ${first.date}${first.quick ? ', **quick smoke run (BENCH_QUICK=1): small samples, not for comparison**' : ''}; overwritten by every run. Run time ${fmt(elapsedMs / 1000, 0)} s.`,
    '',
    `Everything is measured once per Node.js version Lambda runs: ${runs.map((run) => run.machine.node).join(', then ')} (the official Linux binaries, first on PATH for every measured process). Ratios compare variants on the same node in the same run.`,
    '',
    '## Machine',
    '',
    table(['', ''], [
      ['CPUs (nproc)', String(m.nproc)],
      ['model', m.cpuModel],
      ['Node.js of the measured processes', runs.map((run) => run.machine.node).join(', ')],
      ['Node.js of the benchmark script', m.runner],
      ['kernel', m.kernel],
      ['NODE_EXTRA_CA_CERTS', m.extraCaCerts],
    ]),
    '',
    '## Commands',
    '',
    '```sh',
    'npm run bench                       # builds the layer, runs everything on Node.js 24 then 22, writes BENCHMARKS.md',
    'BENCH_NODES=24 npm run bench        # only on Node.js 24 (majors pinned in scripts/node-binaries.mjs)',
    'BENCH_QUICK=1 npm run bench         # smoke run: 3 cold starts, 100 invocations, 10 000 in the growth run',
    'BENCH_KEEP_EXTRA_CA_CERTS=1 npm run bench   # pass NODE_EXTRA_CA_CERTS to every measured process',
    'node scripts/bench/client-load.mjs  # what node:http and fetch cost to load (README, "Why node:http")',
    '```',
    '',
    ...runs.flatMap((run) => [nodeSection(run), '']),
    sizeSection(first),
    '',
    METHOD,
    '',
  ].join('\n');
}

#!/usr/bin/env node
/**
 * `npm run bench`: measures the built layer against same-run baselines and writes
 * BENCHMARKS.md (raw figures in dist/bench/results.json). BENCH_QUICK=1 for a smoke run;
 * BENCH_EXTENSION and BENCH_OUTPUT measure another build of the layer into another file. Traffic goes to 127.0.0.1 only; every
 * loop is bounded, and a watchdog ends the run if something hangs. No timing is asserted: the
 * report says which targets are met.
 * Everything is measured once per Node.js major Lambda runs (BENCH_NODES, default `24,22`): the
 * pinned official binary goes first on PATH, so the layer, the minimal telemetry extension and
 * `node -e 0` all run on it, while this script stays on the machine's node. Each measured
 * process runs in a memory cgroup of its function's size (128 MB, or 1 769 MB for one vCPU;
 * cgroup.ts) where the machine allows; where it does not (or with BENCH_CGROUPS=0), the run
 * says so and measures without.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { delimiter, dirname } from 'node:path';
import { measureBackendDown } from './backend-down.ts';
import { cgroupProblem, removeLeftoverGroups } from './cgroup.ts';
import { measureColdStart } from './cold-start.ts';
import { KEEP_EXTRA_CA_CERTS, ROOT, SIZES, assertBuilt } from './environment.ts';
import { measureInvokeOverhead } from './invoke-overhead.ts';
import { measureGrowth } from './memory-growth.ts';
import { startOtlpSink } from './otlp-sink.ts';
import type { OtlpSink } from './otlp-sink.ts';
import { hasSchedstat } from './proc.ts';
import { measureRelay } from './relay.ts';
import { renderReport, targets } from './report.ts';
import type { Machine, Results } from './results.ts';
import { measureSize } from './size.ts';
import { measureThroughput } from './throughput.ts';

const WATCHDOG_MS = 20 * 60 * 1000;
/** Where the report goes; BENCH_OUTPUT redirects it (e.g. when measuring a candidate build). */
const OUTPUT = process.env['BENCH_OUTPUT'] ?? `${ROOT}BENCHMARKS.md`;

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

function cpuModel(): string {
  const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
  return line?.slice(line.indexOf(':') + 1).trim() ?? cpus()[0]?.model ?? 'unknown';
}

const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

/** The pinned node binary of `major` (scripts/node-binaries.mjs keeps the versions). */
function pinnedNode(major: number): string {
  return execFileSync(process.execPath, [`${ROOT}scripts/node-binaries.mjs`, String(major)], { encoding: 'utf8' }).trim();
}

const NODES = (process.env['BENCH_NODES'] ?? '24,22').split(',').map((major) => Number(major.trim()));

async function measureOn(major: number, sink: OtlpSink): Promise<Results> {
  const node = pinnedNode(major);
  process.env['PATH'] = `${dirname(node)}${delimiter}${BASE_PATH}`;
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  log(`measuring on Node.js ${version}`);
  const startedAt = performance.now();
  const loadBefore = loadAverage();
  const cold = await measureColdStart(sink, log);
  const overhead = await measureInvokeOverhead(sink, log);
  const backendDown = await measureBackendDown(sink, log);
  const throughput = await measureThroughput(sink, log);
  const growth = await measureGrowth(sink, log);
  const relay = await measureRelay(sink, log);
  const ca = process.env['NODE_EXTRA_CA_CERTS'];
  const machine: Machine = {
    nproc: cpus().length,
    cpuModel: cpuModel(),
    node: version,
    runner: process.version,
    kernel: release(),
    loadBefore,
    loadAfter: loadAverage(),
    extraCaCerts: ca === undefined ? 'not set on this machine' : KEEP_EXTRA_CA_CERTS ? 'passed to every measured process' : 'left out',
    cgroupProblem: cgroupProblem(),
  };
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    quick: SIZES.quick,
    elapsedMs: performance.now() - startedAt,
    machine,
    cold,
    overhead,
    backendDown,
    throughput,
    growth,
    relay,
    size: measureSize(),
  };
}

const BASE_PATH = process.env['PATH'] ?? '';

async function main(): Promise<void> {
  assertBuilt();
  if (!hasSchedstat()) throw new Error('this kernel has no /proc/<pid>/task/<tid>/schedstat (CONFIG_SCHED_INFO); CPU times cannot be measured precisely');
  const startedAt = performance.now();
  log(`${SIZES.quick ? 'quick run' : 'full run'} on Node.js ${NODES.join(', ')}; load average ${loadAverage()}`);
  const problem = cgroupProblem();
  if (problem !== null) log(`NO MEMORY CGROUPS: ${problem}; every process is measured with this machine's memory, and the report says so`);
  const sink = await startOtlpSink();
  try {
    const runs: Results[] = [];
    for (const major of NODES) runs.push(await measureOn(major, sink));
    writeFileSync(OUTPUT, renderReport(runs));
    mkdirSync(`${ROOT}dist/bench`, { recursive: true });
    // The workloads' request bodies (tens of MB) are inputs, not results.
    writeFileSync(`${ROOT}dist/bench/results.json`, JSON.stringify(runs, (key, value: unknown) => (key === 'bodies' ? undefined : value)));
    for (const run of runs) {
      for (const t of targets(run)) log(`${run.machine.node} ${t.met ? 'met    ' : 'NOT MET'} ${t.what}: ${t.measured} (wanted ${t.target})`);
    }
    log(`wrote ${OUTPUT} in ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);
  } finally {
    await sink.close();
  }
}

const watchdog = setTimeout(() => {
  log(`still running after ${WATCHDOG_MS / 60_000} minutes: giving up`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();
process.on('exit', () => {
  for (const group of removeLeftoverGroups()) log(`left behind: memory cgroup ${group} (rmdir it once its processes are gone)`);
});
main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);

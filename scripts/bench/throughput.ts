/**
 * (3) Pipeline throughput and (4) peak memory under it. Per repetition and workload, a fresh
 * layer (see layer-driver.ts) in a memory cgroup of the function's size gets the workload's
 * bodies POSTed one after the other (Lambda waits for each answer before it sends the next
 * batch). The layer exports by its size thresholds meanwhile; once it has gone quiet, SHUTDOWN
 * exports what stayed below them. Busy time = first POST until the last export before going
 * quiet, plus SHUTDOWN until the last export after it (the quiet wait itself is left out). The
 * sink's counts prove what arrived. The layer's CPU over the run comes from /proc (polled
 * every 5 ms), and so do the time it spent runnable but waiting for a CPU (other load on the
 * machine) and its private memory (RssAnon).
 *
 * Baselines on the same bodies, on the same node in a cgroup of the same size:
 * parse-baselines.ts, run as a child process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inMemoryGroup } from './cgroup.ts';
import { ONE_VCPU_MB, ROOT, SIZES, SMALL_MB, plainEnv } from './environment.ts';
import { quiet, startLayer, watch } from './layer-driver.ts';
import type { OtlpSink } from './otlp-sink.ts';
import type { ParseBaselines } from './parse-baselines.ts';
import { functionLogWorkload, platformWorkload } from './workloads.ts';
import type { Workload } from './workloads.ts';

export interface ThroughputRun {
  /** Busy time from the first POST until everything was exported. */
  readonly busyMs: number;
  /** First POST until the last POST was answered (decode, correlation, SDK records done). */
  readonly ingestMs: number;
  /** CPU of the layer process over the run, and time it waited for a CPU. */
  readonly cpuMs: number;
  readonly waitMs: number;
  readonly hwmMiB: number;
  /** Private memory (RssAnon): quiet before the first POST (SDK loaded), and the highest sampled. */
  readonly anonIdleMiB: number;
  readonly anonPeakMiB: number;
  /** The cgroup's peak charge (memory.max_usage_in_bytes), null unconfined. */
  readonly groupPeakMiB: number | null;
  readonly oomKills: number;
  readonly spans: number;
  readonly logs: number;
  readonly metricPoints: number;
  readonly traceBytes: number;
  readonly logBytes: number;
  readonly metricBytes: number;
  readonly traceRequests: number;
  readonly logRequests: number;
  /** The layer's warnings (drops), one line each. */
  readonly warnings: readonly string[];
}

export interface Scenario {
  readonly workload: Workload;
  /** Function memory: the size of the layer's cgroup. */
  readonly sizeMB: number;
  /** Layer configuration beyond the defaults. */
  readonly env: Readonly<Record<string, string>>;
  /** Wait for the layer to go quiet before SHUTDOWN (false: SHUTDOWN right after the last POST). */
  readonly settle: boolean;
}

export interface ThroughputResult extends ParseBaselines {
  readonly scenario: Scenario;
  readonly runs: ThroughputRun[];
}

const MiB = 1024 * 1024;

/** The parse baselines of `workload` on the node first on PATH, in a cgroup of `sizeMB`. */
async function parseBaselines(workload: Workload, sizeMB: number): Promise<ParseBaselines> {
  const dir = mkdtempSync(join(tmpdir(), 'lto-bench-bodies-'));
  try {
    const file = join(dir, 'bodies');
    // JSON.stringify escapes newlines, so one body per line is unambiguous.
    writeFileSync(file, Buffer.concat(workload.bodies.flatMap((body) => [body, Buffer.from('\n')])));
    const { result } = await inMemoryGroup(sizeMB, async (where) => {
      const { file: command, args } = where.command('node', ['--import', 'tsx', `${ROOT}scripts/bench/parse-baselines.ts`, file]);
      return JSON.parse(execFileSync(command, args, { cwd: ROOT, env: plainEnv(), encoding: 'utf8', maxBuffer: MiB })) as ParseBaselines;
    });
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runScenario(scenario: Scenario, sink: OtlpSink): Promise<ThroughputRun> {
  const { result, usage } = await inMemoryGroup(scenario.sizeMB, async (where) => {
    const layer = await startLayer(sink, where, scenario.env);
    sink.reset();
    const watcher = watch(layer.pid);
    const before = { cpuMs: watcher.cpuMs, waitMs: watcher.waitMs, anonMiB: watcher.anonPeakMiB };
    const startedAt = performance.now();
    for (const body of scenario.workload.bodies) await layer.post(body);
    const ingestMs = performance.now() - startedAt;
    const settledAt = scenario.settle ? await quiet(sink, watcher) : performance.now();
    const shutdownAt = performance.now();
    const report = await layer.sandbox.shutdown({ shutdownMs: 60_000 });
    watcher.stop();
    layer.close();
    const extension = report.extensions[0]!;
    if (extension.exit?.code !== 0) throw new Error(`the layer did not exit cleanly: ${extension.stderr}`);
    const lastAt = sink.lastAtMs();
    const busyMs = lastAt > shutdownAt ? settledAt - startedAt + (lastAt - shutdownAt) : Math.max(settledAt, lastAt) - startedAt;
    const { traces, logs, metrics } = sink.counts;
    return {
      busyMs: scenario.settle ? busyMs : lastAt - startedAt,
      ingestMs,
      cpuMs: watcher.cpuMs - before.cpuMs,
      waitMs: watcher.waitMs - before.waitMs,
      hwmMiB: watcher.hwmMiB,
      anonIdleMiB: before.anonMiB,
      anonPeakMiB: watcher.anonPeakMiB,
      spans: traces.items,
      logs: logs.items,
      metricPoints: metrics.items,
      traceBytes: traces.bytes,
      logBytes: logs.bytes,
      metricBytes: metrics.bytes,
      traceRequests: traces.requests,
      logRequests: logs.requests,
      warnings: extension.stderr.split('\n').filter((line) => line.includes('"level":"warn"')),
    };
  });
  return { ...result, groupPeakMiB: usage === null ? null : usage.maxUsageBytes / MiB, oomKills: usage?.oomKills ?? 0 };
}

/**
 * The measured scenarios, with the layer's defaults: (a) a burst of function log lines and (b)
 * invocations' platform events in the batches the layer subscribes with, repeated, at 128 MB
 * and (fewer repetitions) at 1 769 MB; then, once each at 128 MB, what the defaults deliver
 * under harder bursts (max-size platform batches; SHUTDOWN right after the last log batch).
 */
export function scenarios(): { measured: Scenario[]; oneVcpu: Scenario[]; losses: Scenario[] } {
  const logs = functionLogWorkload(SIZES.logEvents);
  const platform = platformWorkload(SIZES.platformInvocations);
  const at = (sizeMB: number): Scenario[] => [
    { workload: logs, sizeMB, env: {}, settle: true },
    { workload: platform, sizeMB, env: {}, settle: true },
  ];
  return {
    measured: at(SMALL_MB),
    oneVcpu: at(ONE_VCPU_MB),
    losses: [
      { workload: platformWorkload(SIZES.platformInvocations, true), sizeMB: SMALL_MB, env: {}, settle: true },
      { workload: logs, sizeMB: SMALL_MB, env: {}, settle: false },
    ],
  };
}

export interface ThroughputResults {
  /** At 128 MB: what the targets are judged on. */
  readonly measured: readonly ThroughputResult[];
  /** The same workloads at 1 769 MB (one vCPU). */
  readonly oneVcpu: readonly ThroughputResult[];
  readonly losses: readonly ThroughputResult[];
}

export async function measureThroughput(sink: OtlpSink, log: (line: string) => void): Promise<ThroughputResults> {
  const { measured, oneVcpu, losses } = scenarios();
  const baselines = new Map<string, ParseBaselines>();
  const withBaselines = async (list: readonly Scenario[]): Promise<ThroughputResult[]> => {
    const results: ThroughputResult[] = [];
    for (const scenario of list) {
      const key = `${scenario.workload.name} ${scenario.workload.bodies.length} ${scenario.sizeMB}`;
      const known = baselines.get(key) ?? (await parseBaselines(scenario.workload, scenario.sizeMB));
      baselines.set(key, known);
      results.push({ scenario, runs: [], ...known });
    }
    return results;
  };
  const repeat = async (results: readonly ThroughputResult[], reps: number): Promise<void> => {
    for (let rep = 0; rep < reps; rep++) {
      for (const result of results) {
        const run = await runScenario(result.scenario, sink);
        result.runs.push(run);
        const { workload, sizeMB } = result.scenario;
        log(`throughput ${rep + 1}/${reps} at ${sizeMB} MB: ${workload.name}: ${(run.cpuMs * 1000 / workload.events).toFixed(1)} µs CPU per event, private memory peak ${run.anonPeakMiB.toFixed(1)} MiB`);
      }
    }
  };
  const small = await withBaselines(measured);
  const vcpu = await withBaselines(oneVcpu);
  await repeat(small, SIZES.throughputReps);
  await repeat(vcpu, SIZES.throughputRepsOneVcpu);
  const lossResults = await withBaselines(losses);
  for (const result of lossResults) {
    const run = await runScenario(result.scenario, sink);
    result.runs.push(run);
    log(`loss check: ${result.scenario.workload.name}${result.scenario.settle ? '' : ', SHUTDOWN at once'}: ${run.spans} spans, ${run.logs} log records`);
  }
  return { measured: small, oneVcpu: vcpu, losses: lossResults };
}

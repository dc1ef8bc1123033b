/**
 * (3) Pipeline throughput and (4) peak memory under it. Per repetition and workload, a fresh
 * layer (see layer-driver.ts) gets the workload's bodies POSTed one after the other (Lambda
 * waits for each answer before it sends the next batch). The layer exports by its size
 * thresholds meanwhile; once it has gone quiet, SHUTDOWN exports what stayed below them.
 * Busy time = first POST until the last export before going quiet, plus SHUTDOWN until the
 * last export after it (the quiet wait itself is left out). The sink's counts prove what
 * arrived. The layer's CPU over the run comes from /proc (polled every 5 ms), and so does the
 * time it spent runnable but waiting for a CPU (other load on the machine).
 *
 * Baselines, in this process on the same bodies, median of 7 passes: JSON.parse (what any
 * consumer must pay), the project's decode() (JSON.parse plus validation) and decode() plus
 * the correlator: the hot paths before the OpenTelemetry SDK.
 */
import { createCorrelator } from '../../src/telemetry/correlator.ts';
import { decode } from '../../src/telemetry/decode.ts';
import { SIZES } from './environment.ts';
import { quiet, startLayer, watch } from './layer-driver.ts';
import type { OtlpSink } from './otlp-sink.ts';
import { median } from './stats.ts';
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

export interface InProcessTiming {
  readonly wallMs: number;
  readonly cpuMs: number;
}

export interface Scenario {
  readonly workload: Workload;
  /** Layer configuration beyond the defaults. */
  readonly env: Readonly<Record<string, string>>;
  /** Wait for the layer to go quiet before SHUTDOWN (false: SHUTDOWN right after the last POST). */
  readonly settle: boolean;
}

export interface ThroughputResult {
  readonly scenario: Scenario;
  readonly runs: ThroughputRun[];
  readonly jsonParse: InProcessTiming;
  readonly decode: InProcessTiming;
  /** decode() and every event through a fresh correlator (records go nowhere). */
  readonly decodeCorrelate: InProcessTiming;
}

const IN_PROCESS_PASSES = 7;

function timeInProcess(bodies: readonly Buffer[], work: (body: Buffer) => unknown): InProcessTiming {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let pass = 0; pass < IN_PROCESS_PASSES; pass++) {
    const cpuBefore = process.cpuUsage();
    const before = performance.now();
    for (const body of bodies) work(body);
    walls.push(performance.now() - before);
    const cpu = process.cpuUsage(cpuBefore);
    cpus.push((cpu.user + cpu.system) / 1000);
  }
  return { wallMs: median(walls), cpuMs: median(cpus) };
}

function decodeAndCorrelate(bodies: readonly Buffer[]): InProcessTiming {
  let correlator = createCorrelator({ onInvocation: () => undefined, onPhase: () => undefined });
  let pass = -1;
  let index = bodies.length;
  return timeInProcess(bodies, (body) => {
    // A fresh correlator per pass, so that no pass sees the previous one's request ids as late.
    if (index === bodies.length) {
      index = 0;
      pass++;
      if (pass > 0) correlator = createCorrelator({ onInvocation: () => undefined, onPhase: () => undefined });
    }
    index++;
    for (const event of decode(body).events) correlator.add(event);
  });
}

export async function runScenario(scenario: Scenario, sink: OtlpSink): Promise<ThroughputRun> {
  const layer = await startLayer(sink, scenario.env);
  sink.reset();
  const watcher = watch(layer.pid);
  const before = { cpuMs: watcher.cpuMs, waitMs: watcher.waitMs };
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
}

/**
 * The measured scenarios, with the layer's defaults: (a) a burst of function log lines and (b)
 * invocations' platform events in the batches the layer subscribes with, repeated; then, once
 * each, what the defaults deliver under harder bursts (max-size platform batches; SHUTDOWN right
 * after the last log batch).
 */
export function scenarios(): { measured: Scenario[]; losses: Scenario[] } {
  const logs = functionLogWorkload(SIZES.logEvents);
  const platform = platformWorkload(SIZES.platformInvocations);
  return {
    measured: [
      { workload: logs, env: {}, settle: true },
      { workload: platform, env: {}, settle: true },
    ],
    losses: [
      { workload: platformWorkload(SIZES.platformInvocations, true), env: {}, settle: true },
      { workload: logs, env: {}, settle: false },
    ],
  };
}

export async function measureThroughput(sink: OtlpSink, log: (line: string) => void): Promise<{ measured: ThroughputResult[]; losses: ThroughputResult[] }> {
  const { measured, losses } = scenarios();
  const baseline = (scenario: Scenario): ThroughputResult => ({
    scenario,
    runs: [],
    jsonParse: timeInProcess(scenario.workload.bodies, (body) => JSON.parse(body.toString('utf8'))),
    decode: timeInProcess(scenario.workload.bodies, (body) => decode(body)),
    decodeCorrelate: decodeAndCorrelate(scenario.workload.bodies),
  });
  const results = measured.map(baseline);
  for (let rep = 0; rep < SIZES.throughputReps; rep++) {
    for (const result of results) {
      const run = await runScenario(result.scenario, sink);
      result.runs.push(run);
      log(`throughput ${rep + 1}/${SIZES.throughputReps}: ${result.scenario.workload.name}: ${Math.round(result.scenario.workload.events / (run.busyMs / 1000))} events/s`);
    }
  }
  const lossResults = losses.map(baseline);
  for (const result of lossResults) {
    result.runs.push(await runScenario(result.scenario, sink));
    log(`loss check: ${result.scenario.workload.name}, ${JSON.stringify(result.scenario.env)}${result.scenario.settle ? '' : ', SHUTDOWN at once'}: ${result.runs[0]!.spans} spans, ${result.runs[0]!.logs} log records`);
  }
  return { measured: results, losses: lossResults };
}

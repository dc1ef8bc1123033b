/**
 * (4) Memory growth across invocations, in a 128 MB memory cgroup. Through the sandbox one
 * invocation takes a few ms of sandbox time, so 100 000 of them would take minutes; instead the
 * built layer (freeze off) gets the platform events of N invocations (start, one function log
 * line, runtimeDone, report) POSTed straight to its listener, in the batches it subscribes
 * with by default. After the first 1 000 and after all N invocations, once the layer has gone
 * quiet (what stays below the export thresholds is bounded by them), a preloaded hook
 * (gc-on-signal.mjs, the only thing added to the layer here) runs a full GC on SIGUSR2 and
 * prints heap and RSS, then a memory-reducing GC and RssAnon again (V8's pooled pages returned); VmRSS, private memory (RssAnon, before and after the GC) and VmHWM come
 * from /proc. The INVOKE path's own state (ARNs, reports owed) is capped in code and is
 * exercised by the 1 000 sandbox invocations of the overhead benchmark.
 */
import { inMemoryGroup } from './cgroup.ts';
import type { Confinement } from './cgroup.ts';
import { GC_HOOK, SIZES, SMALL_MB } from './environment.ts';
import { quiet, startLayer, watch } from './layer-driver.ts';
import type { OtlpSink } from './otlp-sink.ts';
import { memory } from './proc.ts';
import { sleep } from './stats.ts';
import { SPANS_PER_INVOCATION, invocationBodies } from './workloads.ts';

export interface MemoryReading {
  readonly invocations: number;
  /** VmRSS and private memory (RssAnon) from /proc before the forced GC, and RssAnon after it. */
  readonly rssMiB: number;
  readonly anonMiB: number;
  readonly anonAfterGcMiB: number;
  /**
   * RssAnon and the V8 heap reserved after a memory-reducing (last-resort) GC that follows the
   * full one: what is left once V8 has handed back the emptied pages it pools for reuse.
   */
  readonly anonAfterReducingGcMiB: number;
  readonly heapTotalAfterReducingGcMiB: number;
  /** After the forced GC: RSS, V8 heap in use and reserved, memory outside the V8 heap. */
  readonly rssAfterGcMiB: number;
  readonly heapUsedMiB: number;
  readonly heapTotalMiB: number;
  readonly externalMiB: number;
}

export interface GrowthResult {
  readonly sizeMB: number;
  readonly readings: readonly MemoryReading[];
  readonly hwmMiB: number;
  /** Highest private memory sampled (every 20 ms). */
  readonly anonPeakMiB: number;
  readonly oomKills: number;
  readonly elapsedMs: number;
  readonly cpuMs: number;
  readonly spans: number;
  readonly expectedSpans: number;
  readonly logs: number;
  readonly warnings: readonly string[];
}

const MiB = 1024 * 1024;
const CHUNK = 1000;
/** Readings besides the last one: after the first 1 000, then along the way to show a trend. */
const READ_AT = new Set([SIZES.growthFirstReading, 10_000, 50_000]);

export async function measureGrowth(sink: OtlpSink, log: (line: string) => void): Promise<GrowthResult> {
  const { result, usage } = await inMemoryGroup(SMALL_MB, (where) => grow(where, sink, log));
  return { ...result, oomKills: usage?.oomKills ?? 0 };
}

async function grow(where: Confinement, sink: OtlpSink, log: (line: string) => void): Promise<Omit<GrowthResult, 'oomKills'>> {
  const total = SIZES.growthInvocations;
  // The launcher gives node LAMBDA_OTEL_NODE_OPTIONS, never the function's NODE_OPTIONS.
  const layer = await startLayer(sink, where, { LAMBDA_OTEL_NODE_OPTIONS: `--expose-gc --import=${GC_HOOK}` });
  sink.reset();
  const watcher = watch(layer.pid, 20);
  const cpuBefore = watcher.cpuMs;
  const startedAt = performance.now();
  const baseMs = Date.now() - total * 20;
  const readings: MemoryReading[] = [];

  const read = async (invocations: number): Promise<void> => {
    await quiet(sink, watcher);
    const before = memory(layer.pid);
    const marker = layer.sandbox.report().extensions[0]!.stderr.split('BENCH_MEMORY').length;
    process.kill(layer.pid, 'SIGUSR2');
    let line: string | undefined;
    for (let tries = 0; tries < 100 && line === undefined; tries++) {
      await sleep(20);
      const parts = layer.sandbox.report().extensions[0]!.stderr.split('BENCH_MEMORY');
      if (parts.length > marker) line = parts.at(-1)!.split('\n')[0];
    }
    if (line === undefined) throw new Error('the GC hook did not answer');
    const after = JSON.parse(line) as { rss: number; heapUsed: number; heapTotal: number; external: number; anon: number; anonReduced: number; heapTotalReduced: number };
    // The hook reads RssAnon itself between its two GCs; /proc read from here would come after both.
    const anonAfterGcMiB = after.anon / MiB;
    readings.push({
      invocations,
      rssMiB: before?.rssMiB ?? Number.NaN,
      anonMiB: before?.anonMiB ?? Number.NaN,
      anonAfterGcMiB,
      anonAfterReducingGcMiB: after.anonReduced / MiB,
      heapTotalAfterReducingGcMiB: after.heapTotalReduced / MiB,
      rssAfterGcMiB: after.rss / MiB,
      heapUsedMiB: after.heapUsed / MiB,
      heapTotalMiB: after.heapTotal / MiB,
      externalMiB: after.external / MiB,
    });
    log(`memory growth: ${invocations} invocations: private ${before?.anonMiB.toFixed(1)} MiB, after GC ${anonAfterGcMiB.toFixed(1)} MiB, after a memory-reducing GC ${(after.anonReduced / MiB).toFixed(1)} MiB, heap ${(after.heapUsed / MiB).toFixed(1)} MiB`);
  };

  for (let from = 0; from < total; from += CHUNK) {
    const to = Math.min(total, from + CHUNK);
    for (const body of invocationBodies(baseMs, from, to)) await layer.post(body);
    if (READ_AT.has(to) || to === total) await read(to);
  }
  const elapsedMs = performance.now() - startedAt;
  const cpuMs = watcher.cpuMs - cpuBefore;
  const report = await layer.sandbox.shutdown({ shutdownMs: 60_000 });
  watcher.stop();
  layer.close();
  const extension = report.extensions[0]!;
  if (extension.exit?.code !== 0) throw new Error(`the layer did not exit cleanly: ${extension.stderr}`);
  return {
    sizeMB: where.sizeMB,
    readings,
    hwmMiB: watcher.hwmMiB,
    anonPeakMiB: watcher.anonPeakMiB,
    elapsedMs,
    cpuMs,
    spans: sink.counts.traces.items,
    expectedSpans: total * SPANS_PER_INVOCATION,
    logs: sink.counts.logs.items,
    warnings: extension.stderr.split('\n').filter((line) => line.includes('"level":"warn"')),
  };
}

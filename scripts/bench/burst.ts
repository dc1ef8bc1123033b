/**
 * Only the 30 000-line burst (3a) at 128 MB, and the layer's cold-start CPU, for comparing
 * LAMBDA_OTEL_NODE_OPTIONS variants in one run without the whole bench:
 *   node --import tsx scripts/bench/burst.ts <node major> <reps> [flags|-]...
 * One variant per argument ('-' for none); variants interleaved rep by rep.
 */
import { delimiter, dirname } from 'node:path';
import { execFileSync } from 'node:child_process';
import { inMemoryGroup } from './cgroup.ts';
import { inSandbox } from './cold-start.ts';
import { EXTENSION, ROOT, SMALL_MB } from './environment.ts';
import { startOtlpSink } from './otlp-sink.ts';
import type { OtlpSink } from './otlp-sink.ts';
import { median } from './stats.ts';
import { runScenario } from './throughput.ts';
import { functionLogWorkload } from './workloads.ts';

const [major = '24', repsText = '3', ...variants] = process.argv.slice(2);
const node = execFileSync(process.execPath, [`${ROOT}scripts/node-binaries.mjs`, major], { encoding: 'utf8' }).trim();
process.env['PATH'] = `${dirname(node)}${delimiter}${process.env['PATH'] ?? ''}`;
/** A variant: node flags, and NAME=value words, which go to the environment instead. */
function flagsOf(variant: string): Record<string, string> {
  if (variant === '-') return {};
  const words = variant.split(' ');
  const env: Record<string, string> = Object.fromEntries(words.filter((w) => /^[A-Z_]+=/.test(w)).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
  const flags = words.filter((w) => !/^[A-Z_]+=/.test(w)).join(' ');
  return flags === '' ? env : { ...env, LAMBDA_OTEL_NODE_OPTIONS: flags };
}

/** The layer's CPU at its first `event/next` at 128 MB, with the variant's environment. */
async function coldCpuMs(sink: OtlpSink, extra: Record<string, string>): Promise<number> {
  const { result } = await inMemoryGroup(SMALL_MB, (where) => inSandbox(EXTENSION, sink, where, extra));
  return result.cpuMs;
}

const sink = await startOtlpSink();
const logs = functionLogWorkload(30_000);
const results = new Map<string, { peak: number[]; idle: number[]; usPerLine: number[]; cold: number[]; diag: string[] }>();
for (const v of variants) results.set(v, { peak: [], idle: [], usPerLine: [], cold: [], diag: [] });
for (let rep = 0; rep < Number(repsText); rep++) {
  for (const v of variants) {
    const r = results.get(v)!;
    const run = await runScenario({ workload: logs, sizeMB: SMALL_MB, env: flagsOf(v), settle: true }, sink);
    if (run.logs < 30_000) throw new Error(`${v}: only ${run.logs} log records arrived`);
    r.peak.push(run.anonPeakMiB);
    r.idle.push(run.anonIdleMiB);
    r.usPerLine.push((run.cpuMs * 1000) / logs.events);
    for (let i = 0; i < 3; i++) r.cold.push(await coldCpuMs(sink, flagsOf(v)));
    process.stderr.write(`${rep + 1} [${v}] peak ${run.anonPeakMiB.toFixed(1)} idle ${run.anonIdleMiB.toFixed(1)} µs/line ${r.usPerLine.at(-1)!.toFixed(2)} cold ${r.cold.slice(-3).map((c) => c.toFixed(1)).join(' ')}\n`);
  }
}
console.log(`Node ${major}, ${logs.bodies.length} bodies, medians:`);
for (const [v, r] of results) {
  console.log(`[${v}] peak RssAnon ${median(r.peak).toFixed(1)} MiB (${r.peak.map((p) => p.toFixed(1)).join(' ')}), idle ${median(r.idle).toFixed(1)}, CPU/line ${median(r.usPerLine).toFixed(2)} µs, cold CPU ${median(r.cold).toFixed(1)} ms`);
}
await sink.close();

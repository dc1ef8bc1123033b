/**
 * Why a target is not met, as far as the measurements show it: one bullet per missed target,
 * with this run's figures, and a note per kind of loss the loss cases exposed.
 */
import { allColdFigures, percentiles, throughputFigures } from './figures.ts';
import type { ThroughputFigures } from './figures.ts';
import { readFileSync } from 'node:fs';
import type { Results } from './results.ts';
import { fmt } from './stats.ts';

const MINIMAL = 'minimal telemetry extension';

function coldStartReason(results: Results): string {
  const cold = allColdFigures(results);
  const builtins = results.size.entryBuiltins;
  const facade = builtins.includes('node:http')
    ? 'It imports `node:http` as an ES module: on Node 22 and later that builds the module\'s export facade, whose lazy getters load undici, tls and http2 (10 to 18 ms of CPU, by issue 16\'s measurement); the minimal telemetry extension loads it with `createRequire` and does not pay it. '
    : '';
  const hosts = sandboxHostInEtcHosts() ? 'which this machine lists in /etc/hosts' : 'which this machine does not list in /etc/hosts: a `dns.lookup` and its round trip';
  return (
    `**Cold start.** Difference of the medians at 128 MB: ${fmt(cold.layer.cpuMs - cold[MINIMAL].cpuMs)} ms of CPU, ` +
    `${fmt(cold.layer.wallMs - cold[MINIMAL].wallMs)} ms of wall time (which moves with this machine's load; the CPU ratio is the steadier figure) ` +
    `and ${fmt(cold.layer.anonMiB - cold[MINIMAL].anonMiB)} MiB of private memory at the first \`event/next\`. Before its first \`event/next\` the layer compiles and runs its entry bundle ` +
    `(${fmt(results.size.entryBytes / 1024)} KiB, importing ${builtins.join(', ')}), parses its configuration and resolves \`sandbox.localdomain\`, ` +
    `${hosts}; the minimal telemetry extension listens on 127.0.0.1 straight away. ${facade}`
  ).trimEnd();
}

function perEventReason(name: string, f: ThroughputFigures, oneVcpu: ThroughputFigures | undefined): string {
  const hotPathUs = 1e6 / f.decodeCorrelateEventsPerS;
  const big =
    oneVcpu === undefined
      ? ''
      : ` At 1 769 MB, where only the memory limit differs, the layer takes ${fmt(oneVcpu.cpuUsPerEvent, 2)} µs per event and JSON.parse ${fmt(oneVcpu.jsonParseCpuUsPerEvent, 3)} µs.`;
  return (
    `**${name}.** ${fmt(f.cpuUsPerEvent, 2)} µs of layer CPU per event against ${fmt(f.jsonParseCpuUsPerEvent, 3)} µs for JSON.parse of the same bodies on the same node and memory limit. ` +
    `\`decode()\` plus the correlator take about ${fmt(hotPathUs, 2)} µs per event (wall time, table 3), so nearly all of the rest comes after them: the ` +
    'OpenTelemetry records, the protobuf encoding (our encoders since issue 16, about a third of the CPU of the SDK\'s on these records, ' +
    `README "Spans, log records, metrics"), the HTTP requests and garbage collection.${big}`
  );
}

export function reasons(results: Results, unmet: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const has = (prefix: string): boolean => [...unmet].some((what) => what.startsWith(prefix));
  const cold = allColdFigures(results);
  const [logs, platform] = results.throughput.measured.map(throughputFigures);
  const [logs1769, platform1769] = results.throughput.oneVcpu.map(throughputFigures);
  if (has('cold start')) out.push(coldStartReason(results));
  if (has('CPU per function log line') && logs !== undefined) out.push(perEventReason('CPU per log line', logs, logs1769));
  if (has('CPU per platform event') && platform !== undefined) out.push(perEventReason('CPU per platform event', platform, platform1769));
  if (has('peak private memory') && logs !== undefined) {
    out.push(
      `**Peak private memory.** ${fmt(logs.anonPeakMiB)} MiB under the burst against ${fmt(logs.anonIdleMiB)} MiB just before it: the burst ` +
        `(${fmt(results.throughput.measured[0]!.scenario.workload.bytes / 1024 / 1024)} MiB of JSON) is held in memory until it is exported (decoded batches, ` +
        'queued log records, encoded requests), and how far the V8 heap grows to hold and collect it depends on the limit' +
        `${logs1769 === undefined ? '.' : `: at 1 769 MB the peak is ${fmt(logs1769.anonPeakMiB)} MiB.`}`,
    );
  }
  if (has('private memory idle')) {
    out.push(
      `**Idle private memory.** ${fmt(cold.layer.idleAnonMiB)} MiB with the SDK loaded against ${fmt(cold[MINIMAL].idleAnonMiB)} MiB for the minimal telemetry ` +
        `extension. Of the difference, ${fmt(cold.layer.anonMiB - cold[MINIMAL].anonMiB)} MiB is there already at the first \`event/next\`, before the SDK loads ` +
        `(the entry bundle and what it imports, see cold start), and ${fmt(cold.layer.idleAnonMiB - cold.layer.anonMiB)} MiB comes with the OpenTelemetry ` +
        `pipeline (${fmt(results.size.largestChunk.bytes / 1024)} KiB chunk, loaded on the first INVOKE) and the first exports.`,
    );
  }
  const first = results.growth.readings[0];
  const last = results.growth.readings.at(-1);
  if (has('private memory after') && first !== undefined && last !== undefined) {
    const outside = (r: typeof first): number => r.anonAfterGcMiB - r.heapTotalMiB;
    const signed = (value: number): string => `${value >= 0 ? '+' : ''}${fmt(value)}`;
    out.push(
      `**Private memory growth.** Of the ${signed(last.anonAfterGcMiB - first.anonAfterGcMiB)} MiB after a full GC, the heap V8 keeps reserved ` +
        `accounts for ${signed(last.heapTotalMiB - first.heapTotalMiB)} MiB (${fmt(first.heapTotalMiB)} → ${fmt(last.heapTotalMiB)}) and memory outside the ` +
        `V8 heap (RssAnon minus the reserved heap) for ${signed(outside(last) - outside(first))} MiB (${fmt(outside(first))} → ${fmt(outside(last))}); ` +
        `the live JavaScript objects (V8 heap in use) go ${fmt(first.heapUsedMiB, 2)} → ${fmt(last.heapUsedMiB, 2)} MiB and Buffers outside the heap ` +
        `${fmt(first.externalMiB, 2)} → ${fmt(last.externalMiB, 2)} MiB. After a memory-reducing GC (V8's last-resort GC, which returns the ` +
        `emptied heap pages V8 pools for reuse) private memory goes ${fmt(first.anonAfterReducingGcMiB)} → ${fmt(last.anonAfterReducingGcMiB)} MiB ` +
        `(${signed(last.anonAfterReducingGcMiB - first.anonAfterReducingGcMiB)}); what it takes back at the end, ` +
        `${fmt(last.anonAfterGcMiB - last.anonAfterReducingGcMiB)} MiB, is that pool: resident pages outside what V8 reports as its heap, which a ` +
        'heap this small does not return on its own (V8 runs no memory-reducing GC for it).',
    );
  }
  if (has('nothing lost')) {
    out.push('**Losses or OOM kills at 128 MB.** Which runs lost what is in the target row; the loss cases are explained under the throughput tables, OOM kills are counted in every table.');
  }
  if (has('per-invocation overhead')) {
    const periodic = percentiles(results.overhead['layer, periodic,10000'].invokeToNextMs);
    const floor = percentiles(results.overhead[MINIMAL].invokeToNextMs);
    out.push(
      `**Per-invocation p99.** The median INVOKE→next (${fmt(periodic.p50, 2)} ms) is near the minimal telemetry extension's (${fmt(floor.p50, 2)} ms), but ` +
        'exports started by the size thresholds (a batch of 512 spans or 512 log records, 2048 metric points) serialise protobuf on the event loop ' +
        '(encoding is synchronous), and an INVOKE that arrives meanwhile waits; the first of them also run before V8 has optimised the ' +
        `encoders. The minimal telemetry extension's own p99 (${fmt(floor.p99, 2)} ms) is this machine's and the sandbox's floor.`,
    );
  }
  if (has('CPU from spawn')) {
    out.push(
      `**CPU until exported.** ${fmt(cold.layer.cpuAfterExportMs - cold.layer.cpuMs)} ms of the layer's CPU come after its first \`event/next\`: loading ` +
        `the OpenTelemetry pipeline (${fmt(results.size.largestChunk.bytes / 1024)} KiB) on the first INVOKE, building the first records and the first export requests.`,
    );
  }
  return out;
}

/** Notes on the loss cases: what was lost and through which mechanism. */
export function lossNotes(results: Results): string[] {
  const notes: string[] = [];
  for (const result of results.throughput.losses) {
    const run = result.runs[0];
    const w = result.scenario.workload;
    if (run === undefined) continue;
    if (!result.scenario.settle && run.logs < w.expectedLogs && run.warnings.length === 0) {
      notes.push(
        `SHUTDOWN right after the last POST delivered ${fmt(run.logs, 0)} of ${fmt(w.expectedLogs, 0)} log records and the layer logged no loss: the ` +
          "SHUTDOWN export did not wait for the records an earlier flush still held (a regression: the export queue's flush waits for the running drain).",
      );
    } else if (run.spans < w.expectedSpans) {
      notes.push(
        `${fmt(w.expectedSpans - run.spans, 0)} spans of ${w.name} in max-size batches were refused by the layer's span queue ` +
          '(max(4 × LAMBDA_OTEL_FLUSH_SPANS, 32 768) spans; one max-size batch carries up to 3 333 invocations, 13 332 spans): the receiver took them ' +
          'slower than they came even with the listener holding each answer up to 1 s.',
      );
    } else if (run.logs < w.expectedLogs) {
      const said = run.warnings.map((line) => `"${(JSON.parse(line) as { msg: string }).msg}"`).join(', ') || 'nothing';
      notes.push(
        `${fmt(w.expectedLogs - run.logs, 0)} log records of ${w.name} were not delivered with the default log queue (LAMBDA_OTEL_LOG_QUEUE=10000, ` +
          `records beyond it are refused and counted, after the listener held each answer up to 1 s); the layer logged ${said}.`,
      );
    }
  }
  return notes;
}

function sandboxHostInEtcHosts(): boolean {
  try {
    return /(^|\s)sandbox\.localdomain(\s|$)/m.test(readFileSync('/etc/hosts', 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Why a target is not met, as far as the measurements show it: one bullet per missed target,
 * with this run's figures, and a note per kind of loss the loss cases exposed.
 */
import { allColdFigures, percentiles, throughputFigures } from './figures.ts';
import { readFileSync } from 'node:fs';
import type { Results } from './results.ts';
import { fmt } from './stats.ts';

export function reasons(results: Results, unmet: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const has = (prefix: string): boolean => [...unmet].some((what) => what.startsWith(prefix));
  const cold = allColdFigures(results);
  if (has('cold start')) {
    const inHosts = sandboxHostInEtcHosts();
    out.push(
      `**Cold start.** Before its first \`event/next\` the layer does more than register-then-next: it parses its configuration, ` +
        'resolves `sandbox.localdomain` (from /etc/hosts when listed there; else with `dns.lookup`, whose first call compiles Node\'s IPv6 ' +
        `address regex, about 5 ms of CPU, plus a DNS round trip: ${inHosts ? 'not on this machine, which lists the name' : 'the case on this machine'}), ` +
        'starts a `node:http` server (Node 20\'s `net` loads `cluster`, `child_process` and `dgram` with it, about 3.5 ms) and subscribes to ' +
        `the Telemetry API (one more round trip). The entry bundle imports ${results.size.entryBuiltins.join(', ')}. ` +
        `Difference of the medians: ${fmt(cold.layer.cpuMs - cold['minimal extension'].cpuMs)} ms of CPU, ${fmt(cold.layer.wallMs - cold['minimal extension'].wallMs)} ms of wall time; ` +
        'the same build measures 1.2x to 1.4x of the minimal extension from one run to the next on this machine.',
    );
  }
  if (has('per-invocation')) {
    const periodic = percentiles(results.overhead['layer, periodic,10000'].invokeToNextMs);
    const floor = percentiles(results.overhead['minimal extension'].invokeToNextMs);
    out.push(
      `**Per-invocation p99.** The median INVOKE→next (${fmt(periodic.p50, 2)} ms) is the minimal extension's (${fmt(floor.p50, 2)} ms), but ` +
        'exports started by the size thresholds (a batch of 512 spans or 512 log records, 2048 metric points) serialise protobuf on the event loop ' +
        '(the SDK\'s encoders are synchronous), and an INVOKE that arrives meanwhile waits; the first of them also run before V8 has optimised the ' +
        `encoders. The minimal extension's own p99 (${fmt(floor.p99, 2)} ms) is this machine's and the sandbox's floor.`,
    );
  }
  if (has('throughput')) {
    const perEvent = results.throughput.measured.map((r) => {
      const f = throughputFigures(r);
      return `${fmt((1e6 * f.cpuMs) / 1000 / r.scenario.workload.events, 1)} µs per event for ${r.scenario.workload.name} against ${fmt(1e6 / f.jsonParseEventsPerCpuS, 2)} µs for JSON.parse`;
    });
    out.push(
      `**Throughput.** Layer CPU: ${perEvent.join('; ')}. \`decode()\` and the correlator are within a small factor of JSON.parse (see the table); ` +
        'beyond them the largest costs are the SDK\'s OTLP protobuf encoders (about 3 µs per span or log record, by CPU profile), the HTTP ' +
        'requests, and garbage collection. Records are built in the SDK\'s export types without its tracer and logger, and gauge points are ' +
        'appended rather than collected; getting within 30 % of JSON.parse would take an encoder of our own, which this project does not write.',
    );
  }
  if (has('peak RSS')) {
    out.push(
      '**Peak RSS.** A burst is held in memory until it is exported (decoded batches, queued spans and log records, encoded requests), ' +
        'and V8 grows its young generation (up to 16 MiB semi-spaces by default) under the allocation rate; the V8 heap in use after a GC stays ' +
        'under 10 MiB (growth table). Capping the semi-spaces (`--max-semi-space-size=1` to `4` in the launcher, measured in a separate run) ' +
        'took 10 to 20 MiB off the peak, but on Node 20 any heap-size flag on the command line makes Node reject its built-in code cache and ' +
        'compile its internal modules again: about 20 ms more CPU at every cold start. The launcher does not pass it; `MALLOC_ARENA_MAX` ' +
        'changed nothing measurable.',
    );
  }
  if (has('RSS after')) {
    out.push(
      '**RSS growth.** Compare the V8 heap in use after a full GC (the live objects) with RSS: RSS follows how much heap V8 keeps reserved and ' +
        'what the allocator keeps, which move by tens of MiB between readings and between runs.',
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

/**
 * (2) Per-invocation overhead: how long an extension holds each invocation. The sandbox runs
 * `SIZES.invocations` invocations back to back (freeze off, 2 ms runtime, one log line each)
 * against the minimal telemetry extension and the layer in `periodic,10000` and `end` flush
 * mode, each in a 128 MB memory cgroup, with exports going to the local sink. For each
 * invocation:
 *
 * - INVOKE → next: from the sandbox sending INVOKE (the answer to the pending `event/next`) to
 *   the extension's next `event/next` arriving. It includes the HTTP round trip through the
 *   sandbox and the telemetry deliveries, which the minimal telemetry extension pays too: its
 *   figure is the floor.
 * - post-runtime: from the runtime's response until every extension called next again (what
 *   Lambda bills as post-runtime duration), as the sandbox reports it.
 * - CPU per invocation of the extension process over the whole run (telemetry handling and
 *   exports included), from /proc; the SDK loads on the first INVOKE and is included too.
 */
import { startSandbox } from '../../src/sandbox/index.ts';
import type { SandboxReport } from '../../src/sandbox/index.ts';
import { inMemoryGroup } from './cgroup.ts';
import type { Confinement } from './cgroup.ts';
import { EXTENSION, MINIMAL_EXTENSION, SIZES, SMALL_MB, measuredEnv } from './environment.ts';
import type { OtlpSink } from './otlp-sink.ts';
import { freePort } from '../free-port.ts';
import { memory, sched } from './proc.ts';

export type OverheadVariant = 'minimal telemetry extension' | 'layer, periodic,10000' | 'layer, end';

export interface OverheadRun {
  readonly invokeToNextMs: number[];
  readonly postRuntimeMs: number[];
  /** Private memory (RssAnon) after a tenth of the invocations and after all of them. */
  readonly anonEarlyMiB: number;
  readonly anonLateMiB: number;
  readonly sizeMB: number;
  readonly oomKills: number;
  /** Wall time of the whole run. */
  readonly elapsedMs: number;
  /** CPU of the extension process per invocation, and its time waiting for a CPU, in ms. */
  readonly cpuPerInvocationMs: number;
  readonly waitPerInvocationMs: number;
}

const RUNTIME_MS = 2;

function perInvocation(report: SandboxReport): { invokeToNextMs: number[]; postRuntimeMs: number[] } {
  const { nextCalls } = report.extensions[0]!;
  const invokeToNextMs: number[] = [];
  const postRuntimeMs: number[] = [];
  report.invocations.forEach((invocation, i) => {
    // nextCalls[0] is the init's; invocation i is answered by the call that received it,
    // nextCalls[i], and ends with nextCalls[i + 1].
    const next = nextCalls[i + 1];
    if (next === undefined || nextCalls[i]!.delivered !== 'INVOKE') throw new Error(`next call ${i + 1} missing`);
    invokeToNextMs.push(next.atMs - invocation.startedAtMs);
    postRuntimeMs.push(invocation.postRuntimeDurationMs);
  });
  return { invokeToNextMs, postRuntimeMs };
}

async function run(path: string, flush: string | null, sink: OtlpSink): Promise<OverheadRun> {
  const { result, usage } = await inMemoryGroup(SMALL_MB, (where) => runIn(where, path, flush, sink));
  return { ...result, oomKills: usage?.oomKills ?? 0 };
}

async function runIn(where: Confinement, path: string, flush: string | null, sink: OtlpSink): Promise<Omit<OverheadRun, 'oomKills'>> {
  const env = measuredEnv({ LAMBDA_OTEL_LISTENER_PORT: String(await freePort()), LAMBDA_OTEL_RECEIVER: String(await freePort()), OTEL_EXPORTER_OTLP_ENDPOINT: sink.url });
  if (flush !== null) env['LAMBDA_OTEL_FLUSH'] = flush;
  const startedAt = performance.now();
  const sandbox = await startSandbox({ extensions: [where.executable(path)], env, freeze: false, function: { memorySizeMB: where.sizeMB } });
  const pid = sandbox.report().extensions[0]!.pid!;
  let anonEarlyMiB = Number.NaN;
  const before = sched(pid);
  for (let i = 1; i <= SIZES.invocations; i++) {
    await sandbox.invoke({ durationMs: RUNTIME_MS, logs: [`invocation ${i} done`] });
    if (i === SIZES.invocations / 10) anonEarlyMiB = memory(pid)?.anonMiB ?? Number.NaN;
  }
  const after = sched(pid);
  const anonLateMiB = memory(pid)?.anonMiB ?? Number.NaN;
  const per = (pick: (times: NonNullable<typeof after>) => number): number =>
    before === null || after === null ? Number.NaN : (pick(after) - pick(before)) / SIZES.invocations;
  const report = await sandbox.shutdown({ shutdownMs: 5000 });
  if (report.extensions[0]!.exit?.code !== 0) throw new Error(`${path} did not exit cleanly: ${report.extensions[0]!.stderr}`);
  return {
    ...perInvocation(report),
    anonEarlyMiB,
    anonLateMiB,
    sizeMB: where.sizeMB,
    elapsedMs: performance.now() - startedAt,
    cpuPerInvocationMs: per((t) => t.cpuMs),
    waitPerInvocationMs: per((t) => t.waitMs),
  };
}

export async function measureInvokeOverhead(sink: OtlpSink, log: (line: string) => void): Promise<Record<OverheadVariant, OverheadRun>> {
  const minimal = await run(MINIMAL_EXTENSION, null, sink);
  log(`overhead: minimal telemetry extension, ${SIZES.invocations} invocations in ${(minimal.elapsedMs / 1000).toFixed(1)} s`);
  const periodic = await run(EXTENSION, 'periodic,10000', sink);
  log(`overhead: layer periodic, ${(periodic.elapsedMs / 1000).toFixed(1)} s`);
  const end = await run(EXTENSION, 'end', sink);
  log(`overhead: layer end, ${(end.elapsedMs / 1000).toFixed(1)} s`);
  return { 'minimal telemetry extension': minimal, 'layer, periodic,10000': periodic, 'layer, end': end };
}

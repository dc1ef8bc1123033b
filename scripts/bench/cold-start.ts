/**
 * (1) Cold start and (4, idle) memory, at each function size (a memory cgroup of 128 MB and of
 * 1 769 MB, see cgroup.ts). Three variants, interleaved run by run with both sizes so that
 * machine noise hits them alike:
 *
 * - `node -e 0`, the floor for any Node extension. Its "point" is the end of its script: the
 *   script is `process.kill(process.pid, 'SIGSTOP')` (one syscall instead of `0`), and this
 *   process polls /proc every millisecond until it sees the child stopped, then reads CPU and
 *   memory of the stopped process. Wall time is spawn until stopped (±1 ms).
 * - the minimal telemetry extension and the built layer, in the sandbox (freeze on, as on
 *   Lambda). Wall time is the sandbox's spawn-to-first-`event/next`; CPU and memory are read
 *   when the sandbox reports the end of init (every extension called `next`), before it freezes
 *   them. Both then run two invocations (20 ms, one log line each) in the same environment; CPU
 *   is read again once each invoke phase is over (the environment frozen): after invocation 1
 *   the layer has loaded the SDK and exported the log; after invocation 2 (default `adaptive`
 *   flush: `end` while invocations are rare) invocation 1's spans and metrics have been
 *   exported, because its platform.report arrives during invocation 2. Memory read then, frozen,
 *   is the idle figure with the SDK loaded.
 *
 * Every process starts through the shell that joins its cgroup; all three pay it alike.
 * CPU is user + system time of every thread, in ns, from /proc/<pid>/task/<tid>/schedstat.
 */
import { spawn } from 'node:child_process';
import { startSandbox } from '../../src/sandbox/index.ts';
import { inMemoryGroup } from './cgroup.ts';
import type { Confinement } from './cgroup.ts';
import { EXTENSION, MINIMAL_EXTENSION, ONE_VCPU_MB, SIZES, SMALL_MB, measuredEnv, plainEnv } from './environment.ts';
import type { OtlpSink } from './otlp-sink.ts';
import { freePort } from '../free-port.ts';
import { childPids, cpuMs, memory, state } from './proc.ts';
import { sleep } from './stats.ts';

export type ColdVariant = 'node -e 0' | 'minimal telemetry extension' | 'layer';
export const COLD_VARIANTS: readonly ColdVariant[] = ['node -e 0', 'minimal telemetry extension', 'layer'];

export interface ColdRun {
  /** Spawn until the point (exit of the script, or first `event/next`). */
  readonly wallMs: number;
  readonly cpuMs: number;
  /** VmHWM and private memory (RssAnon) at the point. */
  readonly hwmMiB: number;
  readonly anonMiB: number;
  /** CPU from spawn until invocation 1's invoke phase ended (null for node -e 0). */
  readonly cpuAfterFirstInvokeMs: number | null;
  /** CPU from spawn until invocation 2's ended: invocation 1's telemetry is exported. */
  readonly cpuAfterExportMs: number | null;
  /** VmHWM and RssAnon once idle after the two invocations (SDK loaded, frozen). */
  readonly idleHwmMiB: number | null;
  readonly idleAnonMiB: number | null;
  /** Spans the layer had exported by the end of invocation 2, and their bytes. */
  readonly spansExported: number;
  readonly traceBytes: number;
  /** The cgroup's peak charge (memory.max_usage_in_bytes), null unconfined. */
  readonly groupPeakMiB: number | null;
  readonly oomKills: number;
}

/** The cold starts at one function size. */
export interface ColdStart {
  readonly sizeMB: number;
  readonly runs: Readonly<Record<ColdVariant, readonly ColdRun[]>>;
}

type PointRun = Omit<ColdRun, 'groupPeakMiB' | 'oomKills'>;

const POLL_MS = 1;
const STOP_TIMEOUT_MS = 5000;
const MiB = 1024 * 1024;

async function nodeFloor(where: Confinement): Promise<PointRun> {
  const startedAt = performance.now();
  const { file, args } = where.command('node', ['-e', "process.kill(process.pid,'SIGSTOP')"]);
  const child = spawn(file, args, { env: plainEnv(), stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('node -e 0: spawn failed');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    while (state(pid) !== 'T') {
      if (performance.now() - startedAt > STOP_TIMEOUT_MS) throw new Error('node -e 0 never reached its end');
      await sleep(POLL_MS);
    }
    const wallMs = performance.now() - startedAt;
    const mem = memory(pid);
    const run = { wallMs, cpuMs: cpuMs(pid) ?? Number.NaN, hwmMiB: mem?.hwmMiB ?? Number.NaN, anonMiB: mem?.anonMiB ?? Number.NaN };
    return { ...run, cpuAfterFirstInvokeMs: null, cpuAfterExportMs: null, idleHwmMiB: null, idleAnonMiB: null, spansExported: 0, traceBytes: 0 };
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * One cold start of the extension at `path` in the sandbox, confined by `where`: its figures at
 * the first `event/next`, then two invocations (invocation 1 exported). `extraEnv` adds to
 * the extension's environment (a variant's flags).
 */
export async function inSandbox(path: string, sink: OtlpSink, where: Confinement, extraEnv: Readonly<Record<string, string>> = {}): Promise<PointRun> {
  sink.reset();
  const before = childPids();
  let pid = 0;
  let atFirstNext = { cpuMs: Number.NaN, hwmMiB: Number.NaN, anonMiB: Number.NaN };
  const env = measuredEnv({ LAMBDA_OTEL_LISTENER_PORT: String(await freePort()), LAMBDA_OTEL_RECEIVER: String(await freePort()), OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, ...extraEnv });
  const sandbox = await startSandbox({
    extensions: [where.executable(path)],
    env,
    function: { memorySizeMB: where.sizeMB },
    onProgress: (event) => {
      if (event.type !== 'init-done') return;
      pid = [...childPids()].find((candidate) => !before.has(candidate)) ?? 0;
      const mem = memory(pid);
      atFirstNext = { cpuMs: cpuMs(pid) ?? Number.NaN, hwmMiB: mem?.hwmMiB ?? Number.NaN, anonMiB: mem?.anonMiB ?? Number.NaN };
    },
  });
  const extension = sandbox.report().extensions[0]!;
  if (!sandbox.report().initDone || extension.pid !== pid) throw new Error(`${path}: init failed: ${extension.stderr}`);
  await sandbox.invoke({ durationMs: 20, logs: ['cold start benchmark'] });
  const cpuAfterFirstInvokeMs = cpuMs(pid);
  await sandbox.invoke({ durationMs: 20 });
  const cpuAfterExportMs = cpuMs(pid);
  const idle = memory(pid);
  const { items: spansExported, bytes: traceBytes } = sink.counts.traces;
  const report = await sandbox.shutdown();
  if (report.extensions[0]!.exit?.code !== 0) throw new Error(`${path} did not exit cleanly: ${report.extensions[0]!.stderr}`);
  return {
    wallMs: extension.firstNextMs ?? Number.NaN,
    ...atFirstNext,
    cpuAfterFirstInvokeMs,
    cpuAfterExportMs,
    idleHwmMiB: idle?.hwmMiB ?? null,
    idleAnonMiB: idle?.anonMiB ?? null,
    spansExported,
    traceBytes,
  };
}

async function oneRun(sizeMB: number, measure: (where: Confinement) => Promise<PointRun>): Promise<ColdRun> {
  const { result, usage } = await inMemoryGroup(sizeMB, measure);
  return { ...result, groupPeakMiB: usage === null ? null : usage.maxUsageBytes / MiB, oomKills: usage?.oomKills ?? 0 };
}

/** Cold starts at 128 MB and at 1 769 MB, all variants and sizes interleaved. */
export async function measureColdStart(sink: OtlpSink, log: (line: string) => void): Promise<ColdStart[]> {
  const sizes = [SMALL_MB, ONE_VCPU_MB];
  const runs = sizes.map((): Record<ColdVariant, ColdRun[]> => ({ 'node -e 0': [], 'minimal telemetry extension': [], layer: [] }));
  const measures: Readonly<Record<ColdVariant, (where: Confinement) => Promise<PointRun>>> = {
    'node -e 0': nodeFloor,
    'minimal telemetry extension': (where) => inSandbox(MINIMAL_EXTENSION, sink, where),
    layer: (where) => inSandbox(EXTENSION, sink, where),
  };
  const order = sizes.flatMap((_, s) => COLD_VARIANTS.map((name) => [s, name] as const));
  for (let i = 0; i < SIZES.coldRuns; i++) {
    // Interleaved, and rotated so that no variant always runs right after another.
    for (let k = 0; k < order.length; k++) {
      const [s, name] = order[(i + k) % order.length]!;
      runs[s]![name].push(await oneRun(sizes[s]!, measures[name]));
    }
    log(`cold start ${i + 1}/${SIZES.coldRuns}`);
  }
  return sizes.map((sizeMB, s) => ({ sizeMB, runs: runs[s]! }));
}

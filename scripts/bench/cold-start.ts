/**
 * (1) Cold start and (4, idle) memory. Three variants, interleaved run by run so that machine
 * noise hits them alike:
 *
 * - `node -e 0`, the floor for any Node extension. Its "point" is the end of its script: the
 *   script is `process.kill(process.pid, 'SIGSTOP')` (one syscall instead of `0`), and this
 *   process polls /proc every millisecond until it sees the child stopped, then reads CPU and
 *   memory of the stopped process. Wall time is spawn until stopped (±1 ms).
 * - the minimal register-then-next extension and the built layer, in the sandbox (freeze on,
 *   as on Lambda). Wall time is the sandbox's spawn-to-first-`event/next`; CPU and memory are
 *   read when the sandbox reports the end of init (every extension called `next`), before it
 *   freezes them. Both then run two invocations (20 ms, one log line each) in the same
 *   environment; CPU is read again once each invoke phase is over (the environment frozen):
 *   after invocation 1 the layer has loaded the SDK and exported the log; after invocation 2
 *   (default `adaptive` flush: `end` while invocations are rare) invocation 1's spans and
 *   metrics have been exported, because its platform.report arrives during invocation 2.
 *
 * CPU is user + system time of every thread, in ns, from /proc/<pid>/task/<tid>/schedstat.
 */
import { spawn } from 'node:child_process';
import { startSandbox } from '../../src/sandbox/index.ts';
import { EXTENSION, MINIMAL_EXTENSION, SIZES, measuredEnv, plainEnv } from './environment.ts';
import type { OtlpSink } from './otlp-sink.ts';
import { freePort } from '../free-port.ts';
import { childPids, cpuMs, memory, state } from './proc.ts';
import { sleep } from './stats.ts';

export type ColdVariant = 'node -e 0' | 'minimal extension' | 'layer';

export interface ColdRun {
  /** Spawn until the point (exit of the script, or first `event/next`). */
  readonly wallMs: number;
  readonly cpuMs: number;
  /** VmHWM at the point. */
  readonly hwmMiB: number;
  /** CPU from spawn until invocation 1's invoke phase ended (null for node -e 0). */
  readonly cpuAfterFirstInvokeMs: number | null;
  /** CPU from spawn until invocation 2's ended: invocation 1's telemetry is exported. */
  readonly cpuAfterExportMs: number | null;
  /** VmHWM once idle after the two invocations (SDK loaded). */
  readonly idleHwmMiB: number | null;
  /** Spans the layer had exported by the end of invocation 2, and their bytes. */
  readonly spansExported: number;
  readonly traceBytes: number;
}

const POLL_MS = 1;
const STOP_TIMEOUT_MS = 5000;

async function nodeFloor(): Promise<ColdRun> {
  const startedAt = performance.now();
  const child = spawn('node', ['-e', "process.kill(process.pid,'SIGSTOP')"], { env: plainEnv(), stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('node -e 0: spawn failed');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    while (state(pid) !== 'T') {
      if (performance.now() - startedAt > STOP_TIMEOUT_MS) throw new Error('node -e 0 never reached its end');
      await sleep(POLL_MS);
    }
    const wallMs = performance.now() - startedAt;
    const run = { wallMs, cpuMs: cpuMs(pid) ?? Number.NaN, hwmMiB: memory(pid)?.hwmMiB ?? Number.NaN };
    return { ...run, cpuAfterFirstInvokeMs: null, cpuAfterExportMs: null, idleHwmMiB: null, spansExported: 0, traceBytes: 0 };
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

async function inSandbox(path: string, sink: OtlpSink): Promise<ColdRun> {
  sink.reset();
  const before = childPids();
  let pid = 0;
  let atFirstNext = { cpuMs: Number.NaN, hwmMiB: Number.NaN };
  const env = measuredEnv({ LAMBDA_OTEL_LISTENER_PORT: String(await freePort()), OTEL_EXPORTER_OTLP_ENDPOINT: sink.url });
  const sandbox = await startSandbox({
    extensions: [path],
    env,
    onProgress: (event) => {
      if (event.type !== 'init-done') return;
      pid = [...childPids()].find((candidate) => !before.has(candidate)) ?? 0;
      atFirstNext = { cpuMs: cpuMs(pid) ?? Number.NaN, hwmMiB: memory(pid)?.hwmMiB ?? Number.NaN };
    },
  });
  const extension = sandbox.report().extensions[0]!;
  if (!sandbox.report().initDone || extension.pid !== pid) throw new Error(`${path}: init failed: ${extension.stderr}`);
  await sandbox.invoke({ durationMs: 20, logs: ['cold start benchmark'] });
  const cpuAfterFirstInvokeMs = cpuMs(pid);
  await sandbox.invoke({ durationMs: 20 });
  const cpuAfterExportMs = cpuMs(pid);
  const idleHwmMiB = memory(pid)?.hwmMiB ?? null;
  const { items: spansExported, bytes: traceBytes } = sink.counts.traces;
  const report = await sandbox.shutdown();
  if (report.extensions[0]!.exit?.code !== 0) throw new Error(`${path} did not exit cleanly: ${report.extensions[0]!.stderr}`);
  return { wallMs: extension.firstNextMs ?? Number.NaN, ...atFirstNext, cpuAfterFirstInvokeMs, cpuAfterExportMs, idleHwmMiB, spansExported, traceBytes };
}

export async function measureColdStart(sink: OtlpSink, log: (line: string) => void): Promise<Record<ColdVariant, ColdRun[]>> {
  const runs: Record<ColdVariant, ColdRun[]> = { 'node -e 0': [], 'minimal extension': [], layer: [] };
  const variants: ReadonlyArray<readonly [ColdVariant, () => Promise<ColdRun>]> = [
    ['node -e 0', nodeFloor],
    ['minimal extension', () => inSandbox(MINIMAL_EXTENSION, sink)],
    ['layer', () => inSandbox(EXTENSION, sink)],
  ];
  for (let i = 0; i < SIZES.coldRuns; i++) {
    // Interleaved, and rotated so that no variant always runs right after another.
    for (let k = 0; k < variants.length; k++) {
      const [name, measure] = variants[(i + k) % variants.length]!;
      runs[name].push(await measure());
    }
    log(`cold start ${i + 1}/${SIZES.coldRuns}`);
  }
  return runs;
}

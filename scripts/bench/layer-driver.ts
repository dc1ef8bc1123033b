/**
 * Runs the built layer in the sandbox with freeze off (inside the given memory cgroup), loads
 * its OpenTelemetry pipeline with one real invocation, then lets a benchmark POST Telemetry API
 * bodies straight to its listener on 127.0.0.1, as Lambda would, while watching the process in
 * /proc.
 */
import { Agent, request } from 'node:http';
import { startSandbox } from '../../src/sandbox/index.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import type { Confinement } from './cgroup.ts';
import { EXTENSION, measuredEnv } from './environment.ts';
import type { OtlpSink } from './otlp-sink.ts';
import { freePort } from '../free-port.ts';
import { memory, sched } from './proc.ts';
import { sleep } from './stats.ts';

export interface RunningLayer {
  readonly sandbox: Sandbox;
  readonly pid: number;
  /** POSTs one body to the listener; rejects unless answered 200. */
  post(body: Buffer): Promise<void>;
  close(): void;
}

/** Time for the warm-up invocation's own telemetry (report, end-of-invoke export) to settle. */
const SETTLE_MS = 150;
/** A listener that does not answer a POST within this long counts as hung. */
const POST_TIMEOUT_MS = 60_000;

export async function startLayer(sink: OtlpSink, where: Confinement, extraEnv: Readonly<Record<string, string>> = {}): Promise<RunningLayer> {
  const port = await freePort();
  const env = measuredEnv({ LAMBDA_OTEL_LISTENER_PORT: String(port), LAMBDA_OTEL_RECEIVER: String(await freePort()), OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, ...extraEnv });
  const sandbox = await startSandbox({ extensions: [where.executable(EXTENSION)], env, freeze: false, function: { memorySizeMB: where.sizeMB } });
  const extension = sandbox.report().extensions[0]!;
  if (!sandbox.report().initDone || extension.pid === null) throw new Error(`layer init failed: ${extension.stderr}`);
  // The first INVOKE loads the OpenTelemetry SDK.
  await sandbox.invoke({ durationMs: 5 });
  await sleep(SETTLE_MS);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const post = (body: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/telemetry', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': body.length } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`listener answered ${res.statusCode}`))));
        },
      );
      req.setTimeout(POST_TIMEOUT_MS, () => req.destroy(new Error(`no answer from the listener within ${POST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  return { sandbox, pid: extension.pid, post, close: () => agent.destroy() };
}

export interface Watch {
  /** Highest VmHWM seen, MiB. */
  readonly hwmMiB: number;
  /** Highest private memory (RssAnon) sampled, MiB. */
  readonly anonPeakMiB: number;
  /** The latest scheduler reading of the process. */
  readonly cpuMs: number;
  readonly waitMs: number;
  stop(): void;
}

/** Polls CPU, VmHWM and RssAnon of `pid` every `everyMs` until stopped; keeps the last reading once it is gone. */
export function watch(pid: number, everyMs = 5): Watch {
  let hwmMiB = 0;
  let anonPeakMiB = 0;
  let cpu = Number.NaN;
  let wait = Number.NaN;
  const read = (): void => {
    const mem = memory(pid);
    const times = sched(pid);
    // A zombie (exited, not yet reaped) has no memory lines and only its main thread left.
    if (mem === null || times === null || !Number.isFinite(mem.hwmMiB)) return;
    hwmMiB = Math.max(hwmMiB, mem.hwmMiB);
    anonPeakMiB = Math.max(anonPeakMiB, mem.anonMiB);
    if (!(times.cpuMs < cpu)) cpu = times.cpuMs;
    if (!(times.waitMs < wait)) wait = times.waitMs;
  };
  read();
  const timer = setInterval(read, everyMs);
  return {
    get hwmMiB() {
      return hwmMiB;
    },
    get anonPeakMiB() {
      return anonPeakMiB;
    },
    get cpuMs() {
      return cpu;
    },
    get waitMs() {
      return wait;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * Resolves once the layer has gone quiet: the sink read no export for `quietMs` and the
 * process used under 1 ms of CPU meanwhile. Resolves with the sink's last read time (what
 * counts as done); rejects after `timeoutMs`.
 */
export async function quiet(sink: OtlpSink, watcher: Watch, quietMs = 300, timeoutMs = 120_000): Promise<number> {
  const until = performance.now() + timeoutMs;
  let since = performance.now();
  let cpuAt = watcher.cpuMs;
  let lastExport = sink.lastAtMs();
  for (;;) {
    await sleep(10);
    const now = performance.now();
    if (sink.lastAtMs() !== lastExport || watcher.cpuMs - cpuAt >= 1) {
      since = now;
      cpuAt = watcher.cpuMs;
      lastExport = sink.lastAtMs();
    } else if (now - since >= quietMs) {
      return lastExport;
    }
    if (now > until) throw new Error(`the layer did not go quiet within ${timeoutMs} ms`);
  }
}

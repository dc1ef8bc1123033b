/**
 * Paths, run sizes and the process environment shared by every benchmark.
 *
 * Every measured process gets the environment the sandbox gives extensions (PATH, HOME and LANG
 * of this shell plus the Lambda variables), so `node -e 0` and both extensions start alike.
 * NODE_EXTRA_CA_CERTS, which this machine sets and which costs every Node start about 35 ms of
 * CPU, is left out of all of them (Lambda does not set it) unless BENCH_KEEP_EXTRA_CA_CERTS=1,
 * which passes it to all of them.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * The layer's executable: the build in dist/ unless BENCH_EXTENSION names another one (to
 * measure a candidate change built elsewhere against the same baselines).
 */
export const EXTENSION = resolve(process.env['BENCH_EXTENSION'] ?? `${ROOT}dist/layer/extensions/lambda-telemetry-otel`);
/** The unpacked layer (what Lambda mounts at /opt) and its zip beside it. */
export const LAYER_DIR = resolve(dirname(EXTENSION), '..');
export const LAYER_ZIP = `${LAYER_DIR}.zip`;
/**
 * The minimal telemetry extension (register, listener, subscription, next; node:http through
 * require): the floor for any telemetry extension written for Node (issue 16).
 */
export const MINIMAL_EXTENSION = `${ROOT}test/sandbox/fixtures/minimal-telemetry-extension.mjs`;
/** Function memory sizes measured, in Lambda's MB (MiB): the smallest, and one full vCPU. */
export const SMALL_MB = 128;
export const ONE_VCPU_MB = 1769;
/** A preload that runs gc() on SIGUSR2 and prints memory figures, for the growth run only. */
export const GC_HOOK = fileURLToPath(new URL('./gc-on-signal.mjs', import.meta.url));

const quick = process.env['BENCH_QUICK'] === '1';

/** How big each benchmark is; BENCH_QUICK=1 gives a smoke run. */
export const SIZES = {
  quick,
  /** Spawns per cold-start variant (median reported). */
  coldRuns: quick ? 3 : 15,
  /** Invocations per flush mode for the per-invocation overhead. */
  invocations: quick ? 100 : 1000,
  /** Invocations per variant of the backend-down measurement (freeze on). */
  backendDownInvocations: quick ? 10 : 50,
  /** Repetitions of each throughput workload (median reported). */
  throughputReps: quick ? 1 : 5,
  /** The same at 1 769 MB, shown beside the 128 MB figures the targets are judged on. */
  throughputRepsOneVcpu: quick ? 1 : 3,
  logEvents: 30_000,
  platformInvocations: 10_000,
  /** Invocations of the memory growth run, and where the first reading is taken. */
  growthInvocations: quick ? 10_000 : 100_000,
  growthFirstReading: 1_000,
  /** Invocations per run of the relay benchmark, and repetitions (pairs of runs: without and with the function's exports). */
  relayInvocations: quick ? 50 : 200,
  relayReps: quick ? 1 : 5,
} as const;

/** Passes this shell's NODE_EXTRA_CA_CERTS to every measured process when asked to. */
export const KEEP_EXTRA_CA_CERTS = process.env['BENCH_KEEP_EXTRA_CA_CERTS'] === '1';

/** Extra environment for every measured process, on top of what the sandbox sets. */
export function measuredEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  const ca = process.env['NODE_EXTRA_CA_CERTS'];
  if (KEEP_EXTRA_CA_CERTS && ca !== undefined) env['NODE_EXTRA_CA_CERTS'] = ca;
  return { ...env, ...extra };
}

/** The environment of a process spawned outside the sandbox (`node -e 0`), like the sandbox's. */
export function plainEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...measuredEnv() };
}

export function assertBuilt(): void {
  if (!existsSync(EXTENSION)) throw new Error(`no built layer at ${LAYER_DIR}: run npm run build`);
}

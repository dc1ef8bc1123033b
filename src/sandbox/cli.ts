/**
 * `lambda-sandbox`: runs extension executables through a scripted Lambda lifecycle and
 * prints what happened. Exits 1 when an extension failed init, was killed at the SHUTDOWN
 * deadline or exited non-zero; 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_CONCURRENCY } from './managed-instances.ts';
import { startOtlpSink } from './otlp-sink.ts';
import { runScenario } from './scenario.ts';
import { failuresOf, formatReport } from './summary.ts';
import type { InvocationSpec } from './types.ts';

const USAGE = `Usage: lambda-sandbox --extension <path> [options]

Runs Lambda external extensions locally (Extensions API + Telemetry API) through
init, invocations and shutdown, then prints a summary.

Options:
  --extension <path>    extension executable (repeatable); its file name is its name
  --invocations <n>     number of invocations (default 3)
  --duration-ms <ms>    runtime duration of each invocation (default 20)
  --gap-ms <ms>         frozen idle time before each invocation after the first (default 100)
  --shutdown-ms <ms>    time between SHUTDOWN and SIGKILL (default 2000)
  --error-every <n>     make every n-th invocation end with status "error"
  --log <line>          function log line emitted in every invocation (repeatable)
  --tracing             give every invocation an X-Ray trace header
  --no-freeze           do not SIGSTOP the extensions between invocations
  --managed-instances   a Lambda Managed Instances environment: SHUTDOWN-only extensions,
                        schema 2025-01-29, no freeze, invocations overlap (--gap-ms is then
                        the time between starts, default 0)
  --concurrency <n>     with --managed-instances: invocations in flight at once (default 64)
  --env <KEY=VALUE>     extra environment variable for the extensions (repeatable)
  --discard-otlp        answer the extensions' OTLP/HTTP exports with success and discard
                        them (sets OTEL_EXPORTER_OTLP_ENDPOINT), for an exporting extension
                        such as lambda-telemetry-otel when no collector runs
  --help                print this help

Like a function's configuration, every OTEL_* and LAMBDA_OTEL_* variable of this shell is
passed to the extensions; the rest of the environment is not.
`;

/** Prefixes of the variables passed through, as a function's configuration would set them. */
const PASSED_PREFIXES = ['OTEL_', 'LAMBDA_OTEL_'];

function extensionEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && PASSED_PREFIXES.some((prefix) => key.startsWith(prefix))) env[key] = value;
  }
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env takes KEY=VALUE (got "${pair}")`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

class UsageError extends Error {}

function count(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw new UsageError(`--${name} must be an integer >= ${min}`);
  return parsed;
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      extension: { type: 'string', multiple: true },
      invocations: { type: 'string' },
      'duration-ms': { type: 'string' },
      'gap-ms': { type: 'string' },
      'shutdown-ms': { type: 'string' },
      'error-every': { type: 'string' },
      log: { type: 'string', multiple: true },
      tracing: { type: 'boolean' },
      'no-freeze': { type: 'boolean' },
      'managed-instances': { type: 'boolean' },
      concurrency: { type: 'string' },
      env: { type: 'string', multiple: true },
      'discard-otlp': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const extensions = values.extension ?? [];
  if (extensions.length === 0) throw new UsageError('at least one --extension is required');
  const managedInstances = values['managed-instances'] === true;
  if (!managedInstances && values.concurrency !== undefined) throw new UsageError('--concurrency needs --managed-instances');
  if (managedInstances && values['no-freeze'] === true) throw new UsageError('--managed-instances never freezes: drop --no-freeze');
  const invocationCount = count(values.invocations, 'invocations', 3, 0);
  const durationMs = count(values['duration-ms'], 'duration-ms', 20, 0);
  const gapMs = count(values['gap-ms'], 'gap-ms', managedInstances ? 0 : 100, 0);
  const shutdownMs = count(values['shutdown-ms'], 'shutdown-ms', 2000, 1);
  const errorEvery = count(values['error-every'], 'error-every', 0, 0);
  const invocations: InvocationSpec[] = [];
  for (let i = 1; i <= invocationCount; i += 1) {
    invocations.push({
      durationMs,
      gapMs: i === 1 ? 0 : gapMs,
      status: errorEvery > 0 && i % errorEvery === 0 ? 'error' : 'success',
      logs: values.log ?? [],
      tracing: values.tracing === true,
    });
  }
  const env = extensionEnv(values.env ?? []);
  const sink = values['discard-otlp'] === true ? await startOtlpSink() : null;
  try {
    if (sink !== null) {
      // LAMBDA_OTEL_...: lambda-telemetry-otel's own endpoint, which wins over the shared one.
      const endpoints = Object.keys(env).filter((key) => /^(LAMBDA_)?OTEL_EXPORTER_OTLP_(TRACES_|METRICS_|LOGS_)?ENDPOINT$/.test(key));
      if (endpoints.length > 0) throw new UsageError(`--discard-otlp sets the OTLP endpoint itself; unset ${endpoints.join(', ')}`);
      env.OTEL_EXPORTER_OTLP_ENDPOINT = sink.url;
    }
    const mode = managedInstances
      ? { managedInstances, maxConcurrency: count(values.concurrency, 'concurrency', DEFAULT_MAX_CONCURRENCY, 1) }
      : { freeze: values['no-freeze'] !== true };
    const report = await runScenario({
      extensions,
      env,
      ...mode,
      stdio: 'inherit',
      scenario: { invocations, shutdown: { shutdownMs } },
    });
    process.stdout.write(formatReport(report));
    if (sink !== null) process.stdout.write(`${sink.describe()}\n`);
    return failuresOf(report).length === 0 ? 0 : 1;
  } finally {
    await sink?.close();
  }
}

// Ctrl-C: exit through process.exit so the sandbox's exit hook kills the extension groups.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage = error instanceof UsageError || (error instanceof TypeError && 'code' in error);
    process.stderr.write(`lambda-sandbox: ${error instanceof Error ? error.message : String(error)}\n`);
    if (usage) process.stderr.write(`\n${USAGE}`);
    process.exitCode = usage ? 2 : 1;
  },
);

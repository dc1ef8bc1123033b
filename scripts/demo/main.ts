/**
 * `npm run demo`: runs the built layer in the local Lambda sandbox through a sample workload
 * (cold start, successes, an error, a timeout, function logs, X-Ray context on some) and shows
 * the traces as terminal waterfalls with a metrics summary. With OTEL_EXPORTER_OTLP_ENDPOINT set,
 * the telemetry goes to that backend instead (e.g. Jaeger from deploy/docker-compose.yaml).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../../src/sandbox/index.ts';
import type { InvocationSpec, Sandbox, SandboxProgress, SandboxReport } from '../../src/sandbox/index.ts';
import { freePort } from '../free-port.ts';
import { createFunctionOtel } from './function-otel.ts';
import type { FunctionOtel } from './function-otel.ts';
import { startDemoReceiver } from './otlp-json-receiver.ts';
import type { DemoReceiver } from './otlp-json-receiver.ts';
import { OWN_SPAN_NAMES } from '../../src/otel/spans.ts';
import { parseReceiver } from '../../src/otel/receiver-config.ts';
import { postRuntimeNote, renderMetrics, renderTraces } from './waterfall.ts';

export const DEMO_FUNCTION = 'demo-orders';
const EXTENSION = fileURLToPath(new URL('../../dist/layer/extensions/lambda-telemetry-otel', import.meta.url));
const IDLE_MS = 200;

export interface DemoOptions {
  /** Environment to read OTEL_* / LAMBDA_OTEL_* from (passed to the extension, as a function's configuration). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly write: (text: string) => void;
  readonly color: boolean;
  /** Run as Lambda Managed Instances: one environment, concurrent invocations, no freeze (`--managed-instances`). */
  readonly managedInstances?: boolean;
}

/** The sample workload; the timeout comes last because Lambda resets the environment after one. */
export function workload(): InvocationSpec[] {
  const now = () => new Date().toISOString();
  return [
    { durationMs: 60, logs: [`${now()}\t{requestId}\tINFO\tloading order 1001`, { level: 'INFO', message: 'order placed', orderId: 1001 }] },
    { durationMs: 35, tracing: true, logs: ['[INFO] fetching stock from the warehouse'] },
    { durationMs: 45, status: 'error', errorType: 'Handler.ValidationError', logs: [`[ERROR]\t${now()}\t{requestId}\tquantity must be positive`] },
    { durationMs: 25, tracing: true },
    { status: 'timeout', logs: ['waiting for the payment provider...'] },
  ];
}

/** The Managed Instances workload: these run at the same time, in one environment. */
export function managedInstancesWorkload(): InvocationSpec[] {
  return [
    { durationMs: 80, logs: [{ level: 'INFO', message: 'order placed', orderId: 2001 }] },
    { durationMs: 50, logs: [{ level: 'INFO', message: 'stock checked' }] },
    { durationMs: 65, status: 'error', errorType: 'Handler.ValidationError', logs: [{ level: 'ERROR', message: 'quantity must be positive' }] },
    { durationMs: 30, logs: [{ level: 'INFO', message: 'order shipped', orderId: 2002 }] },
  ];
}

/** Runs the demo; resolves with the process exit code. */
export async function runDemo(options: DemoOptions): Promise<number> {
  const { write } = options;
  if (!existsSync(EXTENSION)) {
    write(`No built layer at ${EXTENSION}: run npm run build first (npm run demo does).\n`);
    return 1;
  }
  const endpoint = options.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const receiver: DemoReceiver | null = endpoint ? null : await startDemoReceiver();
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env)) {
    if (value !== undefined && (key.startsWith('OTEL_') || key.startsWith('LAMBDA_OTEL_'))) env[key] = value;
  }
  if (receiver !== null) Object.assign(env, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
  // Any free port will do locally; the default could be taken on a developer's machine.
  env.LAMBDA_OTEL_LISTENER_PORT ??= String(await freePort());
  env.LAMBDA_OTEL_RECEIVER ??= String(await freePort());
  write(receiver === null ? `Exporting to ${endpoint}\n` : `Exporting to an embedded OTLP receiver at ${receiver.url}\n`);

  // The demo function is instrumented too: its spans go to the layer's local receiver.
  const address = parseReceiver(env.LAMBDA_OTEL_RECEIVER);
  const fn = address !== null && 'port' in address ? createFunctionOtel(address.port, DEMO_FUNCTION) : null;
  const started = Date.now();
  try {
    const sandbox = await startSandbox({
      extensions: [EXTENSION],
      env,
      function: { name: DEMO_FUNCTION, timeoutMs: 600, memorySizeMB: 256 },
      managedInstances: options.managedInstances === true,
      onProgress: (event) => progress(event, write, started),
    });
    try {
      if (options.managedInstances === true) await invokeConcurrently(sandbox, fn);
      else await invokeOneByOne(sandbox, fn);
    } finally {
      await fn?.shutdown();
      await sandbox.shutdown();
    }
    return finish(sandbox.report(), receiver, options);
  } finally {
    await receiver?.close();
  }
}

/** The function's own work for `spec`: none for the timeout, whose handler never gets to flush. */
const handlerOf = (fn: FunctionOtel | null, spec: InvocationSpec): Pick<InvocationSpec, 'handler'> =>
  fn === null || spec.status === 'timeout' ? {} : { handler: fn.handler(spec) };

async function invokeOneByOne(sandbox: Sandbox, fn: FunctionOtel | null): Promise<void> {
  for (const spec of workload()) {
    if (sandbox.report().initFailure !== null || sandbox.report().shutdown !== null) return;
    const requestId = crypto.randomUUID();
    const logs = spec.logs?.map((line) => (typeof line === 'string' ? line.replace('{requestId}', requestId) : { ...line, requestId }));
    await sandbox.invoke({ ...spec, requestId, logs, ...handlerOf(fn, spec) });
    if (sandbox.report().shutdown !== null) return;
    await sandbox.idle(IDLE_MS);
  }
}

/** Managed Instances: every invocation at once; the sandbox puts each one's request id in its log lines. */
async function invokeConcurrently(sandbox: Sandbox, fn: FunctionOtel | null): Promise<void> {
  if (sandbox.report().initFailure !== null) return;
  await Promise.all(managedInstancesWorkload().map((spec) => sandbox.invoke({ ...spec, ...handlerOf(fn, spec) })));
  await sandbox.idle(IDLE_MS);
}

function finish(report: SandboxReport, receiver: DemoReceiver | null, options: DemoOptions): number {
  const { write } = options;
  const extension = report.extensions[0];
  const ok = extension?.exit?.code === 0 && extension.exit.killed === false;
  write(`\nThe extension ${ok ? 'exited on its own before the SHUTDOWN deadline' : `did not end cleanly: ${JSON.stringify(extension?.exit)}`}.\n\n`);

  if (report.initFailure !== null) write(`Init failed: ${report.initFailure}\n${extension?.stderr ?? ''}\n`);
  if (receiver === null) {
    write(`Look for service "${DEMO_FUNCTION}" in your backend (Jaeger: http://localhost:16686).\n`);
  } else {
    for (const block of renderTraces(receiver.spans, receiver.logs, { color: options.color })) write(`${block}\n\n`);
    if (receiver.spans.some((span) => span.name === OWN_SPAN_NAMES.POST_RUNTIME)) write(`${postRuntimeNote(options.env.LAMBDA_OTEL_FLUSH)}\n\n`);
    write(`${renderMetrics(receiver.points)}\n`);
    write(`${receiver.logs.length} log records\n`);
    for (const error of receiver.errors) write(`receiver error: ${error}\n`);
  }
  return ok ? 0 : 1;
}

function progress(event: SandboxProgress, write: (text: string) => void, started: number): void {
  const at = `[${String(Date.now() - started).padStart(5)} ms]`;
  switch (event.type) {
    case 'init-done':
      write(`${at} init done in ${event.durationMs.toFixed(1)} ms${event.ok ? '' : ` (failed: ${event.failure})`}\n`);
      break;
    case 'invoke-start':
      write(`${at} invoke ${event.requestId}\n`);
      break;
    case 'invoke-done':
      write(`${at}   ${event.status} in ${event.durationMs.toFixed(1)} ms\n`);
      break;
    case 'shutdown':
      write(`${at} SHUTDOWN (${event.reason})\n`);
      break;
    case 'exited':
      write(`${at} extension exited with code ${event.code}\n`);
      break;
    default:
      break;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await runDemo({
    env: process.env,
    write: (text) => process.stdout.write(text),
    color: process.stdout.isTTY === true,
    managedInstances: process.argv.includes('--managed-instances'),
  });
}

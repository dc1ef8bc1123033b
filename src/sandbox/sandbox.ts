/**
 * `startSandbox`: a local Lambda execution environment for external extensions, with the
 * Extensions API and the Telemetry API that the official Runtime Interface Emulator lacks.
 */
import { startApiServer } from './api-server.ts';
import { createContext } from './context.ts';
import type { SandboxContext } from './context.ts';
import { createExtensionsApi } from './extensions-api.ts';
import { runInit } from './init-phase.ts';
import { runInvoke } from './invoke-phase.ts';
import { createManagedInvoker } from './lmi-invoke-phase.ts';
import type { ManagedInvoker } from './lmi-invoke-phase.ts';
import { buildLambdaEnv } from './lambda-env.ts';
import { managedInstancesEnv } from './managed-instances.ts';
import { buildReport } from './report.ts';
import { DEFAULT_SHUTDOWN_MS, ensureShutdown } from './shutdown-phase.ts';
import { subscribe } from './telemetry-api.ts';
import type { InvocationSpec, Sandbox, SandboxOptions, SandboxReport, ShutdownOptions } from './types.ts';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/**
 * Starts the API server on 127.0.0.1, spawns the extensions and runs the INIT phase.
 * Resolves when init has ended, successfully or not (see `report().initDone` and
 * `initFailure`); after a failed init the environment is already shut down and `invoke()`
 * rejects. Throws RangeError on invalid options.
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox({ extensions: ['dist/layer/extensions/lambda-telemetry-otel'] });
 * await sandbox.invoke({ durationMs: 50, logs: ['hello'] });
 * await sandbox.idle(200);
 * const report = await sandbox.shutdown({ shutdownMs: 2000 });
 * ```
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const ctx = createContext(options);
  const server = await startApiServer({ ...createExtensionsApi(ctx), subscribe: (req) => subscribe(ctx, req) });
  ctx.runtimeApi = server.address;
  ctx.closeServer = server.close;
  try {
    const env = buildLambdaEnv(ctx.fn, server.address, process.env, {
      ...managedInstancesEnv(ctx.managedInstances),
      ...options.env,
    });
    await runInit(ctx, env, options.stdio ?? 'capture');
  } catch (error) {
    // e.g. spawn() refusing its arguments: never leave processes or the server behind.
    await ensureShutdown(ctx, 'failure', DEFAULT_SHUTDOWN_MS);
    throw error;
  }

  if (ctx.managedInstances !== null) return managedSandbox(ctx, createManagedInvoker(ctx, ctx.managedInstances));
  // One lifecycle step at a time, like the single environment it emulates.
  let queue: Promise<unknown> = Promise.resolve();
  const serialize = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    runtimeApi: server.address,
    invoke: (spec: InvocationSpec = {}) => serialize(() => runInvoke(ctx, spec)),
    idle: (ms: number) => sleep(ms),
    shutdown: (shutdownOptions: ShutdownOptions = {}) => serialize(() => shutdown(ctx, shutdownOptions)),
    report: () => buildReport(ctx),
  };
}

async function shutdown(ctx: SandboxContext, options: ShutdownOptions): Promise<SandboxReport> {
  const shutdownMs = options.shutdownMs ?? DEFAULT_SHUTDOWN_MS;
  if (!(shutdownMs > 0)) throw new RangeError('shutdownMs must be positive');
  await ensureShutdown(ctx, options.reason ?? 'spindown', shutdownMs);
  return buildReport(ctx);
}

/** An LMI environment: invocations overlap; SHUTDOWN waits for the ones in flight. */
function managedSandbox(ctx: SandboxContext, invoker: ManagedInvoker): Sandbox {
  return {
    runtimeApi: ctx.runtimeApi,
    invoke: (spec: InvocationSpec = {}) => invoker.invoke(spec),
    idle: (ms: number) => sleep(ms),
    shutdown: async (options: ShutdownOptions = {}) => {
      if (!((options.shutdownMs ?? DEFAULT_SHUTDOWN_MS) > 0)) throw new RangeError('shutdownMs must be positive');
      await invoker.drain();
      return shutdown(ctx, options);
    },
    report: () => buildReport(ctx),
  };
}

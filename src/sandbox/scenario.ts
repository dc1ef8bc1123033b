/**
 * `runScenario`: a whole scripted sandbox run in one call.
 */
import { startSandbox } from './sandbox.ts';
import { DEFAULT_MAX_CONCURRENCY } from './managed-instances.ts';
import type { Sandbox, SandboxOptions, SandboxReport, Scenario } from './types.ts';

/**
 * Starts a sandbox, runs each invocation after its `gapMs` of frozen idle time, then shuts
 * down. Stops invoking early when init failed or a timeout reset the environment.
 * With `managedInstances` invocations overlap: each starts `gapMs` after the previous one
 * started, once fewer than `maxConcurrency` are in flight.
 *
 * @example
 * ```ts
 * const report = await runScenario({
 *   extensions: ['dist/layer/extensions/lambda-telemetry-otel'],
 *   scenario: { invocations: [{ durationMs: 30 }, { gapMs: 500, status: 'error' }], shutdown: { shutdownMs: 2000 } },
 * });
 * ```
 */
export async function runScenario(options: SandboxOptions & { readonly scenario: Scenario }): Promise<SandboxReport> {
  const sandbox = await startSandbox(options);
  if (options.managedInstances === true) return runConcurrently(sandbox, options.scenario, options.maxConcurrency);
  try {
    for (const spec of options.scenario.invocations) {
      const before = sandbox.report();
      if (!before.initDone || before.shutdown !== null) break;
      if (spec.gapMs !== undefined && spec.gapMs > 0) await sandbox.idle(spec.gapMs);
      await sandbox.invoke(spec);
    }
  } finally {
    await sandbox.shutdown(options.scenario.shutdown);
  }
  return sandbox.report();
}

/** LMI: at most `maxConcurrency` in flight; the first failed invoke() is rethrown after shutdown. */
async function runConcurrently(sandbox: Sandbox, scenario: Scenario, maxConcurrency = DEFAULT_MAX_CONCURRENCY): Promise<SandboxReport> {
  const running = new Set<Promise<void>>();
  let failure: { readonly error: unknown } | null = null;
  for (const spec of scenario.invocations) {
    if (spec.gapMs !== undefined && spec.gapMs > 0) await sandbox.idle(spec.gapMs);
    while (running.size >= maxConcurrency) await Promise.race(running);
    if (failure !== null || !sandbox.report().initDone) break;
    const run: Promise<void> = sandbox.invoke(spec).then(
      () => undefined,
      (error: unknown) => {
        failure ??= { error };
      },
    );
    running.add(run);
    void run.finally(() => running.delete(run));
  }
  await Promise.all(running);
  await sandbox.shutdown(scenario.shutdown);
  if (failure !== null) throw (failure as { readonly error: unknown }).error;
  return sandbox.report();
}

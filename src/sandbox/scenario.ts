/**
 * `runScenario`: a whole scripted sandbox run in one call.
 */
import { startSandbox } from './sandbox.ts';
import type { SandboxOptions, SandboxReport, Scenario } from './types.ts';

/**
 * Starts a sandbox, runs each invocation after its `gapMs` of frozen idle time, then shuts
 * down. Stops invoking early when init failed or a timeout reset the environment.
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

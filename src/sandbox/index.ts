/**
 * Local emulation of the Lambda Extensions API and Telemetry API that runs real extension
 * executables (library surface; the CLI is `cli.ts`).
 * @experimental
 */
export { startSandbox } from './sandbox.ts';
export { runScenario } from './scenario.ts';
export type {
  DeliveryReport,
  ExitReport,
  ExtensionErrorReport,
  ExtensionReport,
  InvocationResult,
  InvocationSpec,
  RuntimeDoneFate,
  Sandbox,
  SandboxFunctionOptions,
  SandboxOptions,
  SandboxProgress,
  SandboxReport,
  Scenario,
  ShutdownOptions,
  SubscribeAttempt,
  SubscriptionReport,
  TelemetryApiOptions,
  TelemetryRefusal,
} from './types.ts';

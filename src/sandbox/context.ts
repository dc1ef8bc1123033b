/**
 * State shared by the API handlers and the lifecycle phases of one sandbox, plus freeze and
 * thaw of the whole environment.
 */
import { basename } from 'node:path';
import { SCHEMA_VERSIONS } from '../telemetry/constants.ts';
import type { SchemaVersion } from '../telemetry/events.ts';
import { createChangeSignal } from './change-signal.ts';
import type { ChangeSignal } from './change-signal.ts';
import { createExtensionState, isGone } from './extension-state.ts';
import type { ExtensionState } from './extension-state.ts';
import type { ShutdownReason } from '../lambda/types.ts';
import { resolveFunctionConfig } from './lambda-env.ts';
import type { FunctionConfig } from './lambda-env.ts';
import { MANAGED_INSTANCES_MEMORY_SIZE_MB, resolveManagedInstances } from './managed-instances.ts';
import { MANAGED_INSTANCES } from '../lambda/environment.ts';
import { MANAGED_INSTANCES_SCHEMA } from '../telemetry/constants.ts';
import type { ManagedInstancesConfig } from './managed-instances.ts';
import { createTelemetryHub } from './telemetry-hub.ts';
import type { TelemetryHub } from './telemetry-hub.ts';
import type { InvocationResult, SandboxFunctionOptions, SandboxOptions, SandboxProgress, TelemetryRefusal } from './types.ts';

/** Default maximum init duration. */
export const DEFAULT_INIT_TIMEOUT_MS = 10_000;

/** Where the environment is in its lifecycle. */
export type Phase = 'init' | 'ready' | 'invoke' | 'shutdown' | 'closed';

/** The shutdown phase, once started. */
export interface ShutdownState {
  readonly reason: ShutdownReason;
  readonly deadlineEpochMs: number;
  readonly startedAtMs: number;
  endedAtMs: number | null;
}

/** Everything one sandbox shares between its parts. */
export interface SandboxContext {
  readonly fn: FunctionConfig;
  /** Lambda Managed Instances mode, null for on-demand. */
  readonly managedInstances: ManagedInstancesConfig | null;
  readonly freeze: boolean;
  /** Produce `extension` events from extension output lines. */
  readonly extensionLogs: boolean;
  readonly initTimeoutMs: number;
  readonly supportedSchemaVersions: readonly SchemaVersion[];
  readonly refusal: TelemetryRefusal | null;
  readonly extensions: readonly ExtensionState[];
  readonly hub: TelemetryHub;
  readonly signal: ChangeSignal;
  readonly invocations: InvocationResult[];
  runtimeApi: string;
  phase: Phase;
  frozen: boolean;
  initFailure: string | null;
  initDurationMs: number | null;
  initEndedAtMs: number | null;
  shutdown: ShutdownState | null;
  /** The SHUTDOWN phase and cleanup, once started (see `ensureShutdown`). */
  shutdownDone: Promise<void> | null;
  /** Closes the API server; set once it listens. */
  closeServer: () => Promise<void>;
  /** Milliseconds since the sandbox started, 3 decimals. */
  nowMs(): number;
  progress(event: SandboxProgress): void;
  byIdentifier(identifier: string | undefined): ExtensionState | undefined;
  byName(name: string): ExtensionState | undefined;
}

function functionOptions(options: SandboxOptions, managed: boolean): SandboxFunctionOptions | undefined {
  if (!managed) return options.function;
  const memorySizeMB = options.function?.memorySizeMB ?? MANAGED_INSTANCES_MEMORY_SIZE_MB;
  return { ...options.function, memorySizeMB, initializationType: MANAGED_INSTANCES };
}

/** Validates options and builds the context; throws RangeError / TypeError on bad options. */
export function createContext(options: SandboxOptions): SandboxContext {
  if (options.extensions.length === 0) throw new RangeError('options.extensions must name at least one executable');
  const extensions = options.extensions.map((path) => createExtensionState(basename(path), path));
  const names = new Set(extensions.map((state) => state.name));
  if (names.size !== extensions.length) throw new RangeError('extension executables must have distinct file names');
  const initTimeoutMs = options.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS;
  if (!(initTimeoutMs > 0)) throw new RangeError('options.initTimeoutMs must be positive');
  const managedInstances = resolveManagedInstances(options);
  const managed = managedInstances !== null;
  const origin = performance.now();
  const onProgress = options.onProgress;
  return {
    fn: resolveFunctionConfig(functionOptions(options, managed)),
    managedInstances,
    freeze: managed ? false : (options.freeze ?? true),
    extensionLogs: options.extensionLogs ?? true,
    initTimeoutMs,
    supportedSchemaVersions: managed
      ? [MANAGED_INSTANCES_SCHEMA]
      : (options.telemetryApi?.supportedSchemaVersions ?? SCHEMA_VERSIONS),
    refusal: options.telemetryApi?.refuse ?? null,
    extensions,
    hub: createTelemetryHub(),
    signal: createChangeSignal(),
    invocations: [],
    runtimeApi: '',
    phase: 'init',
    frozen: false,
    initFailure: null,
    initDurationMs: null,
    initEndedAtMs: null,
    shutdown: null,
    shutdownDone: null,
    closeServer: () => Promise.resolve(),
    nowMs: () => Math.round((performance.now() - origin) * 1000) / 1000,
    progress: (event) => {
      if (onProgress === undefined) return;
      try {
        onProgress(event);
      } catch {
        // A progress display must never break the lifecycle.
      }
    },
    byIdentifier: (identifier) =>
      identifier === undefined ? undefined : extensions.find((state) => state.identifier === identifier),
    byName: (name) => extensions.find((state) => state.name === name),
  };
}

/** Stops every extension process group and pauses delivery, when freezing is on. */
export async function freezeEnvironment(ctx: SandboxContext): Promise<void> {
  if (!ctx.freeze || ctx.frozen) return;
  ctx.hub.pause();
  const stopping: Array<Promise<void>> = [];
  for (const state of ctx.extensions) {
    if (isGone(state) || state.process === null) continue;
    state.process.signalGroup('SIGSTOP');
    stopping.push(state.process.stopped());
  }
  ctx.frozen = true;
  // A signal takes effect asynchronously; the environment counts as frozen once it is.
  await Promise.all(stopping);
}

/** Resumes the extension process groups, then delivery. */
export function thawEnvironment(ctx: SandboxContext): void {
  if (!ctx.frozen) return;
  for (const state of ctx.extensions) {
    if (!isGone(state)) state.process?.signalGroup('SIGCONT');
  }
  ctx.frozen = false;
  ctx.hub.resume();
}

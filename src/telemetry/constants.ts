/**
 * Wire literals of the Lambda Telemetry API, spelled exactly as Lambda sends them.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html
 */

/** Every `type` value of a Telemetry API event. */
export const EVENT_TYPES = {
  INIT_START: 'platform.initStart',
  INIT_RUNTIME_DONE: 'platform.initRuntimeDone',
  INIT_REPORT: 'platform.initReport',
  START: 'platform.start',
  RUNTIME_DONE: 'platform.runtimeDone',
  REPORT: 'platform.report',
  RESTORE_START: 'platform.restoreStart',
  RESTORE_RUNTIME_DONE: 'platform.restoreRuntimeDone',
  RESTORE_REPORT: 'platform.restoreReport',
  EXTENSION: 'platform.extension',
  TELEMETRY_SUBSCRIPTION: 'platform.telemetrySubscription',
  LOGS_DROPPED: 'platform.logsDropped',
  FUNCTION: 'function',
  EXTENSION_LOG: 'extension',
} as const;

/** The telemetry streams an extension can subscribe to. */
export const TELEMETRY_TYPES = ['platform', 'function', 'extension'] as const;

/** Values of `status` in runtimeDone / report records. */
export const STATUSES = ['success', 'error', 'failure', 'timeout'] as const;

/** Values of `initializationType`. */
export const INITIALIZATION_TYPES = [
  'on-demand',
  'provisioned-concurrency',
  'snap-start',
  'lambda-managed-instances',
] as const;

/** Values of `phase` in init records (`invoke` when init is suppressed and re-run). */
export const PHASES = ['init', 'invoke'] as const;

/** Names Lambda gives to the `spans` of a runtimeDone record. */
export const SPAN_NAMES = {
  RESPONSE_LATENCY: 'responseLatency',
  RESPONSE_DURATION: 'responseDuration',
  RUNTIME_OVERHEAD: 'runtimeOverhead',
} as const;

/** The only trace context type Lambda emits. */
export const TRACE_CONTEXT_TYPE = 'X-Amzn-Trace-Id';

/** Schema versions accepted by `PUT /2022-07-01/telemetry`. */
export const SCHEMA_VERSIONS = ['2022-07-01', '2022-12-13', '2025-01-29'] as const;

/**
 * Buffering limits Lambda enforces today on a subscription
 * (the 2022 reference page lists older, different numbers).
 */
export const BUFFERING_LIMITS = {
  maxItems: { min: 1000, max: 10000 },
  maxBytes: { min: 262144, max: 1048576 },
  timeoutMs: { min: 25, max: 30000 },
} as const;

/** The only schema version the Telemetry API accepts on Lambda Managed Instances. */
export const MANAGED_INSTANCES_SCHEMA = '2025-01-29' satisfies (typeof SCHEMA_VERSIONS)[number];

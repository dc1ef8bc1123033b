/**
 * Configuration from the environment, validated once at start-up. Precedence: options given
 * in code > environment variables > defaults. An invalid or out-of-range value is an
 * `Extension.ConfigInvalid` error naming every problem, never a silent clamp.
 */
import { asBoolean, asInteger, asString, createEnvReader, oneOf, range, Unparsable } from './env-reader.ts';
import type { EnvReader } from './env-reader.ts';
import { ERROR_TYPES, ExtensionError } from './errors.ts';
import { BUFFERING_LIMITS, SCHEMA_VERSIONS, TELEMETRY_TYPES } from './telemetry/constants.ts';
import type { SchemaVersion, TelemetryType } from './telemetry/events.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Names of the environment variables this package reads itself. */
export const ENV = {
  RUNTIME_API: 'AWS_LAMBDA_RUNTIME_API',
  LISTENER_PORT: 'LAMBDA_OTEL_LISTENER_PORT',
  TELEMETRY_TYPES: 'LAMBDA_OTEL_TELEMETRY_TYPES',
  BUFFER_MAX_ITEMS: 'LAMBDA_OTEL_BUFFER_MAX_ITEMS',
  BUFFER_MAX_BYTES: 'LAMBDA_OTEL_BUFFER_MAX_BYTES',
  BUFFER_TIMEOUT_MS: 'LAMBDA_OTEL_BUFFER_TIMEOUT_MS',
  SCHEMA_VERSION: 'LAMBDA_OTEL_SCHEMA_VERSION',
  LOG_LEVEL: 'LAMBDA_OTEL_LOG_LEVEL',
  FLUSH: 'LAMBDA_OTEL_FLUSH',
  FLUSH_TIMEOUT_MS: 'LAMBDA_OTEL_FLUSH_TIMEOUT_MS',
  FLUSH_SPANS: 'LAMBDA_OTEL_FLUSH_SPANS',
  FLUSH_POINTS: 'LAMBDA_OTEL_FLUSH_POINTS',
  XRAY_CONTEXT: 'LAMBDA_OTEL_XRAY_CONTEXT',
  XRAY_RESPECT_SAMPLED: 'LAMBDA_OTEL_XRAY_RESPECT_SAMPLED',
  MAX_INFLIGHT: 'LAMBDA_OTEL_MAX_INFLIGHT',
  INVOCATION_MAX_AGE_MS: 'LAMBDA_OTEL_INVOCATION_MAX_AGE_MS',
  FLUSH_BYTES: 'LAMBDA_OTEL_FLUSH_BYTES',
  PLATFORM_LOGS: 'LAMBDA_OTEL_PLATFORM_LOGS',
  LOG_MAX_BODY_BYTES: 'LAMBDA_OTEL_LOG_MAX_BODY_BYTES',
  LOG_QUEUE: 'LAMBDA_OTEL_LOG_QUEUE',
  RETAIN_ITEMS: 'LAMBDA_OTEL_RETAIN_ITEMS',
  SERVICE_NAME: 'OTEL_SERVICE_NAME',
  FUNCTION_NAME: 'AWS_LAMBDA_FUNCTION_NAME',
  FUNCTION_VERSION: 'AWS_LAMBDA_FUNCTION_VERSION',
  FUNCTION_MEMORY_SIZE: 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  REGION: 'AWS_REGION',
  LOG_STREAM_NAME: 'AWS_LAMBDA_LOG_STREAM_NAME',
  INITIALIZATION_TYPE: 'AWS_LAMBDA_INITIALIZATION_TYPE',
} as const;

/** Levels of the extension's own log, lowest first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Telemetry API buffering of a subscription. */
export interface BufferingConfig {
  readonly maxItems: number;
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

/** Everything the lifecycle needs to register, subscribe and listen. */
export interface ExtensionConfig {
  /** `host:port` of the Runtime API. */
  readonly runtimeApi: string;
  readonly listenerPort: number;
  /**
   * Whether `listenerPort` was chosen (`LAMBDA_OTEL_LISTENER_PORT` or the option): then a port
   * in use fails init; the default port falls back to a free one instead.
   */
  readonly listenerPortExplicit: boolean;
  readonly telemetryTypes: readonly TelemetryType[];
  readonly buffering: BufferingConfig;
  readonly schemaVersion: SchemaVersion;
  readonly logLevel: LogLevel;
}

/** Defaults; the short buffering timeout makes events arrive while the environment is thawed. */
export const DEFAULTS = {
  listenerPort: 4324,
  telemetryTypes: ['platform', 'function'],
  buffering: { maxItems: 1000, maxBytes: 262144, timeoutMs: 25 },
  schemaVersion: '2022-12-13',
  logLevel: 'warn',
} as const satisfies Omit<ExtensionConfig, 'runtimeApi' | 'listenerPortExplicit'>;

/** Options given in code; each one overrides its environment variable. */
export type ConfigOverrides = Partial<Omit<ExtensionConfig, 'buffering' | 'listenerPortExplicit'>> & { readonly buffering?: Partial<BufferingConfig> };

/**
 * Builds the lifecycle configuration from `overrides`, then `env`, then {@link DEFAULTS}.
 * @throws {ExtensionError} `Extension.ConfigInvalid`, listing every invalid value
 */
/** `AWS_LAMBDA_INITIALIZATION_TYPE` of a Lambda Managed Instances environment. */
export const MANAGED_INSTANCES = 'lambda-managed-instances';
/** The only schema version the Telemetry API accepts on Managed Instances. */
export const MANAGED_INSTANCES_SCHEMA: SchemaVersion = '2025-01-29';

/** Whether the environment says it is a Lambda Managed Instances one (no INVOKE events there). */
export function isManagedInstances(env: Env): boolean {
  return env[ENV.INITIALIZATION_TYPE] === MANAGED_INSTANCES;
}

export function loadConfig(env: Env, overrides: ConfigOverrides = {}): ExtensionConfig {
  const reader = createEnvReader(env);
  const { read } = reader;
  const runtimeApi = read(ENV.RUNTIME_API, overrides.runtimeApi, asString, '', (v) => (/^[^\s/]+:\d+$/.test(v) ? null : `must be host:port (got "${v}")`));
  const listenerPort = read(ENV.LISTENER_PORT, overrides.listenerPort, asInteger, DEFAULTS.listenerPort, range(1, 65535));
  const listenerPortExplicit = overrides.listenerPort !== undefined || Boolean(env[ENV.LISTENER_PORT]?.trim());
  const telemetryTypes = read<readonly TelemetryType[]>(ENV.TELEMETRY_TYPES, overrides.telemetryTypes, parseTypes, DEFAULTS.telemetryTypes, checkTypes);
  const { maxItems: items, maxBytes: bytes, timeoutMs: timeout } = BUFFERING_LIMITS;
  const buffering = {
    maxItems: read(ENV.BUFFER_MAX_ITEMS, overrides.buffering?.maxItems, asInteger, DEFAULTS.buffering.maxItems, range(items.min, items.max)),
    maxBytes: read(ENV.BUFFER_MAX_BYTES, overrides.buffering?.maxBytes, asInteger, DEFAULTS.buffering.maxBytes, range(bytes.min, bytes.max)),
    timeoutMs: read(ENV.BUFFER_TIMEOUT_MS, overrides.buffering?.timeoutMs, asInteger, DEFAULTS.buffering.timeoutMs, range(timeout.min, timeout.max)),
  };
  // Managed Instances accept only 2025-01-29: asking for another first would only log a refusal.
  const defaultSchema = isManagedInstances(env) ? MANAGED_INSTANCES_SCHEMA : DEFAULTS.schemaVersion;
  const schemaVersion = read<string>(ENV.SCHEMA_VERSION, overrides.schemaVersion, asString, defaultSchema, oneOf(SCHEMA_VERSIONS)) as SchemaVersion;
  const logLevel = read<string>(ENV.LOG_LEVEL, overrides.logLevel, (raw) => raw.toLowerCase(), DEFAULTS.logLevel, oneOf(LOG_LEVELS)) as LogLevel;
  throwIfProblems(reader.problems);
  return { runtimeApi, listenerPort, listenerPortExplicit, telemetryTypes, buffering, schemaVersion, logLevel };
}

/** When exports happen besides SHUTDOWN and the buffer thresholds. */
export type FlushMode =
  | { readonly kind: 'adaptive' }
  | { readonly kind: 'end' }
  | { readonly kind: 'periodic'; readonly intervalMs: number }
  | { readonly kind: 'shutdown' };

export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type XrayContextMode = 'parent' | 'link' | 'ignore';

/** What Lambda's environment says about the function (all optional outside Lambda). */
export interface LambdaEnvironment {
  readonly functionName: string | undefined;
  readonly functionVersion: string | undefined;
  readonly memorySizeMB: number | undefined;
  readonly region: string | undefined;
  readonly logStreamName: string | undefined;
  readonly initializationType: string | undefined;
}

/** Configuration of the OpenTelemetry mapping and export. */
export interface OtelConfig {
  readonly lambda: LambdaEnvironment;
  readonly flush: FlushMode;
  /** Longest time a blocking flush (end mode) may hold the invocation's end. */
  readonly flushTimeoutMs: number;
  /** Export as soon as this many spans are pending. */
  readonly flushSpans: number;
  /** Export as soon as this many metric points are pending. */
  readonly flushPoints: number;
  /** Export as soon as the pending telemetry is estimated to take this many bytes on the wire. */
  readonly flushBytes: number;
  readonly xrayContext: XrayContextMode;
  /** Drop invocations whose X-Ray header says `Sampled=0`. */
  readonly xrayRespectSampled: boolean;
  /** Cap on invocations waiting for their platform events. */
  readonly maxInFlight: number;
  /** Age (by event time) after which an incomplete invocation is exported with what is known. */
  readonly invocationMaxAgeMs: number;
  readonly tracesProtocol: OtlpProtocol;
  readonly metricsProtocol: OtlpProtocol;
  readonly logsProtocol: OtlpProtocol;
  /** Also emit START / END / REPORT platform lines as log records. */
  readonly platformLogs: boolean;
  /** Log bodies longer than this (UTF-8 bytes) are cut, with attributes saying so. */
  readonly logMaxBodyBytes: number;
  /** Log records waiting for export at most; beyond, new ones are dropped and counted. */
  readonly logQueue: number;
  /** Spans, log records and metric points each kept at most for a backend that is down. */
  readonly retainItems: number;
  /** `OTEL_SERVICE_NAME` (or its `LAMBDA_` own), when set. */
  readonly serviceName: string | undefined;
}

export const OTEL_DEFAULTS = {
  lambda: { functionName: undefined, functionVersion: undefined, memorySizeMB: undefined, region: undefined, logStreamName: undefined, initializationType: undefined },
  flush: { kind: 'adaptive' },
  flushTimeoutMs: 1000,
  flushSpans: 512,
  flushPoints: 2048,
  flushBytes: 1024 * 1024,
  xrayContext: 'parent',
  xrayRespectSampled: true,
  maxInFlight: 500,
  invocationMaxAgeMs: 20 * 60 * 1000,
  tracesProtocol: 'http/protobuf',
  metricsProtocol: 'http/protobuf',
  logsProtocol: 'http/protobuf',
  platformLogs: false,
  logMaxBodyBytes: 64 * 1024,
  logQueue: 10_000,
  retainItems: 10_000,
  serviceName: undefined,
} as const satisfies OtelConfig;

const DEFAULT_PERIODIC_INTERVAL_MS = 10_000;

/**
 * The environment with its OpenTelemetry variables resolved: the standard `OTEL_*` names hold
 * the values the extension goes by (shared with the function's SDK, or its `LAMBDA_OTEL_*`
 * own), and the problems found among them (see `src/otel/otel-env.ts`).
 */
export interface ResolvedEnv {
  readonly env: Env;
  /** As `NAME: reason`; reported with the others in one `Extension.ConfigInvalid`. */
  readonly problems: readonly string[];
}

/**
 * Reads our `LAMBDA_OTEL_*` export settings, the protocols and the service name; the
 * OpenTelemetry exporters read the other `OTEL_EXPORTER_OTLP_*` variables themselves.
 * @throws {ExtensionError} `Extension.ConfigInvalid`, listing every invalid value
 */
export function loadOtelConfig({ env, problems }: ResolvedEnv): OtelConfig {
  const reader = createEnvReader(env);
  const { read } = reader;
  const d = OTEL_DEFAULTS;
  const text = (name: string): string | undefined => env[name]?.trim() || undefined;
  const memorySizeMB = Number(text(ENV.FUNCTION_MEMORY_SIZE));
  const config: OtelConfig = {
    lambda: {
      functionName: text(ENV.FUNCTION_NAME),
      functionVersion: text(ENV.FUNCTION_VERSION),
      memorySizeMB: Number.isFinite(memorySizeMB) && memorySizeMB > 0 ? memorySizeMB : undefined,
      region: text(ENV.REGION),
      logStreamName: text(ENV.LOG_STREAM_NAME),
      initializationType: text(ENV.INITIALIZATION_TYPE),
    },
    flush: read<FlushMode>(ENV.FLUSH, undefined, parseFlush, d.flush),
    flushTimeoutMs: read(ENV.FLUSH_TIMEOUT_MS, undefined, asInteger, d.flushTimeoutMs, range(1, 60_000)),
    flushSpans: read(ENV.FLUSH_SPANS, undefined, asInteger, d.flushSpans, range(1, 100_000)),
    flushPoints: read(ENV.FLUSH_POINTS, undefined, asInteger, d.flushPoints, range(1, 100_000)),
    flushBytes: read(ENV.FLUSH_BYTES, undefined, asInteger, d.flushBytes, range(1024, 16 * 1024 * 1024)),
    xrayContext: read<string>(ENV.XRAY_CONTEXT, undefined, (raw) => raw.toLowerCase(), d.xrayContext, oneOf(['parent', 'link', 'ignore'])) as XrayContextMode,
    xrayRespectSampled: read(ENV.XRAY_RESPECT_SAMPLED, undefined, asBoolean, d.xrayRespectSampled),
    maxInFlight: read(ENV.MAX_INFLIGHT, undefined, asInteger, d.maxInFlight, range(1, 100_000)),
    invocationMaxAgeMs: read(ENV.INVOCATION_MAX_AGE_MS, undefined, asInteger, d.invocationMaxAgeMs, range(60_000, 24 * 3_600_000)),
    ...readProtocols(reader, env),
    platformLogs: read(ENV.PLATFORM_LOGS, undefined, asBoolean, d.platformLogs),
    logMaxBodyBytes: read(ENV.LOG_MAX_BODY_BYTES, undefined, asInteger, d.logMaxBodyBytes, range(256, 1024 * 1024)),
    logQueue: read(ENV.LOG_QUEUE, undefined, asInteger, d.logQueue, range(100, 1_000_000)),
    retainItems: read(ENV.RETAIN_ITEMS, undefined, asInteger, d.retainItems, range(0, 1_000_000)),
    serviceName: text(ENV.SERVICE_NAME),
  };
  throwIfProblems([...problems, ...reader.problems]);
  return config;
}

/** Each signal's protocol: its own variable, else the general one (already validated). */
function readProtocols(reader: EnvReader, env: Env): Pick<OtelConfig, 'tracesProtocol' | 'metricsProtocol' | 'logsProtocol'> {
  const protocol = (signal: 'TRACES' | 'METRICS' | 'LOGS'): OtlpProtocol => {
    const specific = `OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`;
    const name = env[specific]?.trim() ? specific : 'OTEL_EXPORTER_OTLP_PROTOCOL';
    return reader.read<string>(name, undefined, asString, OTEL_DEFAULTS.tracesProtocol, oneOf(['http/protobuf', 'http/json'])) as OtlpProtocol;
  };
  return { tracesProtocol: protocol('TRACES'), metricsProtocol: protocol('METRICS'), logsProtocol: protocol('LOGS') };
}

function parseFlush(raw: string): FlushMode | Unparsable {
  const [kind, interval, extra] = raw.toLowerCase().split(',').map((part) => part.trim());
  const usage = `must be adaptive, end, shutdown, periodic or periodic,<ms> (got "${raw}")`;
  if (extra !== undefined) return new Unparsable(usage);
  if (kind === 'periodic') {
    if (interval === undefined) return { kind, intervalMs: DEFAULT_PERIODIC_INTERVAL_MS };
    const ms = asInteger(interval);
    if (ms instanceof Unparsable || ms < 100 || ms > 3_600_000) return new Unparsable(`periodic interval must be between 100 and 3600000 ms (got "${interval}")`);
    return { kind, intervalMs: ms };
  }
  if (interval === undefined && (kind === 'adaptive' || kind === 'end' || kind === 'shutdown')) return { kind };
  return new Unparsable(usage);
}

function parseTypes(raw: string): TelemetryType[] {
  return raw.split(',').map((part) => part.trim()).filter((part) => part !== '') as TelemetryType[];
}

function checkTypes(types: readonly string[]): string | null {
  if (types.length === 0) return `must name at least one of ${TELEMETRY_TYPES.join(', ')}`;
  const unknown = types.filter((t) => !(TELEMETRY_TYPES as readonly string[]).includes(t));
  return unknown.length === 0 ? null : `unknown type(s) ${unknown.join(', ')}; allowed: ${TELEMETRY_TYPES.join(', ')}`;
}

function throwIfProblems(problems: readonly string[]): void {
  if (problems.length > 0) {
    throw new ExtensionError(ERROR_TYPES.CONFIG_INVALID, `invalid configuration: ${problems.join('; ')}`);
  }
}

/**
 * The lifecycle's configuration (register, subscribe, listen), from the environment, validated
 * once at start-up. Precedence: options given in code > environment variables > defaults. An
 * invalid or out-of-range value is an `Extension.ConfigInvalid` error naming every problem,
 * never a silent clamp.
 */
import { isManagedInstances, LAMBDA_ENV } from '../lambda/environment.ts';
import type { BufferingConfig } from '../lambda/telemetry-api.ts';
import { DEFAULT_BUFFERING } from '../lambda/telemetry-api.ts';
import { BUFFERING_LIMITS, MANAGED_INSTANCES_SCHEMA, SCHEMA_VERSIONS, TELEMETRY_TYPES } from '../telemetry/constants.ts';
import type { SchemaVersion, TelemetryType } from '../telemetry/events.ts';
import { asInteger, asString, createEnvReader, oneOf, range, throwIfProblems } from '../util/env-reader.ts';
import { LOG_LEVELS } from '../util/logger.ts';
import type { LogLevel } from '../util/logger.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Names of the environment variables the lifecycle reads. */
export const ENV = {
  RUNTIME_API: LAMBDA_ENV.RUNTIME_API,
  LISTENER_PORT: 'LAMBDA_OTEL_LISTENER_PORT',
  TELEMETRY_TYPES: 'LAMBDA_OTEL_TELEMETRY_TYPES',
  BUFFER_MAX_ITEMS: 'LAMBDA_OTEL_BUFFER_MAX_ITEMS',
  BUFFER_MAX_BYTES: 'LAMBDA_OTEL_BUFFER_MAX_BYTES',
  BUFFER_TIMEOUT_MS: 'LAMBDA_OTEL_BUFFER_TIMEOUT_MS',
  SCHEMA_VERSION: 'LAMBDA_OTEL_SCHEMA_VERSION',
  LOG_LEVEL: 'LAMBDA_OTEL_LOG_LEVEL',
} as const;

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

/** Defaults of the lifecycle's configuration. */
export const DEFAULTS = {
  listenerPort: 4324,
  telemetryTypes: ['platform', 'function'],
  buffering: DEFAULT_BUFFERING,
  schemaVersion: '2022-12-13',
  logLevel: 'warn',
} as const satisfies Omit<ExtensionConfig, 'runtimeApi' | 'listenerPortExplicit'>;

/** Options given in code; each one overrides its environment variable. */
export type ConfigOverrides = Partial<Omit<ExtensionConfig, 'buffering' | 'listenerPortExplicit'>> & { readonly buffering?: Partial<BufferingConfig> };

/**
 * Builds the lifecycle configuration from `overrides`, then `env`, then {@link DEFAULTS}.
 * @throws {ExtensionError} `Extension.ConfigInvalid`, listing every invalid value
 */
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

function parseTypes(raw: string): TelemetryType[] {
  return raw.split(',').map((part) => part.trim()).filter((part) => part !== '') as TelemetryType[];
}

function checkTypes(types: readonly string[]): string | null {
  if (types.length === 0) return `must name at least one of ${TELEMETRY_TYPES.join(', ')}`;
  const unknown = types.filter((t) => !(TELEMETRY_TYPES as readonly string[]).includes(t));
  return unknown.length === 0 ? null : `unknown type(s) ${unknown.join(', ')}; allowed: ${TELEMETRY_TYPES.join(', ')}`;
}

/**
 * Configuration from the environment, validated once at start-up. Precedence: options given
 * in code > environment variables > defaults. An invalid or out-of-range value is an
 * `Extension.ConfigInvalid` error naming every problem, never a silent clamp.
 */
import { ERROR_TYPES, ExtensionError } from './errors.ts';
import { BUFFERING_LIMITS, SCHEMA_VERSIONS, TELEMETRY_TYPES } from './telemetry/constants.ts';
import type { SchemaVersion, TelemetryType } from './telemetry/events.ts';

/** Names of the environment variables this package reads. */
export const ENV = {
  RUNTIME_API: 'AWS_LAMBDA_RUNTIME_API',
  LISTENER_PORT: 'LAMBDA_OTEL_LISTENER_PORT',
  TELEMETRY_TYPES: 'LAMBDA_OTEL_TELEMETRY_TYPES',
  BUFFER_MAX_ITEMS: 'LAMBDA_OTEL_BUFFER_MAX_ITEMS',
  BUFFER_MAX_BYTES: 'LAMBDA_OTEL_BUFFER_MAX_BYTES',
  BUFFER_TIMEOUT_MS: 'LAMBDA_OTEL_BUFFER_TIMEOUT_MS',
  SCHEMA_VERSION: 'LAMBDA_OTEL_SCHEMA_VERSION',
  LOG_LEVEL: 'LAMBDA_OTEL_LOG_LEVEL',
} as const;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
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
} as const satisfies Omit<ExtensionConfig, 'runtimeApi'>;

/** Options given in code; each one overrides its environment variable. */
export type ConfigOverrides = Partial<Omit<ExtensionConfig, 'buffering'>> & { readonly buffering?: Partial<BufferingConfig> };

/**
 * Builds the configuration from `overrides`, then `env`, then {@link DEFAULTS}.
 * @throws {ExtensionError} `Extension.ConfigInvalid`, listing every invalid value
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, overrides: ConfigOverrides = {}): ExtensionConfig {
  const problems: string[] = [];
  const read = <T>(name: string, override: T | undefined, parse: (raw: string) => T | Unparsable, fallback: T, check: (v: T) => string | null): T => {
    const raw = env[name]?.trim();
    const value = override !== undefined ? override : raw ? parse(raw) : fallback;
    const problem = value instanceof Unparsable ? value.problem : check(value);
    if (problem === null) return value as T;
    problems.push(`${name}: ${problem}`);
    return fallback;
  };

  const runtimeApi = read(ENV.RUNTIME_API, overrides.runtimeApi, (raw) => raw, '', (v) => (/^[^\s/]+:\d+$/.test(v) ? null : `must be host:port (got "${v}")`));
  const listenerPort = read(ENV.LISTENER_PORT, overrides.listenerPort, parseInteger, DEFAULTS.listenerPort, range(1, 65535));
  const telemetryTypes = read<readonly TelemetryType[]>(ENV.TELEMETRY_TYPES, overrides.telemetryTypes, parseTypes, DEFAULTS.telemetryTypes, checkTypes);
  const { maxItems: items, maxBytes: bytes, timeoutMs: timeout } = BUFFERING_LIMITS;
  const buffering = {
    maxItems: read(ENV.BUFFER_MAX_ITEMS, overrides.buffering?.maxItems, parseInteger, DEFAULTS.buffering.maxItems, range(items.min, items.max)),
    maxBytes: read(ENV.BUFFER_MAX_BYTES, overrides.buffering?.maxBytes, parseInteger, DEFAULTS.buffering.maxBytes, range(bytes.min, bytes.max)),
    timeoutMs: read(ENV.BUFFER_TIMEOUT_MS, overrides.buffering?.timeoutMs, parseInteger, DEFAULTS.buffering.timeoutMs, range(timeout.min, timeout.max)),
  };
  const schemaVersion = read<string>(ENV.SCHEMA_VERSION, overrides.schemaVersion, (raw) => raw, DEFAULTS.schemaVersion, oneOf(SCHEMA_VERSIONS)) as SchemaVersion;
  const logLevel = read<string>(ENV.LOG_LEVEL, overrides.logLevel, (raw) => raw.toLowerCase(), DEFAULTS.logLevel, oneOf(LOG_LEVELS)) as LogLevel;

  if (problems.length > 0) {
    throw new ExtensionError(ERROR_TYPES.CONFIG_INVALID, `invalid configuration: ${problems.join('; ')}`);
  }
  return { runtimeApi, listenerPort, telemetryTypes, buffering, schemaVersion, logLevel };
}

class Unparsable {
  constructor(readonly problem: string) {}
}

function parseInteger(raw: string): number | Unparsable {
  return /^\d+$/.test(raw) ? Number(raw) : new Unparsable(`must be a whole number (got "${raw}")`);
}

function range(min: number, max: number): (value: number) => string | null {
  return (value) => (Number.isInteger(value) && value >= min && value <= max ? null : `must be between ${min} and ${max} (got ${value})`);
}

function oneOf(allowed: readonly string[]): (value: string) => string | null {
  return (value) => (allowed.includes(value) ? null : `must be one of ${allowed.join(', ')} (got "${value}")`);
}

function parseTypes(raw: string): TelemetryType[] {
  return raw.split(',').map((part) => part.trim()).filter((part) => part !== '') as TelemetryType[];
}

function checkTypes(types: readonly string[]): string | null {
  if (types.length === 0) return `must name at least one of ${TELEMETRY_TYPES.join(', ')}`;
  const unknown = types.filter((t) => !(TELEMETRY_TYPES as readonly string[]).includes(t));
  return unknown.length === 0 ? null : `unknown type(s) ${unknown.join(', ')}; allowed: ${TELEMETRY_TYPES.join(', ')}`;
}

/**
 * Which OpenTelemetry variables the extension goes by. Lambda gives every extension the
 * function's environment, so the standard `OTEL_*` variables are shared with the function's own
 * OpenTelemetry SDK; each one can be set for the extension alone as `LAMBDA_OTEL_*`.
 *
 * 1. Own destination: once any `LAMBDA_OTEL_EXPORTER_OTLP_[<SIGNAL>_]ENDPOINT` is set, no shared
 *    `OTEL_EXPORTER_OTLP_*` variable is used (the function's headers, certificates and protocol
 *    are its backend's), only the `LAMBDA_` ones.
 * 2. Otherwise per setting (ENDPOINT, PROTOCOL, HEADERS, ..., SERVICE_NAME): once any `LAMBDA_`
 *    variable of the setting is set, general or per signal, the shared ones of it are not used.
 * 3. Among the variables used, the SDK's precedence: per signal over general.
 * 4. An invalid `LAMBDA_` value is a problem (`Extension.ConfigInvalid`); a shared value the
 *    extension cannot use is a warning and left out, as if unset. Values are never echoed
 *    where they may carry credentials (endpoints, headers).
 */
import { asInteger, oneOf, range, Unparsable } from '../env-reader.ts';
import type { Check } from '../env-reader.ts';
import type { LogLevel } from '../config.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Prefix that makes a standard variable the extension's own. */
export const OWN_PREFIX = 'LAMBDA_';

/** One setting: its general variable first, then the per-signal ones. */
interface Setting {
  readonly names: readonly string[];
  readonly check?: Check<string>;
}

const PROTOCOLS = ['http/protobuf', 'http/json'];
const DEFAULT_PROTOCOL = 'http/protobuf';

const checkProtocol: Check<string> = (value) =>
  PROTOCOLS.includes(value)
    ? null
    : `must be http/protobuf or http/json (got "${value}"${value === 'grpc' ? '; this extension exports over OTLP/HTTP only, usually on port 4318' : ''})`;

const checkTimeout: Check<string> = (value) => {
  const ms = asInteger(value);
  return ms instanceof Unparsable ? ms.problem : range(1, 600_000)(ms);
};

const checkTemporality: Check<string> = (value) => oneOf(['cumulative', 'delta', 'lowmemory'])(value.toLowerCase());

function checkUrl(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return null;
  } catch {
    // reported below
  }
  // The value is not echoed: an endpoint URL may carry credentials.
  return 'must be an http:// or https:// URL';
}

const perSignal = (setting: string, check?: Check<string>): Setting => ({
  names: ['', 'TRACES_', 'METRICS_', 'LOGS_'].map((signal) => `OTEL_EXPORTER_OTLP_${signal}${setting}`),
  ...(check === undefined ? {} : { check }),
});

const ENDPOINT = perSignal('ENDPOINT', checkUrl);
const PROTOCOL = perSignal('PROTOCOL', checkProtocol);

/** What the OTLP exporters read (the SDK's and ours: PROTOCOL), a destination's settings. */
const EXPORT: readonly Setting[] = [
  ENDPOINT,
  PROTOCOL,
  perSignal('HEADERS'),
  perSignal('COMPRESSION', oneOf(['gzip', 'none'])),
  perSignal('TIMEOUT', checkTimeout),
  perSignal('CERTIFICATE'),
  perSignal('CLIENT_CERTIFICATE'),
  perSignal('CLIENT_KEY'),
  { names: ['OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE'], check: checkTemporality },
];
/** Read by the extension (`OTEL_SERVICE_NAME`) and the SDK's resource detector. */
const RESOURCE: readonly Setting[] = [{ names: ['OTEL_SERVICE_NAME'] }, { names: ['OTEL_RESOURCE_ATTRIBUTES'] }];

const SETTINGS: readonly Setting[] = [...EXPORT, ...RESOURCE];

/** Every standard variable the extension and the SDK pieces it uses read. */
export const OTEL_ENV_NAMES: readonly string[] = SETTINGS.flatMap((setting) => setting.names);

/** A line for the extension's log, about a variable. */
export interface OtelEnvNotice {
  readonly level: Extract<LogLevel, 'info' | 'warn'>;
  readonly msg: string;
}

/** The OpenTelemetry environment as the extension is to see it. */
export interface OtelEnv {
  /** `env` with each of {@link OTEL_ENV_NAMES} set to the (trimmed) value the extension uses, or removed. */
  readonly env: Env;
  /** Shared values left out (warn), and what rule 1 set aside (info). */
  readonly notices: readonly OtelEnvNotice[];
  /** Invalid `LAMBDA_` values, as `NAME: reason`. */
  readonly problems: readonly string[];
}

/** Applies the rules above to `env`; never throws. */
export function resolveOtelEnv(env: Env): OtelEnv {
  const isSet = (name: string): boolean => Boolean(env[name]?.trim());
  const ownOf = (setting: Setting): boolean => setting.names.some((name) => isSet(OWN_PREFIX + name));
  const ownDestination = ownOf(ENDPOINT);
  const resolved: Record<string, string | undefined> = { ...env };
  const notices: OtelEnvNotice[] = [];
  const problems: string[] = [];
  const setAside: string[] = [];
  for (const setting of SETTINGS) {
    const destination = ownDestination && EXPORT.includes(setting);
    const own = destination || ownOf(setting);
    for (const name of setting.names) {
      const from = own ? OWN_PREFIX + name : name;
      if (destination && isSet(name)) setAside.push(name);
      const value = env[from]?.trim();
      delete resolved[name];
      if (!value) continue;
      const problem = setting.check?.(value) ?? null;
      if (problem === null) resolved[name] = value;
      else if (own) problems.push(`${from}: ${problem}`);
      else notices.push({ level: 'warn', msg: unusable(name, value, problem, resolved) });
    }
  }
  if (setAside.length > 0) {
    const ownEndpoints = ENDPOINT.names.map((name) => OWN_PREFIX + name).filter(isSet);
    notices.push({ level: 'info', msg: `the extension exports to its own endpoint (${ownEndpoints.join(', ')}): the function's ${setAside.join(', ')} are not used` });
  }
  return { env: resolved, notices, problems };
}

/** The warning for a shared value the extension cannot use; `resolved` holds what it uses so far. */
function unusable(name: string, value: string, problem: string, resolved: Env): string {
  if (PROTOCOL.names.includes(name) && value === 'grpc') {
    const protocol = (name === PROTOCOL.names[0] ? undefined : resolved[PROTOCOL.names[0]!]) ?? DEFAULT_PROTOCOL;
    return (
      `${name}=grpc is the function's (this extension exports OTLP/HTTP only): exporting ${protocol} to the same endpoint, ` +
      `which fails if it serves gRPC only (port 4317); set ${OWN_PREFIX}${ENDPOINT.names[0]} and ${OWN_PREFIX}${PROTOCOL.names[0]} to choose the extension's own`
    );
  }
  return `${name} is the function's and unusable here (${problem}): ignored; set ${OWN_PREFIX}${name} to give the extension its own`;
}

/**
 * Writes the resolved values of {@link OTEL_ENV_NAMES} to `target` and removes the others: the
 * SDK's exporters and resource detector read `process.env` themselves.
 */
export function applyOtelEnv(otel: OtelEnv, target: Record<string, string | undefined>): void {
  for (const name of OTEL_ENV_NAMES) {
    const value = otel.env[name];
    if (value === undefined) delete target[name];
    else target[name] = value;
  }
}

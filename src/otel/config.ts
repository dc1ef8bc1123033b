/**
 * The OpenTelemetry mapping's and export's configuration: our `LAMBDA_OTEL_*` export settings,
 * the protocols and the service name, read from the environment once its standard `OTEL_*`
 * variables are resolved (otel-env.ts). Invalid values are one `Extension.ConfigInvalid` error
 * naming every problem.
 */
import { LAMBDA_ENV } from '../lambda/environment.ts';
import { asBoolean, asInteger, asString, createEnvReader, oneOf, range, throwIfProblems, Unparsable } from '../util/env-reader.ts';
import type { EnvReader } from '../util/env-reader.ts';
import { DEFAULT_RECEIVER, parseReceiver, RECEIVER_ENV } from './receiver-config.ts';
import type { ReceiverAddress } from './receiver-config.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Names of the environment variables the OpenTelemetry configuration reads itself. */
export const EXPORT_ENV = {
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
} as const;

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
  /** Where the local OTLP receiver for the function's own telemetry listens; null: off. */
  readonly receiver: ReceiverAddress | null;
  /** Put the function's root spans under their invocation spans (one trace per invocation). */
  readonly relayJoinTraces: boolean;
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
  receiver: DEFAULT_RECEIVER,
  relayJoinTraces: true,
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
  const memorySizeMB = Number(text(LAMBDA_ENV.FUNCTION_MEMORY_SIZE));
  const config: OtelConfig = {
    lambda: {
      functionName: text(LAMBDA_ENV.FUNCTION_NAME),
      functionVersion: text(LAMBDA_ENV.FUNCTION_VERSION),
      memorySizeMB: Number.isFinite(memorySizeMB) && memorySizeMB > 0 ? memorySizeMB : undefined,
      region: text(LAMBDA_ENV.REGION),
      logStreamName: text(LAMBDA_ENV.LOG_STREAM_NAME),
      initializationType: text(LAMBDA_ENV.INITIALIZATION_TYPE),
    },
    flush: read<FlushMode>(EXPORT_ENV.FLUSH, undefined, parseFlush, d.flush),
    flushTimeoutMs: read(EXPORT_ENV.FLUSH_TIMEOUT_MS, undefined, asInteger, d.flushTimeoutMs, range(1, 60_000)),
    flushSpans: read(EXPORT_ENV.FLUSH_SPANS, undefined, asInteger, d.flushSpans, range(1, 100_000)),
    flushPoints: read(EXPORT_ENV.FLUSH_POINTS, undefined, asInteger, d.flushPoints, range(1, 100_000)),
    flushBytes: read(EXPORT_ENV.FLUSH_BYTES, undefined, asInteger, d.flushBytes, range(1024, 16 * 1024 * 1024)),
    xrayContext: read<string>(EXPORT_ENV.XRAY_CONTEXT, undefined, (raw) => raw.toLowerCase(), d.xrayContext, oneOf(['parent', 'link', 'ignore'])) as XrayContextMode,
    xrayRespectSampled: read(EXPORT_ENV.XRAY_RESPECT_SAMPLED, undefined, asBoolean, d.xrayRespectSampled),
    maxInFlight: read(EXPORT_ENV.MAX_INFLIGHT, undefined, asInteger, d.maxInFlight, range(1, 100_000)),
    invocationMaxAgeMs: read(EXPORT_ENV.INVOCATION_MAX_AGE_MS, undefined, asInteger, d.invocationMaxAgeMs, range(60_000, 24 * 3_600_000)),
    ...readProtocols(reader, env),
    platformLogs: read(EXPORT_ENV.PLATFORM_LOGS, undefined, asBoolean, d.platformLogs),
    logMaxBodyBytes: read(EXPORT_ENV.LOG_MAX_BODY_BYTES, undefined, asInteger, d.logMaxBodyBytes, range(256, 1024 * 1024)),
    logQueue: read(EXPORT_ENV.LOG_QUEUE, undefined, asInteger, d.logQueue, range(100, 1_000_000)),
    retainItems: read(EXPORT_ENV.RETAIN_ITEMS, undefined, asInteger, d.retainItems, range(0, 1_000_000)),
    serviceName: text(EXPORT_ENV.SERVICE_NAME),
    receiver: read<ReceiverAddress | null>(RECEIVER_ENV.RECEIVER, undefined, parseReceiver, d.receiver),
    relayJoinTraces: read(RECEIVER_ENV.JOIN_TRACES, undefined, asBoolean, d.relayJoinTraces),
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

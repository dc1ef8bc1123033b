/**
 * Where the local OTLP receiver listens (`LAMBDA_OTEL_RECEIVER`: `off`, a port, or a loopback
 * `host:port`; default `127.0.0.1:4318`, the address the function's SDK exports to by
 * default), whether the function's spans are joined to their invocations
 * (`LAMBDA_OTEL_RELAY_JOIN_TRACES`), and whether our own exports would come back to it.
 */
import { Unparsable } from '../util/env-reader.ts';

export const RECEIVER_ENV = {
  RECEIVER: 'LAMBDA_OTEL_RECEIVER',
  JOIN_TRACES: 'LAMBDA_OTEL_RELAY_JOIN_TRACES',
} as const;

export interface ReceiverAddress {
  readonly host: string;
  readonly port: number;
}

/** Encoded bytes one signal's relay holds at most (queued, on the way, retained). */
export const RELAY_MAX_HELD_BYTES = 4 * 1024 * 1024;

export const DEFAULT_RECEIVER: ReceiverAddress = { host: '127.0.0.1', port: 4318 };
/** Where the OTLP/HTTP exporters send when no endpoint is configured (the OpenTelemetry default). */
const SDK_DEFAULT_ENDPOINT = 'http://localhost:4318';
const OFF = new Set(['off', 'false', 'none', '0']);
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

const isLoopback = (host: string): boolean => LOOPBACK_NAMES.has(host.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

/** Parses `LAMBDA_OTEL_RECEIVER`; null turns the receiver off. */
export function parseReceiver(raw: string): ReceiverAddress | null | Unparsable {
  const value = raw.trim();
  if (OFF.has(value.toLowerCase())) return null;
  const colon = value.lastIndexOf(':');
  const host = colon === -1 ? DEFAULT_RECEIVER.host : value.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const portText = colon === -1 ? value : value.slice(colon + 1);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65_535) return new Unparsable(`must be off, a port, or a loopback host:port such as 127.0.0.1:4318 (got "${raw}")`);
  if (!isLoopback(host)) return new Unparsable(`must name a loopback address (127.0.0.1, ::1 or localhost): the receiver takes the function's telemetry and is never exposed (got "${raw}")`);
  return { host: host === 'localhost' ? '127.0.0.1' : host, port };
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The signals whose export endpoint, as the OTLP exporters will resolve it from `env` (the
 * values the extension goes by), is the receiver itself: relaying there would loop.
 */
export function signalsExportingTo(receiver: ReceiverAddress, env: Env): string[] {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || SDK_DEFAULT_ENDPOINT;
  return (['TRACES', 'METRICS', 'LOGS'] as const).filter((signal) => {
    const endpoint = env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`]?.trim() || base;
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      return false;
    }
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    return port === receiver.port && isLoopback(url.hostname);
  });
}

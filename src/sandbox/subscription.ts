/**
 * Validation of a `PUT /2022-07-01/telemetry` body, with Lambda's rules and defaults.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api-reference.html
 */
import { BUFFERING_LIMITS, SCHEMA_VERSIONS, TELEMETRY_TYPES } from '../telemetry/constants.ts';
import type { SchemaVersion, TelemetryType } from '../telemetry/events.ts';
import { isObject } from './http-io.ts';

/** The only host Lambda delivers telemetry to. */
export const SANDBOX_HOST = 'sandbox.localdomain';

/** Buffering when the subscription omits it. */
export const DEFAULT_BUFFERING = { maxItems: 1000, maxBytes: 262144, timeoutMs: 1000 } as const;

/** Buffering settings, all present. */
export interface Buffering {
  readonly maxItems: number;
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

/** An accepted subscription. */
export interface Subscription {
  readonly schemaVersion: SchemaVersion;
  readonly uri: URL;
  readonly types: readonly TelemetryType[];
  readonly buffering: Buffering;
}

/** Validation outcome; failures carry Lambda's `ValidationError`. */
export type SubscriptionCheck =
  | { readonly ok: true; readonly subscription: Subscription }
  | { readonly ok: false; readonly errorType: 'ValidationError'; readonly errorMessage: string };

type Check<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

function fail(message: string): { readonly ok: false; readonly message: string } {
  return { ok: false, message };
}

function isSchemaVersion(value: unknown): value is SchemaVersion {
  return typeof value === 'string' && (SCHEMA_VERSIONS as readonly string[]).includes(value);
}

function isTelemetryType(value: unknown): value is TelemetryType {
  return typeof value === 'string' && (TELEMETRY_TYPES as readonly string[]).includes(value);
}

function checkDestination(value: unknown): Check<URL> {
  if (!isObject(value)) return fail('destination must be an object with protocol and URI');
  if (value['protocol'] === 'TCP') return fail('destination.protocol TCP is not supported by this sandbox');
  if (value['protocol'] !== 'HTTP') return fail('destination.protocol must be HTTP or TCP');
  const raw = value['URI'];
  if (typeof raw !== 'string') return fail('destination.URI must be a string');
  let uri: URL;
  try {
    uri = new URL(raw);
  } catch {
    return fail(`destination.URI is not a valid URI: ${raw}`);
  }
  if (uri.protocol !== 'http:') return fail('destination.URI must use http');
  if (uri.hostname !== SANDBOX_HOST) return fail(`destination.URI host must be ${SANDBOX_HOST}, got ${uri.hostname}`);
  // URL drops a port equal to the scheme default, so look at the raw text too.
  const explicitDefault = raw.toLowerCase().includes(`${SANDBOX_HOST}:80`);
  if (uri.port === '' && !explicitDefault) return fail('destination.URI must include a port');
  return { ok: true, value: uri };
}

function checkTypes(value: unknown): Check<TelemetryType[]> {
  if (!Array.isArray(value) || value.length === 0) return fail('types must be a non-empty array');
  const types: TelemetryType[] = [];
  for (const item of value) {
    if (!isTelemetryType(item)) return fail(`types contains an invalid value: ${JSON.stringify(item)}`);
    if (!types.includes(item)) types.push(item);
  }
  return { ok: true, value: types };
}

function checkLimit(value: Readonly<Record<string, unknown>>, key: keyof Buffering): Check<number> {
  const raw = value[key];
  if (raw === undefined) return { ok: true, value: DEFAULT_BUFFERING[key] };
  const { min, max } = BUFFERING_LIMITS[key];
  if (typeof raw !== 'number' || !Number.isInteger(raw)) return fail(`buffering.${key} must be an integer`);
  if (raw < min || raw > max) return fail(`buffering.${key} must be between ${min} and ${max}, got ${raw}`);
  return { ok: true, value: raw };
}

function checkBuffering(value: unknown): Check<Buffering> {
  if (value === undefined) return { ok: true, value: DEFAULT_BUFFERING };
  if (!isObject(value)) return fail('buffering must be an object');
  const maxItems = checkLimit(value, 'maxItems');
  if (!maxItems.ok) return maxItems;
  const maxBytes = checkLimit(value, 'maxBytes');
  if (!maxBytes.ok) return maxBytes;
  const timeoutMs = checkLimit(value, 'timeoutMs');
  if (!timeoutMs.ok) return timeoutMs;
  return { ok: true, value: { maxItems: maxItems.value, maxBytes: maxBytes.value, timeoutMs: timeoutMs.value } };
}

/** Validates a parsed subscription body against Lambda's rules. Never throws. */
export function validateSubscription(body: unknown, supported: readonly SchemaVersion[]): SubscriptionCheck {
  const invalid = (errorMessage: string): SubscriptionCheck => ({ ok: false, errorType: 'ValidationError', errorMessage });
  if (!isObject(body)) return invalid('request body must be a JSON object');
  const schemaVersion = body['schemaVersion'];
  if (!isSchemaVersion(schemaVersion)) return invalid(`schemaVersion is invalid: ${JSON.stringify(schemaVersion)}`);
  if (!supported.includes(schemaVersion)) return invalid(`schemaVersion ${schemaVersion} is not supported`);
  const uri = checkDestination(body['destination']);
  if (!uri.ok) return invalid(uri.message);
  const types = checkTypes(body['types']);
  if (!types.ok) return invalid(types.message);
  const buffering = checkBuffering(body['buffering']);
  if (!buffering.ok) return invalid(buffering.message);
  return { ok: true, subscription: { schemaVersion, uri: uri.value, types: types.value, buffering: buffering.value } };
}

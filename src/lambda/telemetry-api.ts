/**
 * Subscription to the Lambda Telemetry API.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api-reference.html
 */
import { ERROR_TYPES } from '../util/errors.ts';
import type { SchemaVersion, TelemetryType } from '../telemetry/events.ts';
import { apiError, call } from './extensions-api.ts';
import { HEADERS, PATHS } from './types.ts';

/** Telemetry API buffering of a subscription. */
export interface BufferingConfig {
  readonly maxItems: number;
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

/** The buffering we subscribe with by default: the short timeout makes events arrive while the environment is thawed. */
export const DEFAULT_BUFFERING = { maxItems: 1000, maxBytes: 262144, timeoutMs: 25 } as const satisfies BufferingConfig;

/** Body of `PUT /2022-07-01/telemetry`. */
export interface SubscribeRequest {
  readonly schemaVersion: SchemaVersion;
  readonly destination: { readonly protocol: 'HTTP'; readonly URI: string };
  readonly types: readonly TelemetryType[];
  readonly buffering: BufferingConfig;
}

/** The schema Lambda Managed Instances require; ordinary functions accept it too. */
const FALLBACK_SCHEMA: SchemaVersion = '2025-01-29';

/**
 * Subscribes; when Lambda refuses the requested schema version with a 400, retries once with
 * `2025-01-29`. Resolves to the schema version Lambda accepted.
 * @throws {ExtensionError} `Extension.SubscriptionFailed` with Lambda's errorType and message
 */
export async function subscribe(runtimeApi: string, identifier: string, request: SubscribeRequest): Promise<SchemaVersion> {
  const put = (body: SubscribeRequest) =>
    call(runtimeApi, {
      method: 'PUT',
      path: PATHS.TELEMETRY,
      headers: { [HEADERS.IDENTIFIER]: identifier },
      body: JSON.stringify(body),
      timeoutMs: 10_000,
    }, ERROR_TYPES.SUBSCRIPTION_FAILED);

  const first = await put(request);
  if (first.statusCode === 200 || first.statusCode === 202) return request.schemaVersion;
  if (first.statusCode === 400 && request.schemaVersion !== FALLBACK_SCHEMA) {
    const retry = await put({ ...request, schemaVersion: FALLBACK_SCHEMA });
    if (retry.statusCode === 200 || retry.statusCode === 202) return FALLBACK_SCHEMA;
  }
  throw apiError(ERROR_TYPES.SUBSCRIPTION_FAILED, 'telemetry subscription', first);
}

/**
 * One request per export: the SDK's OTLP/HTTP exporters retry a failed request inside the same
 * export, up to 5 times across their whole timeout (10 s by default), holding its items all that
 * while. Retrying is ours instead: a failed export is retained (retaining-exporter.ts) and sent
 * again on the backend-health schedule, and at once at SHUTDOWN. Left to the SDK, an export in
 * its retry wait could still hold every log record of the last invocations at the SHUTDOWN
 * deadline, after the backend was back (seen in the outage e2e test under load).
 *
 * The SDK has no option for it; its exporter keeps the retrying transport around the HTTP
 * transport in `_delegate._transport`. That shape is checked, and a test fails if an SDK
 * upgrade changes it.
 */

interface Transport {
  send(data: Uint8Array, timeoutMillis: number): Promise<unknown>;
  shutdown(): void;
}

interface RetryingTransport extends Transport {
  retry(data: Uint8Array, timeoutMillis: number, inMillis: number): Promise<unknown>;
  readonly _transport: Transport;
}

const isTransport = (value: unknown): value is Transport =>
  typeof value === 'object' && value !== null && typeof (value as Transport).send === 'function' && typeof (value as Transport).shutdown === 'function';

const isRetrying = (value: unknown): value is RetryingTransport =>
  isTransport(value) && typeof (value as RetryingTransport).retry === 'function' && isTransport((value as RetryingTransport)._transport);

/** Makes `exporter` send each export once; false when its shape is not the SDK's known one. */
export function sendOncePerExport(exporter: object): boolean {
  const delegate = (exporter as { _delegate?: { _transport?: unknown } })._delegate;
  if (delegate === undefined || !isRetrying(delegate._transport)) return false;
  delegate._transport = delegate._transport._transport;
  return true;
}

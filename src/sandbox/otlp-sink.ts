/**
 * An OTLP/HTTP endpoint that answers every export with success and discards it, for running an
 * exporting extension (like this layer) in the sandbox without a collector: an export to an
 * address where nothing listens holds each invocation and ends in a loss warning.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface OtlpSink {
  /** Base URL for `OTEL_EXPORTER_OTLP_ENDPOINT`, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** One line for the run's summary: exports by path (`/v1/traces`, ...) and bytes as sent. */
  describe(): string;
  close(): Promise<void>;
}

const OTLP_PATHS = ['/v1/traces', '/v1/metrics', '/v1/logs'];

/** Starts the sink on a free port of 127.0.0.1. */
export async function startOtlpSink(): Promise<OtlpSink> {
  const requests: Record<string, number> = {};
  let bytes = 0;
  const server = createServer((req, res) => {
    const url = req.url === undefined ? '' : req.url.split('?', 1)[0]!;
    const path = OTLP_PATHS.includes(url) ? url : 'other';
    if (req.method === 'POST') requests[path] = (requests[path] ?? 0) + 1;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on('end', () => answer(req, res));
    req.on('error', () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    describe: () => {
      const byPath = Object.entries(requests).map(([path, n]) => `${path} ${n}`);
      const total = Object.values(requests).reduce((sum, n) => sum + n, 0);
      return `otlp sink     ${total} exports answered and discarded${total > 0 ? ` (${byPath.join(', ')}; ${bytes} bytes)` : ''}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// An empty body is a valid (empty) export response in both protobuf and JSON encodings.
function answer(req: IncomingMessage, res: ServerResponse): void {
  const contentType = req.headers['content-type'] ?? 'application/x-protobuf';
  res.writeHead(req.method === 'POST' ? 200 : 405, { 'Content-Type': contentType, 'Content-Length': 0 });
  res.end();
}

/**
 * One client of the export-transport comparison (export-transport.ts), run on the node being
 * measured inside a memory cgroup: sends `requests` exports of a `bytes`-byte body to
 * `<url>/v1/logs`, two at a time as the export queue does, through
 *   sdk    the SDK's OTLP/HTTP exporter as the layer builds it (node:http, keep-alive agent),
 *   undici the same exporter over undici's pooled client (npm undici, a transport of its own),
 *   fetch  the same exporter over node's built-in fetch.
 * Prints `{"cpuUsPerRequest","anonMiB"}`: CPU per request from process.cpuUsage() (every
 * thread) after a warm-up, and private memory at the end. (What each costs to load is measured
 * without tsx by client-load.mjs.)
 *   node --import tsx scripts/bench/export-transport-client.ts <sdk|undici|fetch> <url> <requests> <bytes>
 */
import { readFileSync } from 'node:fs';
import type { ExportResponse, IExporterTransport } from '@opentelemetry/otlp-exporter-base';

const [transportName = 'sdk', url = '', requestsText = '500', bytesText = '150000'] = process.argv.slice(2);
const WARM_UP = 50;
const HEADERS = { 'Content-Type': 'application/x-protobuf' };

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const anonMiB = (): number => Number(/RssAnon:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;

const answer = (status: number, body: Uint8Array): ExportResponse =>
  status >= 200 && status < 300 ? { status: 'success', data: body } : { status: 'failure', error: new Error(`HTTP ${status}`) };

async function undiciTransport(): Promise<IExporterTransport> {
  const { Pool } = await import('undici');
  const target = new URL(`${url}/v1/logs`);
  const pool = new Pool(target.origin, { connections: 2 });
  return {
    async send(data, timeoutMillis) {
      const response = await pool.request({ path: target.pathname, method: 'POST', headers: HEADERS, body: data, headersTimeout: timeoutMillis, bodyTimeout: timeoutMillis });
      return answer(response.statusCode, new Uint8Array(await response.body.arrayBuffer()));
    },
    shutdown: () => void pool.close(),
  };
}

function fetchTransport(): IExporterTransport {
  return {
    async send(data, timeoutMillis) {
      const response = await fetch(`${url}/v1/logs`, { method: 'POST', headers: HEADERS, body: data, signal: AbortSignal.timeout(timeoutMillis) });
      return answer(response.status, new Uint8Array(await response.arrayBuffer()));
    },
    shutdown: () => undefined,
  };
}

const { OTLPExporterBase, createOtlpNetworkExportDelegate } = await import('@opentelemetry/otlp-exporter-base');
const { convertLegacyHttpOptions, createOtlpHttpExportDelegate, createOtlpHttpExporterMetrics } = await import('@opentelemetry/otlp-exporter-base/node-http');
const metricsHelper = { name: 'log' as const, countItems: (batch: Uint8Array[]) => batch.length };
const serializer = { serializeRequest: (body: Uint8Array[]) => body[0]!, deserializeResponse: () => ({}) };
const options = convertLegacyHttpOptions({ url: `${url}/v1/logs` }, 'LOGS', 'v1/logs', HEADERS);
const delegate =
  transportName === 'sdk'
    ? createOtlpHttpExportDelegate(options, serializer, 'otlp_http_log_exporter', metricsHelper, undefined)
    : createOtlpNetworkExportDelegate(options, serializer, createOtlpHttpExporterMetrics('otlp_http_log_exporter', metricsHelper, options.url, undefined), transportName === 'undici' ? await undiciTransport() : fetchTransport());
const exporter = new OTLPExporterBase<Uint8Array[]>(delegate);

const body = new Uint8Array(Number(bytesText)).fill(0x0a);
const exportOnce = (): Promise<void> =>
  new Promise((resolve, reject) => exporter.export([body], (result) => (result.code === 0 ? resolve() : reject(result.error ?? new Error('export failed')))));
async function send(count: number): Promise<void> {
  let left = count;
  const lane = async (): Promise<void> => {
    while (left-- > 0) await exportOnce();
  };
  await Promise.all([lane(), lane()]);
}

await send(WARM_UP);
const start = cpuMs();
await send(Number(requestsText));
const cpuUsPerRequest = ((cpuMs() - start) * 1000) / Number(requestsText);
console.log(JSON.stringify({ cpuUsPerRequest, anonMiB: anonMiB() }));
await exporter.shutdown();

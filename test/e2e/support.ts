/**
 * Helpers of the end-to-end tests: the built layer's paths, free ports, and the
 * extension's own JSON log lines.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ExtensionReport, SandboxReport } from '../../src/sandbox/index.ts';

import { freePort } from '../../scripts/free-port.ts';

export { freePort };

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const LAYER_DIR = `${ROOT}dist/layer`;
export const LAYER_ZIP = `${ROOT}dist/layer.zip`;
export const EXTENSION = `${LAYER_DIR}/extensions/lambda-telemetry-otel`;

/** Fails clearly when the layer was not built (`npm test` builds it first). */
export function assertLayerBuilt(): void {
  assert.ok(existsSync(EXTENSION) && existsSync(LAYER_ZIP), `no built layer at ${LAYER_DIR}: run npm run build`);
}

/** The extension's log lines (JSON on stderr). */
export function logLines(extension: ExtensionReport): Array<Record<string, unknown>> {
  return extension.stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The node the extension runs on, from its `subscribed` log line. */
export const subscribedNode = (lines: ReadonlyArray<Record<string, unknown>>): unknown => lines.find((line) => line.msg === 'subscribed')?.node;

/** The one extension of a single-extension run. */
export function only(report: SandboxReport): ExtensionReport {
  assert.equal(report.extensions.length, 1);
  return report.extensions[0]!;
}

/** Counts of the events the sandbox produced, by type, for the subscribed streams. */
export function producedByType(report: SandboxReport, streams: readonly string[] = ['platform', 'function']): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of report.events) {
    const stream = event.type.startsWith('platform.') ? 'platform' : event.type;
    if (streams.includes(stream)) counts[event.type] = (counts[event.type] ?? 0) + 1;
  }
  return counts;
}

/** Environment for the layer in the sandbox: a free listener port, exports to `receiver`, plus `extra`. */
export async function layerEnv(receiver: { readonly url: string }, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return { LAMBDA_OTEL_LISTENER_PORT: String(await freePort()), LAMBDA_OTEL_RECEIVER: String(await freePort()), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, LAMBDA_OTEL_LOG_LEVEL: 'info', ...extra };
}

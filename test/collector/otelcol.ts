/**
 * The real OpenTelemetry Collector of the collector tests: the binaries scripts/otelcol/ensure.sh
 * provides, a collector started from config sources, and its own metrics (Prometheus text on a
 * port of ours, names as `otelcol_receiver_accepted_spans`).
 */
import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import { startDaemon, waitUntil } from './daemon.ts';
import type { Daemon } from './daemon.ts';
import { ROOT } from '../e2e/support.ts';

/** Environment variables naming binaries to use instead of those of ensure.sh. */
export const OTELCOL_BIN = 'OTELCOL_BIN';
export const VICTORIA_METRICS_BIN = 'VICTORIA_METRICS_BIN';
/** Start-up: the collector logs this line once every pipeline runs. */
const READY_LINE = 'Everything is ready';
export const START_TIMEOUT_MS = 20_000;

export interface Binaries {
  readonly otelcol: string;
  readonly victoriaMetrics: string;
}

/** The binaries to run; fails with the way to get them when they are missing. */
export function binaries(): Binaries {
  const cache = `${ROOT}.cache/otelcol/current`;
  const found = {
    otelcol: process.env[OTELCOL_BIN] || `${cache}/otelcol`,
    victoriaMetrics: process.env[VICTORIA_METRICS_BIN] || `${cache}/victoria-metrics`,
  };
  for (const path of Object.values(found)) {
    try {
      accessSync(path, constants.X_OK);
    } catch {
      assert.fail(`no executable ${path}: run bash scripts/otelcol/ensure.sh (npm run test:collector does), or set ${OTELCOL_BIN} and ${VICTORIA_METRICS_BIN}`);
    }
  }
  return found;
}

/**
 * The `service::telemetry::metrics` readers that serve the collector's own metrics on
 * 127.0.0.1:`port` instead of the fixed 8888, with the default names kept.
 */
export function selfMetricsReaders(port: number | string): string {
  const prometheus = `{host: 127.0.0.1, port: ${port}, without_type_suffix: true, without_units: true, without_scope_info: true}`;
  return `[{pull: {exporter: {prometheus: ${prometheus}}}}]`;
}

/** One sample of the Prometheus text format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses the Prometheus text exposition format (comments skipped). */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.lastIndexOf(' ');
    const name = brace >= 0 && brace < space ? line.slice(0, brace) : line.slice(0, space);
    const labels: Record<string, string> = {};
    if (brace >= 0 && brace < space) {
      const body = line.slice(brace + 1, line.lastIndexOf('}'));
      for (const match of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[match[1]!] = match[2]!;
    }
    samples.push({ name, labels, value: Number(line.slice(space + 1)) });
  }
  return samples;
}

/** Sum of the samples named `name` whose labels include `labels`; 0 when there are none. */
export function total(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (Object.entries(labels).every(([key, value]) => sample.labels[key] === value)) sum += sample.value;
  }
  return sum;
}

export interface Collector {
  readonly daemon: Daemon;
  /** Its own metrics, fetched now. */
  selfMetrics(): Promise<Sample[]>;
  stop(): Promise<void>;
}

/**
 * Starts the collector with `configs` (its `--config` sources, merged in order) and waits
 * until it runs. `selfMetricsPort` must be the port the configs give the telemetry reader.
 */
export async function startCollector(binary: string, configs: readonly string[], selfMetricsPort: number, env: Readonly<Record<string, string>> = {}): Promise<Collector> {
  const daemon = await startDaemon('otelcol', binary, configs.map((config) => `--config=${config}`), { ...process.env, ...env });
  const url = `http://127.0.0.1:${selfMetricsPort}/metrics`;
  const selfMetrics = async (): Promise<Sample[]> => {
    const response = await fetch(url);
    assert.equal(response.status, 200, `GET ${url}`);
    return parsePrometheusText(await response.text());
  };
  try {
    await waitUntil(daemon, 'start-up', START_TIMEOUT_MS, () => daemon.output().includes(READY_LINE));
    await waitUntil(daemon, `own metrics on ${url}`, START_TIMEOUT_MS, async () => (await selfMetrics()).length > 0);
  } catch (error) {
    await daemon.stop();
    throw error;
  }
  return { daemon, selfMetrics, stop: () => daemon.stop() };
}

/** How the collector's own metrics name each signal's items. */
export type Items = 'spans' | 'metric_points' | 'log_records';

/** What the collector did with one kind of item, summed over transports. */
export interface Flow {
  readonly accepted: number;
  readonly refused: number;
  readonly failed: number;
  /** Sent by `exporter`. */
  readonly sent: number;
  readonly sendFailed: number;
}

export function flowOf(samples: readonly Sample[], items: Items, exporter: string): Flow {
  return {
    accepted: total(samples, `otelcol_receiver_accepted_${items}`),
    refused: total(samples, `otelcol_receiver_refused_${items}`),
    failed: total(samples, `otelcol_receiver_failed_${items}`),
    sent: total(samples, `otelcol_exporter_sent_${items}`, { exporter }),
    sendFailed: total(samples, `otelcol_exporter_send_failed_${items}`, { exporter }),
  };
}

/**
 * Waits until each exporter of `routes` has sent or failed everything the receiver accepted
 * (the batch processor holds items up to 200 ms), then returns the flows.
 */
export async function settledFlows(collector: Collector, routes: Readonly<Record<Items, string>>, timeoutMs: number = START_TIMEOUT_MS): Promise<Record<Items, Flow>> {
  let flows = {} as Record<Items, Flow>;
  await waitUntil(collector.daemon, `export of every accepted item (${JSON.stringify(routes)})`, timeoutMs, async () => {
    const samples = await collector.selfMetrics();
    flows = {} as Record<Items, Flow>;
    for (const [items, exporter] of Object.entries(routes) as Array<[Items, string]>) flows[items] = flowOf(samples, items, exporter);
    return Object.values(flows).every((flow) => flow.accepted > 0 && flow.sent + flow.sendFailed >= flow.accepted);
  });
  return flows;
}

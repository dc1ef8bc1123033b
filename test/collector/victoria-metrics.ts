/**
 * VictoriaMetrics for the collector tests: a metrics store that ingests OTLP/HTTP protobuf at
 * `/opentelemetry/v1/metrics` and answers PromQL (MetricsQL). Metric names keep their dots
 * (`faas.invocations`); resource and point attributes become labels (`service.name`).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, waitUntil } from './daemon.ts';
import type { Daemon } from './daemon.ts';
import { START_TIMEOUT_MS } from './otelcol.ts';

/** One series of an instant query. */
export interface Series {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface VictoriaMetrics {
  readonly daemon: Daemon;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The OTLP/HTTP metrics path, for an exporter's `metrics_endpoint`. */
  readonly otlpMetricsUrl: string;
  /** Makes everything ingested so far visible to queries. */
  flush(): Promise<void>;
  /** An instant query at the current time (millisecond precision). */
  query(promql: string): Promise<Series[]>;
  /** Stops the process and deletes its storage. */
  stop(): Promise<void>;
}

/** Starts VictoriaMetrics on 127.0.0.1:`port` with storage in a fresh temporary folder. */
export async function startVictoriaMetrics(binary: string, port: number): Promise<VictoriaMetrics> {
  const storage = await mkdtemp(join(tmpdir(), 'lambda-otel-vm-'));
  const url = `http://127.0.0.1:${port}`;
  let daemon: Daemon | undefined;
  const stop = async (): Promise<void> => {
    await daemon?.stop();
    await rm(storage, { recursive: true, force: true });
  };
  try {
    daemon = await startDaemon('victoria-metrics', binary, [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${storage}`,
      // Without these, samples stay invisible to queries for 30 s, and answers are cached.
      '-search.latencyOffset=0s',
      '-search.disableCache',
    ]);
    const started = daemon;
    await waitUntil(started, `an answer on ${url}/health`, START_TIMEOUT_MS, async () => (await fetch(`${url}/health`)).ok);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    daemon,
    url,
    otlpMetricsUrl: `${url}/opentelemetry/v1/metrics`,
    async flush() {
      const response = await fetch(`${url}/internal/force_flush`);
      assert.equal(response.status, 200, 'GET /internal/force_flush');
    },
    async query(promql) {
      // Without an explicit time, VictoriaMetrics evaluates at the start of the current second
      // and misses the samples written since.
      const time = (Date.now() / 1000).toFixed(3);
      const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql, time })}`);
      const body = (await response.json()) as { status: string; error?: string; data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      assert.equal(body.status, 'success', `query ${promql}: ${body.error}`);
      return body.data!.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    stop,
  };
}

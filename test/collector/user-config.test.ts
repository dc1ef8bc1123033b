/**
 * collector-config.yaml, the configuration we give users, loaded as is into a real
 * OpenTelemetry Collector with only its endpoints changed (listening on free loopback ports,
 * Jaeger replaced by our OTLP receiver): it is valid, and the layer's telemetry flows through
 * it as its comments say. Needs scripts/otelcol/ensure.sh (`npm run test:collector` runs it).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { InvocationSpec } from '../../src/sandbox/index.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver } from '../support/otlp-receiver.ts';
import { ROOT, freePort } from '../e2e/support.ts';
import { runLayer } from './layer-run.ts';
import { binaries, selfMetricsReaders, settledFlows, startCollector } from './otelcol.ts';
import type { Collector } from './otelcol.ts';

const RUN = randomUUID().slice(0, 8);
const INVOCATIONS: readonly InvocationSpec[] = [
  { requestId: `${RUN}-1`, durationMs: 20, logs: [`checkout ${RUN} started`] },
  { requestId: `${RUN}-2`, durationMs: 10, tracing: true, logs: [`checkout ${RUN} done`] },
];

/** Resolves once a TCP connection to 127.0.0.1:`port` succeeds. */
function accepts(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

describe('collector-config.yaml in a real collector', () => {
  let jaeger: OtlpReceiver | undefined;
  let collector: Collector | undefined;
  let grpcPort: number;
  let httpPort: number;

  before(async () => {
    const bin = binaries();
    jaeger = await startOtlpReceiver();
    grpcPort = await freePort();
    httpPort = await freePort();
    const metricsPort = await freePort();
    collector = await startCollector(
      bin.otelcol,
      [
        `file:${ROOT}collector-config.yaml`,
        // Only endpoints change: the receivers' (0.0.0.0 and fixed ports in the file), Jaeger's,
        // and that of the collector's own metrics (otherwise the fixed 127.0.0.1:8888).
        `yaml:receivers::otlp::protocols::grpc::endpoint: 127.0.0.1:${grpcPort}`,
        `yaml:receivers::otlp::protocols::http::endpoint: 127.0.0.1:${httpPort}`,
        `yaml:exporters::otlp_http/jaeger::endpoint: ${jaeger.url}`,
        `yaml:service::telemetry::metrics::readers: ${selfMetricsReaders(metricsPort)}`,
      ],
      metricsPort,
    );
  });

  after(async () => {
    const stops = await Promise.allSettled([collector?.stop(), jaeger?.close()]);
    for (const stop of stops) if (stop.status === 'rejected') throw stop.reason;
  });

  it('receives OTLP/HTTP from the layer, sends traces to Jaeger, and all signals to debug', async () => {
    const run = await runLayer(`http://127.0.0.1:${httpPort}`, `user-config-${RUN}`, 'checkout', INVOCATIONS);
    const toJaeger = await settledFlows(collector!, { spans: 'otlp_http/jaeger', metric_points: 'debug', log_records: 'debug' });
    const toDebug = await settledFlows(collector!, { spans: 'debug', metric_points: 'debug', log_records: 'debug' });
    for (const [items, flow] of Object.entries(toJaeger)) {
      assert.deepEqual({ refused: flow.refused, failed: flow.failed, sendFailed: flow.sendFailed }, { refused: 0, failed: 0, sendFailed: 0 }, items);
      assert.equal(flow.sent, flow.accepted, `${items}: everything accepted was sent on`);
    }
    assert.equal(toDebug.spans.sent, toDebug.spans.accepted, 'spans also go to debug');
    assert.equal(toJaeger.spans.accepted, run.spanCount, 'spans accepted by the collector');
    assert.equal(toJaeger.log_records.accepted, run.logBodies.length, 'log records accepted by the collector');

    const rx = jaeger!;
    await rx.waitFor(() => rx.spans().length >= run.spanCount);
    assert.equal(rx.spans().length, run.spanCount, 'spans at the Jaeger stand-in');
    const servers = rx.spans().filter((s) => s.kind === 'SERVER');
    assert.deepEqual(servers.map((s) => s.attributes['faas.invocation_id']).sort(), INVOCATIONS.map((i) => i.requestId).sort());
    assert.ok(rx.requests.every((r) => r.signal === 'traces'), 'Jaeger gets traces only');
    assert.ok(rx.requests.every((r) => r.encoding === 'protobuf'), 'OTLP/HTTP protobuf, the exporter default');

    // The gRPC receiver (4317 in the file) listens too.
    await accepts(grpcPort);
  });
});

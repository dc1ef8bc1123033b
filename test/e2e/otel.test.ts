/**
 * What a user sees at the backend: the built layer runs in the sandbox (freeze on) and exports
 * OTLP/HTTP to a receiver that decodes the real protobuf (or JSON) wire format. Expectations
 * are derived from the events the sandbox (standing in for Lambda) produced.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSandbox } from '../../src/sandbox/index.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver.ts';
import { coldStartScenario } from './cold-start-scenario.ts';
import { EXTENSION, assertLayerBuilt, layerEnv, logLines, only } from './support.ts';

const NS_PER_MS = 1_000_000n;

describe('OpenTelemetry over the wire', () => {
  let receiver: OtlpReceiver;
  before(async () => {
    assertLayerBuilt();
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());

  it('cold start + 5 invocations (error, timeout, X-Ray) + SHUTDOWN: exactly the expected spans, metrics and logs', async () => {
    await coldStartScenario(receiver, EXTENSION);
  });

  it('rare invocations: the telemetry of invocation N is at the backend before invocation N+1 ends', async () => {
    const sandbox = await startSandbox({ extensions: [EXTENSION], env: await layerEnv(receiver), function: { name: 'rare-fn' } });
    const requestIds: string[] = [];
    try {
      for (let n = 0; n < 10; n++) {
        const { requestId } = await sandbox.invoke({ durationMs: 10 });
        requestIds.push(requestId);
        if (n > 0) {
          const previous = requestIds[n - 1]!;
          assert.ok(receiver.spans().some((s) => s.attributes['faas.invocation_id'] === previous), `invocation ${n} (${previous}) not exported before invocation ${n + 1} ended`);
          const reportTime = Date.parse(sandbox.report().events.find((e) => e.type === 'platform.report' && e.record.requestId === previous)!.time);
          assert.ok(receiver.metrics().some((m) => m.name === 'aws.lambda.duration' && m.point.timeUnixNano === BigInt(reportTime) * NS_PER_MS), `no gauge point of invocation ${n}`);
        }
        await sandbox.idle(150);
      }
    } finally {
      const report = await sandbox.shutdown();
      assert.equal(only(report).exit?.code, 0);
    }
    assert.ok(receiver.spans().some((s) => s.attributes['faas.invocation_id'] === requestIds[9]), 'the last one at SHUTDOWN');
  });

  it('frequent invocations: adaptive stops holding invocations for exports after 20 within a minute', async () => {
    const name = 'busy-fn';
    const sandbox = await startSandbox({ extensions: [EXTENSION], env: await layerEnv(receiver), function: { name } });
    const traceRequests = () => receiver.requests.filter((r) => r.signal === 'traces' && r.spans.some((s) => s.resource['faas.name'] === name)).length;
    const exportsAfter: number[] = [];
    try {
      for (let n = 0; n < 26; n++) {
        await sandbox.invoke({ durationMs: 5 });
        exportsAfter.push(traceRequests());
      }
    } finally {
      await sandbox.shutdown();
    }
    // Rare (end) mode: the report of N arrives during N+1 and is exported before N+1 ends.
    assert.deepEqual(exportsAfter.slice(0, 19), Array.from({ length: 19 }, (_, i) => i), 'one export per invocation while rare');
    // From the 20th on, periodic every 10 s: no export on the invoke path during this run.
    assert.ok(exportsAfter.slice(20).every((n) => n === exportsAfter[19]), `exports kept happening per invocation: ${exportsAfter.join(',')}`);
    assert.equal(receiver.spans().filter((s) => s.name === name).length, 26, 'all exported by SHUTDOWN');
  });

  it('http/json with gzip and headers, per the standard variables; header values never logged', async () => {
    const json = await startOtlpReceiver();
    try {
      const sandbox = await startSandbox({
        extensions: [EXTENSION],
        env: await layerEnv(json, {
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
          OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s3cr3t-t0ken',
          OTEL_SERVICE_NAME: 'checkout',
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging,team=payments,service.name=ignored',
          LAMBDA_OTEL_LOG_LEVEL: 'debug',
        }),
      });
      await sandbox.invoke({ tracing: true });
      const report = await sandbox.shutdown();
      const extension = only(report);
      assert.equal(extension.exit?.code, 0);
      assert.ok(json.requests.length > 0);
      for (const request of json.requests) {
        assert.equal(request.encoding, 'json');
        assert.equal(request.gzip, true);
        assert.equal(request.headers['x-api-key'], 's3cr3t-t0ken');
      }
      const server = json.spans().filter((s) => s.kind === 'SERVER');
      assert.equal(server.length, 1);
      assert.equal(server[0]!.resource['service.name'], 'checkout', 'OTEL_SERVICE_NAME wins');
      assert.equal(server[0]!.resource['deployment.environment.name'], 'staging');
      assert.equal(server[0]!.resource['team'], 'payments');
      assert.equal(server[0]!.resource['cloud.platform'], 'aws_lambda');
      assert.ok(json.metrics().some((m) => m.name === 'faas.invocations'));
      assert.ok(!extension.stderr.includes('s3cr3t') && !extension.stdout.includes('s3cr3t'), 'a header value reached the log');
    } finally {
      await json.close();
    }
  });

  it("reports an unusable OpenTelemetry configuration of the extension's own through init/error", async () => {
    const sandbox = await startSandbox({
      extensions: [EXTENSION],
      env: await layerEnv(receiver, {
        LAMBDA_OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        LAMBDA_OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4317',
        LAMBDA_OTEL_FLUSH: 'sometimes',
      }),
    });
    const report = await sandbox.shutdown();
    const extension = only(report);
    assert.equal(extension.initError?.errorType, 'Extension.ConfigInvalid');
    const message = (extension.initError?.body as { errorMessage: string }).errorMessage;
    assert.match(message, /LAMBDA_OTEL_EXPORTER_OTLP_PROTOCOL: must be http\/protobuf or http\/json \(got "grpc"/);
    assert.equal(message.match(/OTEL_EXPORTER_OTLP_PROTOCOL:/g)?.length, 1, 'one problem, named once, for one bad variable');
    assert.match(message, /LAMBDA_OTEL_EXPORTER_OTLP_ENDPOINT: must be an http:\/\/ or https:\/\/ URL/);
    assert.match(message, /LAMBDA_OTEL_FLUSH: must be adaptive, end, shutdown/);
    assert.ok(!extension.stderr.includes('localhost:4317'), 'an endpoint value reached the log');
    assert.equal(extension.exit?.code, 1);
    assert.ok(logLines(extension).some((l) => l.errorType === 'Extension.ConfigInvalid'));
  });
});

export type { ReceivedSpan };

/**
 * Function and extension logs of the built layer, on the wire: parsed, severity and
 * attributes filled, and tied to the invocation span by trace id and span id.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_VALUE_DEPTH } from '../../src/otel/log-values.ts';
import { startSandbox } from '../../src/sandbox/index.ts';
import { descend, nest } from '../support/nested-values.ts';
import { PROTOBUF_RECURSION_LIMIT, startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver } from '../support/otlp-receiver.ts';
import { EXTENSION, assertLayerBuilt, freePort, only } from './support.ts';

const toMs = (ns: bigint): number => Number(ns / 1_000_000n);

describe('logs over the wire', () => {
  let receiver: OtlpReceiver;
  before(async () => {
    assertLayerBuilt();
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());

  const env = async (extra: Record<string, string> = {}) => ({
    LAMBDA_OTEL_LISTENER_PORT: String(await freePort()), LAMBDA_OTEL_RECEIVER: String(await freePort()),
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    ...extra,
  });

  it('Node and Python text lines and JSON logs become log records on their invocation span', async () => {
    const name = 'logging-fn';
    const sandbox = await startSandbox({ extensions: [EXTENSION], env: await env(), function: { name } });
    await sandbox.invoke({ requestId: 'a1b2c3d4-0000-4000-8000-000000000001', durationMs: 30, tracing: true });
    const requestId = 'a1b2c3d4-0000-4000-8000-000000000002';
    const at = new Date().toISOString();
    await sandbox.invoke({
      requestId,
      durationMs: 40,
      logs: [
        `${at}\t${requestId}\tINFO\tnode: order accepted\n`,
        `[ERROR]\t${at}\t${requestId}\tpython: payment declined\n`,
        { timestamp: at, level: 'WARN', requestId, message: 'json: retrying', attempt: 2, upstream: { name: 'bank', region: 'eu' } },
        'plain line without prefix\n',
      ],
    });
    const report = await sandbox.shutdown();
    assert.equal(only(report).exit?.code, 0);

    const server = receiver.spans().find((s) => s.attributes['faas.invocation_id'] === requestId)!;
    assert.ok(server, 'invocation span exported');
    const logs = receiver.logs().filter((l) => l.resource['faas.name'] === name);
    const byBody = new Map(logs.map((l) => [l.body as string, l]));
    const expected: Array<[string, number, string]> = [
      ['node: order accepted', 9, 'INFO'],
      ['python: payment declined', 17, 'ERROR'],
      ['json: retrying', 13, 'WARN'],
      ['plain line without prefix', 0, ''],
    ];
    assert.equal(logs.length, expected.length);
    for (const [body, severityNumber, severityText] of expected) {
      const log = byBody.get(body);
      assert.ok(log, `no record with body ${body}: ${JSON.stringify([...byBody.keys()])}`);
      assert.equal(log.severityNumber, severityNumber, body);
      assert.equal(log.severityText, severityText, body);
      assert.equal(log.traceId, server.traceId, `${body}: trace id`);
      assert.equal(log.spanId, server.spanId, `${body}: span id`);
      assert.equal(log.attributes['faas.invocation_id'], requestId);
      assert.equal(log.attributes['aws.lambda.log.source'], 'function');
      assert.ok(toMs(log.timeUnixNano) >= toMs(server.startTimeUnixNano) - 1000);
    }
    const json = byBody.get('json: retrying')!;
    assert.equal(json.attributes['attempt'], 2);
    assert.deepEqual(json.attributes['upstream'], { name: 'bank', region: 'eu' });
    assert.equal(toMs(json.timeUnixNano), Date.parse(at), 'the JSON record keeps its own timestamp');
  });

  it(`a JSON log line nested 200 deep among 500 others: every record arrives, decoded no deeper than ${PROTOBUF_RECURSION_LIMIT} messages`, async () => {
    const name = 'deep-json-fn';
    const refusedBefore = receiver.refusedCount('logs');
    const sandbox = await startSandbox({ extensions: [EXTENSION], env: await env(), function: { name } });
    const requestId = 'a1b2c3d4-0000-4000-8000-000000000003';
    const lines: Array<string | Record<string, unknown>> = Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? `[INFO] line ${i}\n` : { level: 'INFO', requestId, message: `json ${i}`, i }));
    lines.splice(250, 0, { level: 'WARN', requestId, message: nest(200, 'bottom'), detail: nest(200, 0, 'array') });
    await sandbox.invoke({ requestId, durationMs: 20, logs: lines });
    assert.equal(only(await sandbox.shutdown()).exit?.code, 0);

    assert.equal(receiver.refusedCount('logs') - refusedBefore, 0, 'a log request was refused');
    const logs = receiver.logs().filter((l) => l.resource['faas.name'] === name);
    assert.equal(logs.length, 501);
    const deep = logs.find((l) => l.severityText === 'WARN')!;
    assert.deepEqual(JSON.parse(descend(deep.body, MAX_VALUE_DEPTH) as string), nest(200 - MAX_VALUE_DEPTH, 'bottom'), 'the body below the bound, as JSON text');
    assert.deepEqual(JSON.parse(descend(deep.attributes['detail'], MAX_VALUE_DEPTH) as string), nest(200 - MAX_VALUE_DEPTH, 0, 'array'));
    assert.deepEqual([deep.attributes['lambda_otel.log.truncated'], deep.attributes['lambda_otel.log.truncated_values']], [true, 2]);
    const carrier = receiver.requests.find((r) => r.logs.includes(deep))!;
    assert.ok(carrier.logs.length > 1, `the deep record travelled alone: ${carrier.logs.length}`);
  });

  it('subscribed to its own extension stream, it never exports or loops on its own lines', async () => {
    const name = 'self-subscribed-fn';
    const sandbox = await startSandbox({
      extensions: [EXTENSION],
      env: await env({ LAMBDA_OTEL_TELEMETRY_TYPES: 'platform,function,extension', LAMBDA_OTEL_LOG_LEVEL: 'debug' }),
      function: { name },
    });
    for (let i = 0; i < 3; i++) await sandbox.invoke({ durationMs: 10, logs: [`[INFO] work ${i}`] });
    const report = await sandbox.shutdown();
    const extension = only(report);
    assert.equal(extension.exit?.code, 0);
    assert.ok(extension.logEvents > 0, 'the extension did log, and the sandbox delivered those lines');
    assert.ok(extension.logEvents < 20, `its own lines stay few: ${extension.logEvents}`);
    const logs = receiver.logs().filter((l) => l.resource['faas.name'] === name);
    assert.deepEqual(logs.map((l) => l.body).sort(), ['work 0', 'work 1', 'work 2']);
    assert.ok(!logs.some((l) => String(l.body).includes('lambda-telemetry-otel')), 'one of its own lines was exported');
  });

  it('exports START / END / REPORT lines with LAMBDA_OTEL_PLATFORM_LOGS=true', async () => {
    const name = 'platform-logs-fn';
    const sandbox = await startSandbox({ extensions: [EXTENSION], env: await env({ LAMBDA_OTEL_PLATFORM_LOGS: 'true' }), function: { name } });
    const { requestId } = await sandbox.invoke({ durationMs: 10 });
    await sandbox.shutdown();
    const bodies = receiver.logs().filter((l) => l.resource['faas.name'] === name && l.attributes['aws.lambda.log.source'] === 'platform').map((l) => String(l.body));
    assert.ok(bodies.some((b) => b.startsWith('INIT_START')), bodies.join('\n'));
    assert.ok(bodies.includes(`START RequestId: ${requestId} Version: $LATEST`), bodies.join('\n'));
    assert.ok(bodies.includes(`END RequestId: ${requestId}`));
    assert.ok(bodies.some((b) => b.startsWith(`REPORT RequestId: ${requestId}\tDuration: `) && b.includes('\tMemory Size: 128 MB')));
  });
});

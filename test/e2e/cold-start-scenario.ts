/**
 * The end-to-end OpenTelemetry scenario, shared by the layers that must pass it whole: a cold
 * start, five invocations (an error, a timeout, X-Ray context), SHUTDOWN; every span, metric
 * point and log record checked at the receiver against the events the sandbox produced.
 * test/e2e/otel.test.ts runs it on the Node layer, test/standalone/ on the standalone layer.
 */
import assert from 'node:assert/strict';
import { startSandbox } from '../../src/sandbox/index.ts';
import type { ExtensionReport, SandboxReport } from '../../src/sandbox/index.ts';
import type { ReportEvent, RuntimeDoneEvent, StartEvent } from '../../src/telemetry/events.ts';
import type { OtlpReceiver, ReceivedMetric } from '../support/otlp-receiver.ts';
import { layerEnv, only } from './support.ts';

const FUNCTION = 'orders-api';
const XRAY_ROOT = '1-67a0c3d1-8f1e2d3c4b5a69788796a5b4';
const XRAY_TRACE_ID = '67a0c3d18f1e2d3c4b5a69788796a5b4';
const XRAY_PARENT = '4c3b2a1908f7e6d5';
const NS_PER_MS = 1_000_000n;

const toMs = (ns: bigint): number => Number(ns / 1000n) / 1000;
const nearMs = (actualNs: bigint, expectedMs: number, what: string): void =>
  assert.ok(Math.abs(toMs(actualNs) - expectedMs) <= 1, `${what}: ${toMs(actualNs)} is not within 1 ms of ${expectedMs}`);

interface Produced {
  readonly start: StartEvent;
  readonly runtimeDone: RuntimeDoneEvent;
  readonly report: ReportEvent;
}

/** The platform events the sandbox produced for one invocation. */
function produced(report: SandboxReport, requestId: string): Produced {
  const find = <T>(type: string) => report.events.find((e) => e.type === type && (e.record as { requestId?: string }).requestId === requestId) as T;
  return { start: find<StartEvent>('platform.start'), runtimeDone: find<RuntimeDoneEvent>('platform.runtimeDone'), report: find<ReportEvent>('platform.report') };
}

const sumOf = (metrics: readonly ReceivedMetric[], name: string): number => Math.max(0, ...metrics.filter((m) => m.name === name).map((m) => m.point.value ?? 0));

/**
 * Runs the scenario with the extension at `extensionPath` (its environment: `layerEnv` plus
 * `env`) and asserts what `receiver` got; resolves to the run's report for more checks.
 */
export async function coldStartScenario(
  receiver: OtlpReceiver,
  extensionPath: string,
  env: Record<string, string> = {},
): Promise<{ readonly report: SandboxReport; readonly extension: ExtensionReport }> {
  const sandbox = await startSandbox({
    extensions: [extensionPath],
    env: await layerEnv(receiver, env),
    function: { name: FUNCTION, timeoutMs: 400, memorySizeMB: 256, accountId: '210987654321' },
  });
  await sandbox.invoke({ requestId: 'inv-1', durationMs: 30, logs: ['hello'] });
  await sandbox.idle(100);
  await sandbox.invoke({ requestId: 'inv-2', durationMs: 20, tracing: `Root=${XRAY_ROOT};Parent=${XRAY_PARENT};Sampled=1` });
  await sandbox.idle(100);
  await sandbox.invoke({ requestId: 'inv-3', durationMs: 25, status: 'error', errorType: 'Handler.ValidationFailed' });
  await sandbox.idle(100);
  await sandbox.invoke({ requestId: 'inv-4', durationMs: 15, tracing: true });
  await sandbox.idle(100);
  // A timeout resets the environment: Lambda sends SHUTDOWN (reason timeout) right after it.
  await sandbox.invoke({ requestId: 'inv-5', status: 'timeout' });
  const report = await sandbox.shutdown();
  const extension = only(report);
  assert.equal(extension.exit?.code, 0);
  assert.equal(extension.exit?.killed, false);
  assert.equal(report.shutdown?.reason, 'timeout');

  const ids = ['inv-1', 'inv-2', 'inv-3', 'inv-4', 'inv-5'];
  const spans = receiver.spans().filter((s) => s.resource['faas.instance'] === receiver.spans().find((x) => x.attributes['faas.invocation_id'] === 'inv-1')?.resource['faas.instance']);
  const servers = new Map(spans.filter((s) => s.name === FUNCTION).map((s) => [s.attributes['faas.invocation_id'] as string, s]));
  assert.deepEqual([...servers.keys()].sort(), ids, 'one invocation span per invocation, no duplicates');

  let expectedSpanCount = 1; // the init span
  for (const id of ids) {
    const events = produced(report, id);
    const server = servers.get(id)!;
    const startMs = Date.parse(events.start.time);
    const durationMs = events.report.record.metrics.durationMs;
    assert.equal(server.kind, 'SERVER');
    nearMs(server.startTimeUnixNano, startMs, `${id} start`);
    nearMs(server.endTimeUnixNano, startMs + durationMs, `${id} end`);
    assert.equal(server.attributes['faas.coldstart'], id === 'inv-1');
    assert.equal(server.attributes['aws.lambda.duration_ms'], durationMs);
    assert.equal(server.attributes['aws.lambda.billed_duration_ms'], events.report.record.metrics.billedDurationMs);
    assert.equal(server.attributes['aws.lambda.max_memory_used_mb'], events.report.record.metrics.maxMemoryUsedMB);
    assert.equal(server.attributes['aws.lambda.memory_size_mb'], 256);
    assert.equal(server.attributes['aws.lambda.runtime_duration_ms'], events.runtimeDone.record.metrics?.durationMs);
    assert.equal(server.attributeKinds['aws.lambda.billed_duration_ms'], 'int');
    assert.equal(server.attributes['cloud.resource_id'], `arn:aws:lambda:${server.resource['cloud.region']}:210987654321:function:${FUNCTION}`);
    assert.equal(server.attributes['aws.lambda.completion'], undefined);

    const children = spans.filter((s) => s.parentSpanId === server.spanId);
    for (const platformSpan of events.runtimeDone.record.spans ?? []) {
      const child = children.find((c) => c.name === platformSpan.name);
      assert.ok(child, `${id}: no ${platformSpan.name} child`);
      assert.equal(child.kind, 'INTERNAL');
      assert.equal(child.traceId, server.traceId);
      nearMs(child.startTimeUnixNano, Date.parse(platformSpan.start), `${id} ${platformSpan.name} start`);
      nearMs(child.endTimeUnixNano, Date.parse(platformSpan.start) + platformSpan.durationMs, `${id} ${platformSpan.name} end`);
    }
    const platformNames = (events.runtimeDone.record.spans ?? []).map((p) => p.name).sort();
    assert.deepEqual(children.filter((c) => c.name.startsWith('response')).map((c) => c.name).sort(), platformNames);
    if (id !== 'inv-5') assert.deepEqual(platformNames, ['responseDuration', 'responseLatency']);
    const runtimeMs = events.runtimeDone.record.metrics!.durationMs;
    const post = children.find((c) => c.name === 'postRuntimeExtensions');
    assert.equal(post !== undefined, durationMs > runtimeMs, `${id}: postRuntimeExtensions iff extensions worked after the runtime`);
    expectedSpanCount += 1 + (events.runtimeDone.record.spans?.length ?? 0) + (post ? 1 : 0);
  }
  assert.equal(spans.length, expectedSpanCount, 'nothing missing, nothing extra');

  // the cold start's init span, a child of the first invocation
  const init = spans.find((s) => s.name === 'init')!;
  assert.equal(init.parentSpanId, servers.get('inv-1')!.spanId);
  assert.equal(init.attributes['faas.coldstart'], true);
  assert.equal(init.attributes['aws.lambda.initialization_type'], 'on-demand');
  const initStart = report.events.find((e) => e.type === 'platform.initStart')!;
  const initReport = report.events.find((e) => e.type === 'platform.initReport')! as { record: { metrics: { durationMs: number } } };
  nearMs(init.startTimeUnixNano, Date.parse(initStart.time), 'init start');
  nearMs(init.endTimeUnixNano, Date.parse(initStart.time) + initReport.record.metrics.durationMs, 'init end');

  // X-Ray: the given header joins its trace; a generated one too; the others are random roots
  assert.equal(servers.get('inv-2')!.traceId, XRAY_TRACE_ID);
  assert.equal(servers.get('inv-2')!.parentSpanId, XRAY_PARENT);
  const generated = produced(report, 'inv-4').start.record.tracing!;
  const root = /Root=1-([0-9a-f]{8})-([0-9a-f]{24})/.exec(generated.value)!;
  assert.equal(servers.get('inv-4')!.traceId, root[1]! + root[2]!);
  assert.equal(servers.get('inv-4')!.spanId, generated.spanId);
  assert.equal(servers.get('inv-1')!.parentSpanId, '');

  // errors
  assert.deepEqual(servers.get('inv-3')!.status, { code: 'ERROR', message: 'Handler.ValidationFailed' });
  assert.equal(servers.get('inv-3')!.attributes['error.type'], 'Handler.ValidationFailed');
  assert.deepEqual(servers.get('inv-5')!.status, { code: 'ERROR', message: 'Sandbox.Timedout' });
  assert.equal(servers.get('inv-1')!.status.code, 'UNSET');

  // resource
  const resource = servers.get('inv-1')!.resource;
  assert.equal(resource['service.name'], FUNCTION);
  assert.equal(resource['faas.name'], FUNCTION);
  assert.equal(resource['cloud.provider'], 'aws');
  assert.equal(resource['cloud.platform'], 'aws_lambda');
  assert.equal(resource['cloud.account.id'], '210987654321');
  assert.equal(resource['faas.max_memory'], 256 * 1024 * 1024);

  // metrics: exact counters, one gauge point per report, at the report's time
  const metrics = receiver.metrics().filter((m) => m.resource['faas.instance'] === resource['faas.instance']);
  assert.equal(sumOf(metrics, 'faas.invocations'), 5);
  assert.equal(sumOf(metrics, 'faas.errors'), 1);
  assert.equal(sumOf(metrics, 'faas.timeouts'), 1);
  assert.equal(sumOf(metrics, 'faas.coldstarts'), 1);
  const durations = metrics.filter((m) => m.name === 'aws.lambda.duration');
  assert.equal(durations.length, 5);
  for (const id of ids) {
    const { report: r } = produced(report, id);
    const point = durations.find((d) => d.point.timeUnixNano === BigInt(Date.parse(r.time)) * NS_PER_MS);
    assert.ok(point, `no aws.lambda.duration point at the time of ${id}'s report`);
    assert.equal(point.point.value, r.record.metrics.durationMs);
    assert.equal(point.unit, 'ms');
  }
  assert.equal(metrics.filter((m) => m.name === 'aws.lambda.max_memory_used').length, 5);
  assert.equal(metrics.filter((m) => m.name === 'aws.lambda.init_duration').length, 1);
  const invokeDuration = metrics.filter((m) => m.name === 'faas.invoke_duration').at(-1)!;
  assert.equal(invokeDuration.unit, 's');
  assert.equal(invokeDuration.point.count, 5);
  assert.ok(receiver.requests.every((r) => r.encoding === 'protobuf' && !r.gzip));

  // logs: the function's one line, on the span of the invocation that wrote it
  const logs = receiver.logs().filter((l) => l.resource['faas.instance'] === resource['faas.instance']);
  assert.deepEqual(logs.map((l) => l.body), ['hello']);
  assert.equal(logs[0]!.traceId, servers.get('inv-1')!.traceId);
  assert.equal(logs[0]!.spanId, servers.get('inv-1')!.spanId);
  assert.equal(logs[0]!.attributes['faas.invocation_id'], 'inv-1');
  return { report, extension };
}

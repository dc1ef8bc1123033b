/**
 * Bad input to the local OTLP receiver of the running layer, sent by the function during an
 * invocation: each gets its OTLP/HTTP status with a google.rpc.Status body (decoded with
 * Google's status.proto), is counted in lambda_otel.relay.requests.refused, and leaves the
 * extension unharmed. And a receiver port already taken: init succeeds, one warning, the
 * invocations are still exported.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { startSandbox } from '../../src/sandbox/index.ts';
import { loadOtlpProtos, startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver } from '../support/otlp-receiver.ts';
import { EXTENSION, assertLayerBuilt, freePort, layerEnv, logLines, only } from './support.ts';

const MiB = 1024 * 1024;

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/** One raw request; the answer even when the server stops reading the body and closes first. */
function send(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string; chunked?: boolean }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers };
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    if (body !== undefined && options.chunked !== true) headers['content-length'] = String(body.length);
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    // A server that answers 413 and closes may reset the connection under the rest of the body.
    // Then the answer still counts when it arrived; a reset before it is an answer of status -1.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
      else setTimeout(() => resolve({ status: -1, contentType: '', body: Buffer.from(`no answer: ${error.code}`) }), 200);
    });
    if (body === undefined) req.end();
    else if (options.chunked === true) {
      for (let offset = 0; offset < body.length; offset += 64 * 1024) req.write(body.subarray(offset, offset + 64 * 1024));
      req.end();
    } else req.end(body);
  });
}

const PROTOBUF = { 'content-type': 'application/x-protobuf' };
const JSON_TYPE = { 'content-type': 'application/json' };

/** The bad requests, each with the status it must get. */
const BAD: ReadonlyArray<{ readonly name: string; readonly status: number; readonly grpcCode: number; readonly json?: boolean; readonly request: Parameters<typeof send>[1] }> = [
  { name: 'garbage protobuf', status: 400, grpcCode: 3, request: { path: '/v1/traces', headers: PROTOBUF, body: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]) } },
  { name: 'malformed JSON', status: 400, grpcCode: 3, json: true, request: { path: '/v1/logs', headers: JSON_TYPE, body: '{"resourceLogs": [' } },
  { name: 'JSON of the wrong shape', status: 400, grpcCode: 3, json: true, request: { path: '/v1/traces', headers: JSON_TYPE, body: '{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": 42}]}]}]}' } },
  { name: 'wrong content type', status: 415, grpcCode: 3, request: { path: '/v1/metrics', headers: { 'content-type': 'text/plain' }, body: 'hello' } },
  { name: 'unsupported encoding', status: 415, grpcCode: 3, request: { path: '/v1/traces', headers: { ...PROTOBUF, 'content-encoding': 'br' }, body: Buffer.alloc(10) } },
  { name: 'oversized body (declared)', status: 413, grpcCode: 8, request: { path: '/v1/traces', headers: PROTOBUF, body: randomBytes(5 * MiB) } },
  { name: 'oversized body (chunked)', status: 413, grpcCode: 8, request: { path: '/v1/logs', headers: PROTOBUF, body: randomBytes(5 * MiB), chunked: true } },
  { name: 'gzip bomb: 50 MiB of zeros', status: 413, grpcCode: 8, request: { path: '/v1/traces', headers: { ...PROTOBUF, 'content-encoding': 'gzip' }, body: gzipSync(Buffer.alloc(50 * MiB)) } },
  { name: 'wrong path', status: 404, grpcCode: 5, request: { path: '/v1/profiles', headers: PROTOBUF, body: Buffer.alloc(0) } },
  { name: 'GET', status: 405, grpcCode: 12, request: { method: 'GET', path: '/v1/traces' } },
];

/** A valid protobuf trace request: one SERVER span of the function for `requestId`. */
function validTraceRequest(requestId: string): Uint8Array {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  return loadOtlpProtos().encode('traces', {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw-client' } }] },
        scopeSpans: [
          {
            scope: { name: 'raw-client' },
            spans: [
              {
                traceId: randomBytes(16),
                spanId: randomBytes(8),
                name: 'handler',
                kind: 2,
                startTimeUnixNano: String(nowNs - 5_000_000n),
                endTimeUnixNano: String(nowNs),
                attributes: [{ key: 'faas.invocation_id', value: { stringValue: requestId } }],
              },
            ],
          },
        ],
      },
    ],
  });
}

const ownCounter = (backend: OtlpReceiver, functionName: string, name: string): number =>
  Math.max(0, ...backend.metrics().filter((m) => m.name === name && m.resource['faas.name'] === functionName).map((m) => m.point.value ?? 0));

describe('local OTLP receiver: bad input and a taken port', () => {
  let backend: OtlpReceiver;
  before(async () => {
    assertLayerBuilt();
    backend = await startOtlpReceiver();
  });
  after(() => backend.close());

  it('answers each bad request with its status and a google.rpc.Status, counts it, and goes on relaying', async () => {
    // Prepare
    const functionName = 'relay-input-fn';
    const port = await freePort();
    const protos = loadOtlpProtos();
    const sandbox = await startSandbox({ extensions: [EXTENSION], env: await layerEnv(backend, { LAMBDA_OTEL_RECEIVER: String(port), LAMBDA_OTEL_FLUSH: 'end' }), function: { name: functionName, timeoutMs: 20_000 } });
    const answers: Answer[] = [];
    let valid: Answer | null = null;

    // Act: the bad requests during one invocation, a valid one during the next.
    const first = await sandbox.invoke({
      handler: async () => {
        // The receiver listens within some 15 ms of the first INVOKE.
        await new Promise((resolve) => setTimeout(resolve, 100));
        for (const bad of BAD) answers.push(await send(port, bad.request));
      },
    });
    const second = await sandbox.invoke({
      handler: async ({ requestId }) => {
        valid = await send(port, { path: '/v1/traces', headers: PROTOBUF, body: Buffer.from(validTraceRequest(requestId)) });
      },
    });
    const report = await sandbox.shutdown({ shutdownMs: 4000 });

    // Assess
    const extension = only(report);
    assert.equal(extension.exit?.code, 0, extension.stderr);
    assert.deepEqual([first.handlerError, second.handlerError], [undefined, undefined]);
    for (const [index, bad] of BAD.entries()) {
      const answer = answers[index]!;
      assert.equal(answer.status, bad.status, `${bad.name}: ${answer.body.toString()}`);
      const status = bad.json === true ? (JSON.parse(answer.body.toString()) as { code?: number; message?: string }) : protos.decodeStatus(answer.body);
      assert.equal(answer.contentType, bad.json === true ? 'application/json' : 'application/x-protobuf', bad.name);
      assert.equal(status.code, bad.grpcCode, `${bad.name}: google.rpc.Status code`);
      assert.ok(typeof status.message === 'string' && status.message.length > 0, `${bad.name}: google.rpc.Status message`);
    }
    const answered = valid as Answer | null;
    assert.equal(answered?.status, 200);
    assert.deepEqual(protos.decodeResponse('traces', answered!.body), {}, 'a full success: no partial_success');
    // Unharmed: the valid span relayed once, under its invocation span, and both invocations exported.
    const relayed = backend.spans().filter((span) => span.scope.name === 'raw-client');
    assert.equal(relayed.length, 1);
    const ours = backend.spans().filter((span) => span.kind === 'SERVER' && span.scope.name !== 'raw-client' && span.resource['faas.name'] === functionName);
    assert.deepEqual(ours.map((span) => span.attributes['faas.invocation_id']).sort(), [first.requestId, second.requestId].sort());
    assert.equal(relayed[0]!.parentSpanId, ours.find((span) => span.attributes['faas.invocation_id'] === second.requestId)?.spanId);
    assert.equal(ownCounter(backend, functionName, 'lambda_otel.relay.requests.refused'), BAD.length);
    assert.equal(ownCounter(backend, functionName, 'lambda_otel.relay.spans.exported'), 1);
    assert.deepEqual(logLines(extension).filter((l) => l.level === 'warn' || l.level === 'error'), []);
  });

  it('port already taken: init succeeds, one warning, and the invocations are exported', async () => {
    const functionName = 'relay-port-taken-fn';
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const sandbox = await startSandbox({ extensions: [EXTENSION], env: await layerEnv(backend, { LAMBDA_OTEL_RECEIVER: String(port) }), function: { name: functionName } });
      const results = [await sandbox.invoke(), await sandbox.invoke({ tracing: true })];
      const report = await sandbox.shutdown();

      const extension = only(report);
      assert.equal(report.initFailure, null, extension.stderr);
      assert.equal(extension.exit?.code, 0);
      const warnings = logLines(extension).filter((l) => l.level === 'warn' || l.level === 'error');
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(String(warnings[0]!.msg), /^local OTLP receiver not started: the address is in use/);
      assert.equal(warnings[0]!.address, `127.0.0.1:${port}`);
      const exported = backend.spans().filter((span) => span.kind === 'SERVER' && span.resource['faas.name'] === functionName).map((span) => span.attributes['faas.invocation_id']);
      assert.deepEqual(exported.sort(), results.map((r) => r.requestId).sort());
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

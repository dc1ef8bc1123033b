import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ExtensionError } from '../../src/util/errors.ts';
import { LISTENER_PATH, MAX_BODY_BYTES, startListener } from '../../src/lambda/listener.ts';
import type { TelemetryListener } from '../../src/lambda/listener.ts';
import type { DecodeResult } from '../../src/telemetry/decode.ts';

interface Answer {
  readonly status: number;
  readonly body: string;
}

function post(port: number, path: string, body: string | Buffer, method = 'POST', headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const event = (i: number) => ({ time: '2024-05-01T10:00:00.000Z', type: 'function', record: `line ${i}` });

describe('telemetry listener', () => {
  const batches: Array<{ result: DecodeResult; bytes: number }> = [];
  let listener: TelemetryListener;

  before(async () => {
    listener = await startListener({ port: 0, onBatch: (result, bytes) => void batches.push({ result, bytes }) });
  });
  after(() => listener.close());

  it('binds 127.0.0.1 outside Lambda and subscribes with the sandbox host name', () => {
    assert.equal(listener.host, '127.0.0.1');
    assert.equal(listener.destinationUri, `http://sandbox.localdomain:${listener.port}${LISTENER_PATH}`);
  });

  it('accepts a POSTed array and hands over the decoded events', async () => {
    batches.length = 0;
    const body = JSON.stringify([event(1), event(2)]);
    const answer = await post(listener.port, LISTENER_PATH, body);
    assert.equal(answer.status, 200);
    assert.equal(batches.length, 1);
    assert.equal(batches[0]!.bytes, Buffer.byteLength(body));
    assert.deepEqual(batches[0]!.result.events.map((e) => e.record), ['line 1', 'line 2']);
  });

  it('holds its answer while onBatch\'s promise is pending (back-pressure), for a bounded time', async () => {
    let release: () => void = () => undefined;
    const held = await startListener({ port: 0, onBatch: () => new Promise<void>((resolve) => (release = resolve)) });
    try {
      let answered = false;
      const answer = post(held.port, LISTENER_PATH, JSON.stringify([event(1)])).then((a) => ((answered = true), a));
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(answered, false, 'no answer while the promise is pending');
      release();
      assert.equal((await answer).status, 200);

      const never = await startListener({ port: 0, onBatch: () => new Promise<void>(() => undefined) });
      try {
        // Answered although the promise never settles: the hold is bounded.
        assert.equal((await post(never.port, LISTENER_PATH, JSON.stringify([event(1)]))).status, 200);
      } finally {
        await never.close();
      }
    } finally {
      await held.close();
    }
  });

  it('keeps the valid events of a batch with invalid ones, and still answers 200', async () => {
    batches.length = 0;
    const answer = await post(listener.port, LISTENER_PATH, JSON.stringify([event(1), { type: 'function' }, 42, event(3)]));
    assert.equal(answer.status, 200);
    assert.equal(batches[0]!.result.events.length, 2);
    assert.deepEqual(batches[0]!.result.rejected.map((r) => r.index), [1, 2]);
  });

  it('answers 400 to a body that is not JSON or not an array', async () => {
    assert.equal((await post(listener.port, LISTENER_PATH, '{not json')).status, 400);
    assert.equal((await post(listener.port, LISTENER_PATH, '{"time":"x"}')).status, 400);
    assert.equal((await post(listener.port, LISTENER_PATH, '')).status, 400);
  });

  it('answers 405 to other methods and 404 to other paths', async () => {
    const get = await post(listener.port, LISTENER_PATH, '', 'GET');
    assert.equal(get.status, 405);
    assert.equal((await post(listener.port, LISTENER_PATH, '[]', 'PUT')).status, 405);
    assert.equal((await post(listener.port, '/', '[]')).status, 404);
    assert.equal((await post(listener.port, `${LISTENER_PATH}/x`, '[]')).status, 404);
  });

  it('accepts a maximum-size Lambda batch (1 MiB of events)', async () => {
    batches.length = 0;
    const line = 'x'.repeat(1000);
    const events = Array.from({ length: 1040 }, (_, i) => ({ ...event(i), record: line }));
    const body = JSON.stringify(events);
    assert.ok(Buffer.byteLength(body) > 1024 * 1024 && Buffer.byteLength(body) < MAX_BODY_BYTES);
    assert.equal((await post(listener.port, LISTENER_PATH, body)).status, 200);
    assert.equal(batches[0]!.result.events.length, 1040);
  });

  it('answers 413 to a 2 MiB body, by declared length and while streaming', async () => {
    batches.length = 0;
    const big = Buffer.alloc(2 * 1024 * 1024, 0x20);
    assert.equal((await post(listener.port, LISTENER_PATH, big)).status, 413);
    const chunked = await post(listener.port, LISTENER_PATH, big, 'POST', { 'Transfer-Encoding': 'chunked' });
    assert.equal(chunked.status, 413);
    assert.equal(batches.length, 0);
    assert.equal((await post(listener.port, LISTENER_PATH, '[]')).status, 200, 'the listener still serves afterwards');
  });

  it('reports a taken port as Extension.ListenerFailed', async () => {
    await assert.rejects(startListener({ port: listener.port, onBatch: () => {} }), (error: unknown) => {
      assert.ok(error instanceof ExtensionError);
      assert.equal(error.errorType, 'Extension.ListenerFailed');
      assert.match(error.message, /EADDRINUSE/);
      return true;
    });
  });

  it('with fallBackToFreePort, listens on a free port instead of a taken one, and says so once', async () => {
    const warnings: Array<{ msg: string; fields: Record<string, unknown> | undefined }> = [];
    const logger = { warn: (msg: string, fields?: Record<string, unknown>) => void warnings.push({ msg, fields }) };
    const received: DecodeResult[] = [];
    const fallback = await startListener({ port: listener.port, fallBackToFreePort: true, logger, onBatch: (result) => void received.push(result) });
    try {
      assert.notEqual(fallback.port, listener.port);
      assert.equal(fallback.destinationUri, `http://sandbox.localdomain:${fallback.port}${LISTENER_PATH}`);
      assert.deepEqual(warnings, [{ msg: `port ${listener.port} is in use; listening on ${fallback.port} instead`, fields: { taken: listener.port, port: fallback.port } }]);
      assert.equal((await post(fallback.port, LISTENER_PATH, JSON.stringify([event(1)]))).status, 200);
      assert.equal(received.length, 1);
    } finally {
      await fallback.close();
    }
  });
});

describe('resolveSandboxHost', () => {
  it('takes sandbox.localdomain from the hosts file when it is there, else falls back', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { resolveSandboxHost } = await import('../../src/lambda/listener.ts');
    const dir = mkdtempSync(join(tmpdir(), 'hosts-'));
    const hosts = join(dir, 'hosts');
    writeFileSync(hosts, '127.0.0.1 localhost\n# 10.0.0.9 sandbox.localdomain\n169.254.100.1\tsandbox.localdomain sandbox # the sandbox\n');
    assert.equal(await resolveSandboxHost(hosts), '169.254.100.1');
    writeFileSync(hosts, '127.0.0.1 localhost\n');
    assert.equal(await resolveSandboxHost(hosts), '127.0.0.1', 'not in the file and not resolvable here');
  });
});

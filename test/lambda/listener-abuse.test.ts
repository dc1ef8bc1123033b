/**
 * The telemetry listener under abuse, on real sockets: bodies that are not a JSON array,
 * oversized, slow, partial or lying about their length, wrong methods and paths, and many
 * clients at once. The listener answers each, never hands over a partial batch, keeps serving
 * the other clients meanwhile, and hands over every valid event exactly once. The ordinary
 * cases are in listener.test.ts.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LISTENER_PATH, MAX_BODY_BYTES, startListener } from '../../src/lambda/listener.ts';
import type { TelemetryListener } from '../../src/lambda/listener.ts';
import type { DecodeResult } from '../../src/telemetry/decode.ts';

const TIME = '2025-03-14T09:26:53.589Z';
/** How long a stalled client holds its connection before giving up. */
const STALL_MS = 150;
/** Upper bound on any one exchange here, far below the listener's own 60 s request timeout. */
const EXCHANGE_TIMEOUT_MS = 10_000;

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** A valid batch of `count` function log events whose records are `${tag}-${i}`. */
function batchOf(tag: string, count: number): { body: string; lines: string[] } {
  const lines = Array.from({ length: count }, (_, i) => `${tag}-${i}`);
  return { body: JSON.stringify(lines.map((record) => ({ time: TIME, type: 'function', record }))), lines };
}

/** A request through node:http (a fresh connection unless an agent is given). */
function send(
  port: number,
  body: string | Buffer,
  { method = 'POST', path = LISTENER_PATH, headers = {}, agent }: { method?: string; path?: string; headers?: Record<string, string>; agent?: Agent } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, agent: agent ?? false, headers: { 'Content-Type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.setTimeout(EXCHANGE_TIMEOUT_MS, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** A chunked POST written in pieces of `chunkBytes`; resolves with the answer (which may come before the last piece). */
function sendChunked(port: number, body: Buffer, chunkBytes: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: LISTENER_PATH, method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.setTimeout(EXCHANGE_TIMEOUT_MS, () => req.destroy(new Error('timed out')));
    // After a 413 the listener closes the connection: writes still in flight may then fail.
    req.on('error', (error) => reject(error));
    let offset = 0;
    const writeMore = (): void => {
      while (offset < body.length) {
        const piece = body.subarray(offset, offset + chunkBytes);
        offset += piece.length;
        if (!req.write(piece)) {
          req.once('drain', writeMore);
          return;
        }
      }
      req.end();
    };
    writeMore();
  });
}

/** A raw TCP client, for what node:http will not send: stalls, lies and half bodies. */
interface RawClient {
  readonly socket: Socket;
  /** Everything the listener sent, once it closed the connection (or we did). */
  readonly closed: Promise<string>;
  /** Resolves with the first complete answer (status line, headers and Content-Length body). */
  answer(): Promise<Answer>;
  write(data: string | Buffer): Promise<void>;
}

function rawClient(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const waiters: Array<() => void> = [];
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      for (const wake of waiters.splice(0)) wake();
    });
    // A reset from our own destroy() or the listener's close is expected here.
    socket.on('error', () => {});
    const closed = new Promise<string>((done) =>
      socket.on('close', () => {
        for (const wake of waiters.splice(0)) wake();
        done(received);
      }),
    );
    const timer = setTimeout(() => socket.destroy(), EXCHANGE_TIMEOUT_MS);
    timer.unref();
    socket.once('connect', () =>
      resolve({
        socket,
        closed,
        write: (data) => new Promise((done) => socket.write(data, () => done())),
        answer: async () => {
          for (;;) {
            const parsed = parseAnswer(received);
            if (parsed !== null) return parsed;
            if (socket.destroyed) return { status: 0, headers: {}, body: received };
            await new Promise<void>((wake) => waiters.push(wake));
          }
        },
      }),
    );
    socket.once('error', reject);
  });
}

/** Parses one HTTP answer from raw text, or null while it is incomplete. */
function parseAnswer(text: string): Answer | null {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = headers['content-length'] === undefined ? 0 : Number(headers['content-length']);
  if (text.length < end + 4 + length) return null;
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4, end + 4 + length) };
}

function head(extra: Record<string, string | number>, method = 'POST', path = LISTENER_PATH): string {
  const fields = Object.entries({ Host: '127.0.0.1', 'Content-Type': 'application/json', ...extra }).map(([k, v]) => `${k}: ${v}\r\n`);
  return `${method} ${path} HTTP/1.1\r\n${fields.join('')}\r\n`;
}

/** Resolves once the client's connection is closed, or after `ms` (a timer that does not hold the process). */
function closedWithin(client: RawClient, ms: number): Promise<void> {
  return Promise.race([client.closed.then(() => undefined), sleep(ms, undefined, { ref: false })]);
}

describe('telemetry listener under abuse', () => {
  const batches: Array<{ result: DecodeResult; bytes: number }> = [];
  /** Every event record handed over, across all tests, to check nothing arrives twice or in part. */
  const handed: string[] = [];
  /** Every record of every batch this file sent in full and saw accepted. */
  const accepted: string[] = [];
  let listener: TelemetryListener;

  before(async () => {
    listener = await startListener({
      port: 0,
      host: '127.0.0.1',
      onBatch: (result, bytes) => {
        batches.push({ result, bytes });
        for (const event of result.events) handed.push(String(event.record));
      },
    });
  });
  after(() => listener.close());

  /** POSTs a valid batch tagged `tag` and expects it accepted and handed over. */
  async function postValid(tag: string, count = 3): Promise<void> {
    const { body, lines } = batchOf(tag, count);
    const answer = await send(listener.port, body);
    assert.equal(answer.status, 200, `${tag}: ${answer.body}`);
    accepted.push(...lines);
    for (const line of lines) assert.ok(handed.includes(line), `${line} handed over`);
  }

  /** Records of batches handed over whose tag starts with `prefix`. */
  const handedWith = (prefix: string): string[] => handed.filter((r) => r.startsWith(prefix));

  describe('bodies that are not a JSON array', () => {
    const event = { time: TIME, type: 'function', record: 'one' };
    const cases: ReadonlyArray<readonly [name: string, body: string | Buffer, error: string]> = [
      ['plain text', 'OK', 'invalid-json'],
      ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x00, 0x5b, 0xc3, 0x28, 0x5d]), 'invalid-json'],
      ['a byte-order mark before the array', `\ufeff${JSON.stringify([event])}`, 'invalid-json'],
      ['an array cut short', JSON.stringify([event, event]).slice(0, -7), 'invalid-json'],
      ['newline-delimited events', `${JSON.stringify(event)}\n${JSON.stringify(event)}`, 'invalid-json'],
      ['one event object instead of an array', JSON.stringify(event), 'not-an-array'],
      ['an object wrapping the array', JSON.stringify({ events: [event] }), 'not-an-array'],
      ['a JSON string holding the array', JSON.stringify(JSON.stringify([event])), 'not-an-array'],
      ['null', 'null', 'not-an-array'],
    ];
    for (const [name, body, error] of cases) {
      it(`${name}: 400 with a JSON error, no event handed over, and the listener keeps serving`, async () => {
        const before = handed.length;
        const answer = await send(listener.port, body);
        assert.equal(answer.status, 400);
        assert.equal(typeof (JSON.parse(answer.body) as { error: unknown }).error, 'string');
        assert.equal(batches.at(-1)?.result.batchError, error);
        assert.equal(handed.length, before);
        await postValid(`after-${name}`);
      });
    }
  });

  describe('size cap', () => {
    /** A valid batch of exactly `bytes` bytes: events, then trailing whitespace JSON allows. */
    function batchOfSize(tag: string, bytes: number): { body: Buffer; lines: string[] } {
      const line = 'x'.repeat(1000);
      const count = Math.floor(bytes / 1100);
      const lines = Array.from({ length: count }, (_, i) => `${tag}-${i}-${line}`);
      const json = JSON.stringify(lines.map((record) => ({ time: TIME, type: 'function', record })));
      assert.ok(json.length <= bytes);
      return { body: Buffer.from(json.padEnd(bytes, ' ')), lines };
    }

    it('refuses a declared 2 MiB body with 413 before a single body byte is sent', async () => {
      const client = await rawClient(listener.port);
      await client.write(head({ 'Content-Length': 2 * 1024 * 1024 }));
      const answer = await client.answer();
      assert.equal(answer.status, 413);
      assert.equal(answer.headers.connection, 'close');
      await client.closed;
      await postValid('after-declared-2MiB');
    });

    it('refuses a 2 MiB chunked body with 413 while streaming, handing nothing over', async () => {
      const before = batches.length;
      const answer = await sendChunked(listener.port, Buffer.alloc(2 * 1024 * 1024, 0x20), 64 * 1024);
      assert.equal(answer.status, 413);
      assert.equal(batches.length, before);
      await postValid('after-chunked-2MiB');
    });

    it(`accepts a chunked body of exactly the cap (${MAX_BODY_BYTES} bytes) and refuses one byte more`, async () => {
      const exact = batchOfSize('cap-chunked', MAX_BODY_BYTES);
      assert.equal(exact.body.length, MAX_BODY_BYTES);
      const ok = await sendChunked(listener.port, exact.body, 50_000);
      assert.equal(ok.status, 200);
      assert.equal(batches.at(-1)?.bytes, MAX_BODY_BYTES);
      assert.deepEqual(handedWith('cap-chunked-'), exact.lines);
      accepted.push(...exact.lines);

      const over = batchOfSize('over-chunked', MAX_BODY_BYTES + 1);
      const before = batches.length;
      assert.equal((await sendChunked(listener.port, over.body, 50_000)).status, 413);
      assert.equal(batches.length, before);
      assert.deepEqual(handedWith('over-chunked-'), []);
    });

    it('accepts a Content-Length body of exactly the cap and refuses one byte more', async () => {
      const exact = batchOfSize('cap-length', MAX_BODY_BYTES);
      assert.equal((await send(listener.port, exact.body)).status, 200);
      assert.deepEqual(handedWith('cap-length-'), exact.lines);
      accepted.push(...exact.lines);

      const over = batchOfSize('over-length', MAX_BODY_BYTES + 1);
      assert.equal((await send(listener.port, over.body)).status, 413);
      assert.deepEqual(handedWith('over-length-'), []);
    });
  });

  describe('slow and partial bodies', () => {
    for (const how of ['ends', 'resets'] as const) {
      it(`a client that sends half a body, stalls and ${how === 'ends' ? 'closes' : 'resets'}: nothing handed over, others served meanwhile`, async () => {
        const { body } = batchOf(`half-${how}`, 20);
        const stalled = await rawClient(listener.port);
        await stalled.write(head({ 'Content-Length': Buffer.byteLength(body) }) + body.slice(0, body.length / 2));

        // Meanwhile other clients are served.
        await Promise.all([postValid(`beside-half-${how}-a`), postValid(`beside-half-${how}-b`)]);
        await sleep(STALL_MS);
        if (how === 'ends') stalled.socket.end();
        else stalled.socket.resetAndDestroy();
        await closedWithin(stalled, EXCHANGE_TIMEOUT_MS);

        await postValid(`after-half-${how}`);
        assert.deepEqual(handedWith(`half-${how}-`), []);
      });
    }

    it('a client that trickles a valid body byte by byte is answered 200 and handed over whole, once', async () => {
      const { body, lines } = batchOf('trickle', 4);
      const client = await rawClient(listener.port);
      const bytes = Buffer.from(head({ 'Content-Length': Buffer.byteLength(body), Connection: 'close' }) + body);
      const trickle = (async () => {
        // Headers too: one byte at a time, a pause every 8 bytes.
        for (let i = 0; i < bytes.length; i++) {
          await client.write(bytes.subarray(i, i + 1));
          if (i % 8 === 0) await sleep(1);
        }
      })();
      // Meanwhile other clients are served, and none sees the trickled batch early.
      for (let k = 0; k < 5; k++) {
        await postValid(`beside-trickle-${k}`);
        assert.deepEqual(handedWith('trickle-'), []);
      }
      await trickle;
      const answer = await client.answer();
      assert.equal(answer.status, 200);
      await client.closed;
      assert.deepEqual(handedWith('trickle-'), lines);
      accepted.push(...lines);
    });

    it('a chunked body that trickles and stops half way, then closes: nothing handed over', async () => {
      const { body } = batchOf('chunk-stall', 10);
      const client = await rawClient(listener.port);
      await client.write(head({ 'Transfer-Encoding': 'chunked' }));
      const half = body.slice(0, body.length / 2);
      for (let i = 0; i < half.length; i += 16) {
        const piece = half.slice(i, i + 16);
        await client.write(`${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`);
        await sleep(1);
      }
      await postValid('beside-chunk-stall');
      client.socket.end();
      await closedWithin(client, EXCHANGE_TIMEOUT_MS);
      await postValid('after-chunk-stall');
      assert.deepEqual(handedWith('chunk-stall-'), []);
    });
  });

  describe('lying or broken framing', () => {
    it('Content-Length larger than the body, then the client closes: no batch, and a 400 or nothing', async () => {
      const { body } = batchOf('short-body', 5);
      const client = await rawClient(listener.port);
      await client.write(head({ 'Content-Length': Buffer.byteLength(body) + 100 }) + body);
      await sleep(STALL_MS);
      client.socket.end();
      const received = await client.closed;
      assert.ok(received === '' || parseAnswer(received)?.status === 400, received);
      await postValid('after-short-body');
      assert.deepEqual(handedWith('short-body-'), []);
    });

    it('Content-Length smaller than the body: only the declared bytes are read, never more', async () => {
      const { body } = batchOf('long-body', 5);
      const client = await rawClient(listener.port);
      const before = batches.length;
      await client.write(head({ 'Content-Length': 40 }) + body);
      client.socket.end();
      await client.closed;
      // The 40 bytes are not a JSON array; the rest is no HTTP request.
      assert.ok(batches.slice(before).every((b) => b.result.events.length === 0 && b.bytes === 40));
      await postValid('after-long-body');
      assert.deepEqual(handedWith('long-body-'), []);
    });

    const broken: ReadonlyArray<readonly [string, Record<string, string | number>]> = [
      ['both Content-Length and Transfer-Encoding', { 'Content-Length': 2, 'Transfer-Encoding': 'chunked' }],
      ['a Content-Length that is not a number', { 'Content-Length': 'abc' }],
      ['a negative Content-Length', { 'Content-Length': -1 }],
    ];
    for (const [name, headers] of broken) {
      it(`${name}: 400, no batch`, async () => {
        const { body } = batchOf(`broken-${name}`, 2);
        const client = await rawClient(listener.port);
        await client.write(head(headers) + body);
        const answer = await client.answer();
        assert.equal(answer.status, 400);
        await closedWithin(client, EXCHANGE_TIMEOUT_MS);
        await postValid(`after-broken-${name}`);
        assert.deepEqual(handedWith(`broken-${name}-`), []);
      });
    }

    it('two different Content-Length headers: 400, no batch', async () => {
      const client = await rawClient(listener.port);
      await client.write(`POST ${LISTENER_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n[] `);
      assert.equal((await client.answer()).status, 400);
      await closedWithin(client, EXCHANGE_TIMEOUT_MS);
      await postValid('after-duplicate-length');
    });
  });

  describe('wrong methods and paths', () => {
    for (const method of ['GET', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH']) {
      it(`${method} ${LISTENER_PATH} with a valid batch: 405 with Allow: POST, nothing handed over`, async () => {
        const { body } = batchOf(`method-${method}`, 2);
        const answer = await send(listener.port, body, { method });
        assert.equal(answer.status, 405);
        assert.equal(answer.headers.allow, 'POST');
        assert.deepEqual(handedWith(`method-${method}-`), []);
      });
    }

    for (const path of ['/', '//telemetry', '/Telemetry', `${LISTENER_PATH}/`, `${LISTENER_PATH}.json`, '/telemetry%2F', '*']) {
      it(`POST ${path} with a valid batch: 404, nothing handed over`, async () => {
        const { body } = batchOf(`path-${path}`, 2);
        const answer = await send(listener.port, body, { path });
        assert.equal(answer.status, 404);
        assert.deepEqual(handedWith(`path-${path}-`), []);
      });
    }

    it('an absolute-form request target is not the listener path: 404', async () => {
      const client = await rawClient(listener.port);
      const { body } = batchOf('absolute', 2);
      await client.write(head({ 'Content-Length': Buffer.byteLength(body) }, 'POST', `http://127.0.0.1:${listener.port}${LISTENER_PATH}`) + body);
      assert.equal((await client.answer()).status, 404);
      client.socket.destroy();
      assert.deepEqual(handedWith('absolute-'), []);
    });

    it('a query string does not change the path: accepted', async () => {
      const { body, lines } = batchOf('query', 2);
      assert.equal((await send(listener.port, body, { path: `${LISTENER_PATH}?source=lambda` })).status, 200);
      assert.deepEqual(handedWith('query-'), lines);
      accepted.push(...lines);
    });

    it('a 1 MiB body sent to a wrong path or method is answered without being handed over', async () => {
      const big = Buffer.alloc(1024 * 1024, 0x20);
      assert.equal((await send(listener.port, big, { path: '/elsewhere' })).status, 404);
      assert.equal((await send(listener.port, big, { method: 'PUT' })).status, 405);
      await postValid('after-big-wrong');
    });
  });

  describe('load', () => {
    it('200 concurrent POSTs on separate connections: all 200, every event handed over exactly once', async () => {
      const sent = Array.from({ length: 200 }, (_, i) => batchOf(`parallel-${i}`, 5));
      const answers = await Promise.all(sent.map(({ body }) => send(listener.port, body)));
      assert.deepEqual(
        answers.map((a) => a.status),
        sent.map(() => 200),
      );
      const expected = sent.flatMap(({ lines }) => lines);
      assert.deepEqual(handedWith('parallel-').sort(), [...expected].sort());
      accepted.push(...expected);
    });

    it('200 POSTs over 8 kept-alive connections: all 200, every event handed over exactly once', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      try {
        const sent = Array.from({ length: 200 }, (_, i) => batchOf(`kept-alive-${i}`, 3));
        const answers = await Promise.all(sent.map(({ body }) => send(listener.port, body, { agent })));
        assert.ok(answers.every((a) => a.status === 200));
        const expected = sent.flatMap(({ lines }) => lines);
        assert.deepEqual(handedWith('kept-alive-').sort(), [...expected].sort());
        accepted.push(...expected);
      } finally {
        agent.destroy();
      }
    });

    it('valid and abusive clients at once: the valid batches all land, once', async () => {
      const valid = Array.from({ length: 50 }, (_, i) => batchOf(`mixed-${i}`, 2));
      const abusive = Array.from({ length: 30 }, async (_, i) => {
        const client = await rawClient(listener.port);
        const { body } = batchOf(`mixed-bad-${i}`, 4);
        await client.write(head({ 'Content-Length': Buffer.byteLength(body) }) + body.slice(0, i + 1));
        await sleep(i % 3 === 0 ? STALL_MS : 5);
        if (i % 2 === 0) client.socket.end();
        else client.socket.resetAndDestroy();
        await closedWithin(client, EXCHANGE_TIMEOUT_MS);
      });
      const [answers] = await Promise.all([Promise.all(valid.map(({ body }) => send(listener.port, body))), Promise.all(abusive)]);
      assert.ok(answers.every((a) => a.status === 200));
      const expected = valid.flatMap(({ lines }) => lines);
      assert.deepEqual(handedWith('mixed-').filter((r) => !r.startsWith('mixed-bad-')).sort(), [...expected].sort());
      assert.deepEqual(handedWith('mixed-bad-'), []);
      accepted.push(...expected);
    });
  });

  it('after all of it: still serving, and every accepted event was handed over exactly once, nothing else', async () => {
    await postValid('final');
    assert.deepEqual([...handed].sort(), [...accepted].sort());
  });
});

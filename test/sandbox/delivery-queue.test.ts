import assert from 'node:assert/strict';
import { Agent, createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createDeliveryQueue } from '../../src/sandbox/delivery-queue.ts';
import type { BatchOutcome, DeliveryQueueOptions } from '../../src/sandbox/delivery-queue.ts';
import { functionLogEvent, logsDroppedEvent } from '../../src/sandbox/event-factory.ts';
import type { TelemetryEvent } from '../../src/telemetry/events.ts';

interface Received {
  readonly atMs: number;
  readonly events: TelemetryEvent[];
}

describe('delivery queue', () => {
  const received: Received[] = [];
  let status = 200;
  let server: Server;
  let uri: URL;
  const agent = new Agent({ keepAlive: false });

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ atMs: performance.now(), events: JSON.parse(Buffer.concat(chunks).toString()) as TelemetryEvent[] });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    uri = new URL(`http://sandbox.localdomain:${(server.address() as AddressInfo).port}`);
  });
  after(() => {
    agent.destroy();
    server.close();
  });

  function queueWith(overrides: Partial<DeliveryQueueOptions>, outcomes: BatchOutcome[]) {
    return createDeliveryQueue({
      uri,
      buffering: { maxItems: 1000, maxBytes: 262144, timeoutMs: 25 },
      agent,
      requestTimeoutMs: 1000,
      maxQueuedBytes: 4 * 262144,
      makeDroppedEvent: logsDroppedEvent,
      onBatch: (outcome) => outcomes.push(outcome),
      onOverflow: () => undefined,
      ...overrides,
    });
  }

  async function until(predicate: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !predicate(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  it('holds events while paused and sends them timeoutMs after resuming', async () => {
    received.length = 0;
    const outcomes: BatchOutcome[] = [];
    const queue = queueWith({}, outcomes);
    queue.push(functionLogEvent('a'));
    queue.pause();
    queue.push(functionLogEvent('b'));
    await new Promise((resolve) => setTimeout(resolve, 80));
    const whilePaused = received.length;
    queue.resume();
    await until(() => outcomes.length === 1);
    queue.close();

    assert.equal(whilePaused, 0);
    assert.deepEqual(received[0]?.events.map((event) => event.record), ['a', 'b']);
    assert.deepEqual(outcomes[0] && [outcomes[0].ok, outcomes[0].events, outcomes[0].statusCode], [true, 2, 200]);
  });

  it('counts a rejected batch and prepends platform.logsDropped to a later one', async () => {
    received.length = 0;
    status = 503;
    const outcomes: BatchOutcome[] = [];
    const queue = queueWith({}, outcomes);
    queue.push(functionLogEvent('lost'));
    await until(() => outcomes.length === 1);
    status = 200;
    queue.push(functionLogEvent('kept'));
    await until(() => outcomes.length === 2);
    const undelivered = queue.close();

    assert.deepEqual(outcomes[0] && [outcomes[0].ok, outcomes[0].statusCode, outcomes[0].error], [false, 503, 'HTTP 503']);
    const second = received[1]?.events ?? [];
    assert.equal(second[0]?.type, 'platform.logsDropped');
    assert.ok(second[0]?.type === 'platform.logsDropped');
    assert.equal(second[0].record.droppedRecords, 1);
    assert.equal(second[1]?.record, 'kept');
    assert.equal(undelivered, 0);
  });

  it('fails a batch that gets no answer within requestTimeoutMs', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const outcomes: BatchOutcome[] = [];
    const port = (silent.address() as AddressInfo).port;
    const queue = queueWith({ uri: new URL(`http://sandbox.localdomain:${port}`), requestTimeoutMs: 100 }, outcomes);
    queue.push(functionLogEvent('slow'));
    await until(() => outcomes.length === 1);
    queue.close();
    silent.closeAllConnections();
    silent.close();

    assert.equal(outcomes[0]?.ok, false);
    assert.equal(outcomes[0]?.error, 'no answer within 100 ms');
  });

  it('fails a batch on a connection error', async () => {
    const outcomes: BatchOutcome[] = [];
    const queue = queueWith({ uri: new URL('http://sandbox.localdomain:1') }, outcomes);
    queue.push(functionLogEvent('nowhere'));
    await until(() => outcomes.length === 1);
    queue.close();

    assert.equal(outcomes[0]?.ok, false);
    assert.equal(outcomes[0]?.statusCode, null);
    assert.equal(outcomes[0]?.error, 'ECONNREFUSED');
  });
});

/**
 * createBackendHealth(): which export results make a signal failing, when a failing signal may
 * be tried again (backoff, Retry-After from a real HTTP response), per signal; and
 * parseRetryAfterMs(). The clock is the `now` option; fake exporters answer with results shaped
 * like the OTLP exporters'.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { INITIAL_BACKOFF_MS, MAX_BACKOFF_MS, MAX_RETRY_AFTER_MS, createBackendHealth, parseRetryAfterMs } from '../../src/otel/backend-health.ts';
import type { BackendHealth, Signal } from '../../src/otel/backend-health.ts';

const SUCCESS: ExportResult = { code: ExportResultCode.SUCCESS };
/** What the OTLP HTTP transport reports when nothing listens: the socket error, its code a string. */
const REFUSED: ExportResult = { code: ExportResultCode.FAILED, error: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4318'), { code: 'ECONNREFUSED' }) };
/** What the OTLP exporters report for an HTTP error status: an OTLPExporterError, its code a number. */
const status = (code: number): ExportResult => ({
  code: ExportResultCode.FAILED,
  error: Object.assign(new Error(`Unexpected status ${code}`), { name: 'OTLPExporterError', code, data: '' }),
});
const TIMEOUT: ExportResult = { code: ExportResultCode.FAILED, error: new Error('Request timed out') };
/** Refused by the exporter itself before anything was sent. */
const LOCAL: ExportResult = { code: ExportResultCode.FAILED, error: new Error('Concurrent export limit reached') };

let clock = 0;
const changes: Array<[Signal, boolean]> = [];
let health: BackendHealth;

/** An exporter of one signal, watched by `health`, that answers each export with `result`. */
function watched(signal: Signal) {
  let answer: ExportResult = SUCCESS;
  const exporter = health.watch(signal, {
    export(_data: never, resultCallback: (result: ExportResult) => void) {
      resultCallback(answer);
    },
  });
  return (result: ExportResult): ExportResult => {
    answer = result;
    let seen: ExportResult | null = null;
    exporter.export(undefined as never, (r) => (seen = r));
    assert.equal(seen, result, 'the caller gets the result unchanged');
    return result;
  };
}

describe('backend health', () => {
  beforeEach(() => {
    clock = 1_000_000;
    changes.length = 0;
    health = createBackendHealth({ now: () => clock, onChange: (signal, failing) => changes.push([signal, failing]) });
  });
  afterEach(() => health.close());

  it('is healthy and due before any export', () => {
    assert.equal(health.failing(), false);
    assert.equal(health.attemptDue(), true);
  });

  for (const [name, result] of [
    ['connection refused', REFUSED],
    ['a timeout', TIMEOUT],
    ['503', status(503)],
    ['502', status(502)],
    ['429', status(429)],
  ] as const) {
    it(`fails on ${name}, not due until the first backoff has passed, healthy on the next success`, () => {
      const traces = watched('traces');
      traces(result);
      assert.equal(health.failing(), true);
      assert.equal(health.attemptDue(), false);
      clock += INITIAL_BACKOFF_MS - 1;
      assert.equal(health.attemptDue(), false);
      clock += 1;
      assert.equal(health.attemptDue(), true);
      assert.equal(health.failing(), true, 'due again, but failing until an export passes');
      traces(SUCCESS);
      assert.equal(health.failing(), false);
      assert.equal(health.attemptDue(), true);
      assert.deepEqual(changes, [
        ['traces', true],
        ['traces', false],
      ]);
    });
  }

  it('counts a 4xx as healthy: the backend answered, only the batch was wrong', () => {
    const traces = watched('traces');
    traces(status(400));
    assert.equal(health.failing(), false);
    traces(REFUSED);
    traces(status(413));
    assert.equal(health.failing(), false, 'a 4xx also ends a failure');
    assert.equal(health.attemptDue(), true);
    assert.deepEqual(changes, [
      ['traces', true],
      ['traces', false],
    ]);
  });

  it('ignores failures of the exporter itself: they say nothing about the backend', () => {
    const traces = watched('traces');
    traces(LOCAL);
    assert.equal(health.failing(), false);
    traces(REFUSED);
    clock += INITIAL_BACKOFF_MS;
    traces(LOCAL);
    assert.equal(health.failing(), true);
    assert.equal(health.attemptDue(), true, 'the backoff did not grow either');
  });

  it('doubles the backoff from 1 s on each failure in a row, up to 60 s', () => {
    const traces = watched('traces');
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      traces(status(503));
      const failedAtMs = clock;
      while (!health.attemptDue()) clock += 1000;
      delays.push(clock - failedAtMs);
    }
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16_000, 32_000, MAX_BACKOFF_MS, MAX_BACKOFF_MS, MAX_BACKOFF_MS]);
  });

  it('starts the backoff from 1 s again after a success', () => {
    const traces = watched('traces');
    for (let i = 0; i < 5; i++) {
      traces(REFUSED);
      clock += MAX_BACKOFF_MS;
    }
    traces(SUCCESS);
    traces(REFUSED);
    clock += INITIAL_BACKOFF_MS - 1;
    assert.equal(health.attemptDue(), false);
    clock += 1;
    assert.equal(health.attemptDue(), true);
  });

  it('keeps one state per signal', () => {
    const traces = watched('traces');
    const metrics = watched('metrics');
    const logs = watched('logs');
    traces(REFUSED);
    clock += 500;
    logs(status(503));
    logs(status(503)); // a second failure in a row: logs is due 2 s after it
    metrics(SUCCESS);
    assert.equal(health.failing(), true, "metrics' success does not end the traces' failure");
    clock += 499;
    assert.equal(health.attemptDue(), false);
    clock += 1;
    assert.equal(health.attemptDue(), true, 'traces is due, though logs is not');
    traces(SUCCESS);
    assert.equal(health.failing(), true, 'logs still fails');
    assert.equal(health.attemptDue(), false);
    clock += 1500;
    assert.equal(health.attemptDue(), true);
    logs(SUCCESS);
    assert.equal(health.failing(), false);
    assert.deepEqual(changes, [
      ['traces', true],
      ['logs', true],
      ['traces', false],
      ['logs', false],
    ]);
  });
});

describe('backend health: Retry-After from the HTTP response', () => {
  let server: Server;
  let port: number;
  /** Status and Retry-After the server answers with. */
  let answer: { statusCode: number; retryAfter?: string } = { statusCode: 429, retryAfter: '7' };

  beforeEach(async () => {
    clock = 1_000_000;
    changes.length = 0;
    health = createBackendHealth({ now: () => clock });
    answer = { statusCode: 429, retryAfter: '7' };
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(answer.statusCode, answer.retryAfter === undefined ? {} : { 'retry-after': answer.retryAfter });
        res.end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    health.close();
    server.close();
    await once(server, 'close');
  });

  /** One OTLP-like POST with node:http; resolves with the status once the response ended. */
  async function post(path: string): Promise<number> {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, headers: { 'content-type': 'application/x-protobuf' }, agent: false });
    req.end(Buffer.from([0x0a, 0x00]));
    const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
    res.resume();
    await once(res, 'end');
    return res.statusCode ?? 0;
  }

  it('holds the signal of the request until its Retry-After, not the 1 s backoff', async () => {
    const traces = watched('traces');
    assert.equal(await post('/v1/traces'), 429);
    traces(status(429));
    clock += INITIAL_BACKOFF_MS;
    assert.equal(health.attemptDue(), false, 'the backoff alone would allow it now');
    clock += 7000 - INITIAL_BACKOFF_MS - 1;
    assert.equal(health.attemptDue(), false);
    clock += 1;
    assert.equal(health.attemptDue(), true, '7 s after the response');
  });

  it('honours Retry-After on a 503 too, and only for the signal of the request path', async () => {
    answer = { statusCode: 503, retryAfter: '7' };
    const traces = watched('traces');
    const metrics = watched('metrics');
    assert.equal(await post('/otlp/v1/metrics'), 503);
    traces(status(503));
    metrics(status(503));
    traces(SUCCESS);
    clock += INITIAL_BACKOFF_MS;
    assert.equal(health.attemptDue(), false, 'metrics waits for its Retry-After');
    metrics(status(503)); // cannot bring it forward either
    traces(status(503));
    assert.equal(health.attemptDue(), false);
    clock += INITIAL_BACKOFF_MS;
    assert.equal(health.attemptDue(), true, 'traces, without a Retry-After, is due after its backoff');
  });

  it('caps a long Retry-After at MAX_RETRY_AFTER_MS', async () => {
    answer = { statusCode: 429, retryAfter: '86400' };
    const traces = watched('traces');
    await post('/v1/traces');
    traces(status(429));
    clock += MAX_RETRY_AFTER_MS - 1;
    assert.equal(health.attemptDue(), false);
    clock += 1;
    assert.equal(health.attemptDue(), true);
  });

  it('forgets a Retry-After once the signal takes an export again', async () => {
    answer = { statusCode: 429, retryAfter: '300' };
    const traces = watched('traces');
    await post('/v1/traces');
    traces(status(429));
    clock += 10_000;
    traces(SUCCESS); // a full batch exported by itself, Retry-After or not
    clock += 10_000;
    traces(REFUSED);
    clock += INITIAL_BACKOFF_MS;
    assert.equal(health.attemptDue(), true, 'a new failure backs off 1 s, not until the old Retry-After');
  });

  it('ignores Retry-After on other statuses', async () => {
    answer = { statusCode: 500, retryAfter: '7' };
    const traces = watched('traces');
    await post('/v1/traces');
    traces(status(500));
    clock += INITIAL_BACKOFF_MS;
    assert.equal(health.attemptDue(), true);
  });

  it('stops reading responses once closed: a later 429 changes nothing', async () => {
    const traces = watched('traces');
    health.close();
    assert.equal(await post('/v1/traces'), 429);
    traces(status(429));
    clock += INITIAL_BACKOFF_MS;
    assert.equal(health.attemptDue(), true, 'only the backoff holds it');
  });
});

describe('parseRetryAfterMs', () => {
  const NOW_MS = Date.parse('2026-03-01T10:00:00.000Z');
  const cases: ReadonlyArray<[string, string | string[] | undefined, number | null]> = [
    ['delay-seconds', '7', 7000],
    ['zero seconds', '0', 0],
    ['seconds with spaces around', ' 120 ', 120_000],
    ['an HTTP date', 'Sun, 01 Mar 2026 10:00:30 GMT', 30_000],
    ['an HTTP date in the past', 'Sun, 01 Mar 2026 09:00:00 GMT', 0],
    ['the first of repeated headers', ['3', '9'], 3000],
    ['no header', undefined, null],
    ['an empty header', '', null],
    ['a word', 'soon', null],
    ['seconds with a unit', '7s', null],
    ['an HTTP date with garbage', 'Sun, 99 Foo 2026 10:00:30 GMT', null],
    // Date.parse reads each of these as a date (2001, 2030): not delay-seconds, not an HTTP date.
    ['fractional seconds', '1.5', null],
    ['negative seconds', '-5', null],
    ['a word and a year', 'later 2030', null],
    ['a bare year-like list', '7, 8', null],
    ['the obsolete RFC 850 date', 'Sunday, 01-Mar-26 10:00:30 GMT', 30_000],
  ];
  for (const [name, header, expected] of cases) {
    it(`${name}: ${JSON.stringify(header)} -> ${expected}`, () => {
      assert.equal(parseRetryAfterMs(header, NOW_MS), expected);
    });
  }
});

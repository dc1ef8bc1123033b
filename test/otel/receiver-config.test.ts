import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadOtelConfig } from '../../src/otel/config.ts';
import { parseReceiver, signalsExportingTo } from '../../src/otel/receiver-config.ts';
import { Unparsable } from '../../src/util/env-reader.ts';

const config = (env: Record<string, string>) => loadOtelConfig({ env, problems: [] });

describe('LAMBDA_OTEL_RECEIVER', () => {
  it('defaults to 127.0.0.1:4318 with the join on', () => {
    const c = config({});
    assert.deepEqual(c.receiver, { host: '127.0.0.1', port: 4318 });
    assert.equal(c.relayJoinTraces, true);
  });

  it('takes off, a port, or a loopback host:port', () => {
    assert.equal(parseReceiver('off'), null);
    assert.equal(parseReceiver(' FALSE '), null);
    assert.deepEqual(parseReceiver('4319'), { host: '127.0.0.1', port: 4319 });
    assert.deepEqual(parseReceiver('localhost:4320'), { host: '127.0.0.1', port: 4320 });
    assert.deepEqual(parseReceiver('[::1]:4318'), { host: '::1', port: 4318 });
    assert.deepEqual(parseReceiver('127.0.0.2:4318'), { host: '127.0.0.2', port: 4318 });
  });

  it('refuses anything not loopback, and bad ports, failing init with the reason', () => {
    for (const bad of ['0.0.0.0:4318', '10.0.0.1:4318', 'example.com:4318']) {
      const parsed = parseReceiver(bad);
      assert.ok(parsed instanceof Unparsable && parsed.problem.includes('loopback'), bad);
    }
    for (const bad of ['70000', 'abc', '127.0.0.1:']) assert.ok(parseReceiver(bad) instanceof Unparsable, bad);
    assert.throws(() => config({ LAMBDA_OTEL_RECEIVER: '0.0.0.0:4318' }), /LAMBDA_OTEL_RECEIVER/);
    assert.throws(() => config({ LAMBDA_OTEL_RELAY_JOIN_TRACES: 'perhaps' }), /LAMBDA_OTEL_RELAY_JOIN_TRACES/);
    assert.equal(config({ LAMBDA_OTEL_RELAY_JOIN_TRACES: 'false' }).relayJoinTraces, false);
  });
});

describe('signalsExportingTo', () => {
  const receiver = { host: '127.0.0.1', port: 4318 };
  it('no endpoint: the exporters default to localhost:4318, the receiver itself', () => {
    assert.deepEqual(signalsExportingTo(receiver, {}), ['TRACES', 'METRICS', 'LOGS']);
  });
  it('a backend elsewhere, or another port, does not loop', () => {
    assert.deepEqual(signalsExportingTo(receiver, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example:4318' }), []);
    assert.deepEqual(signalsExportingTo(receiver, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4319' }), []);
  });
  it('per signal, and for every loopback spelling', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://[::1]:4318/v1/logs' };
    assert.deepEqual(signalsExportingTo(receiver, env), ['LOGS']);
    assert.deepEqual(signalsExportingTo({ host: '127.0.0.1', port: 80 }, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost' }), ['TRACES', 'METRICS', 'LOGS']);
  });
});

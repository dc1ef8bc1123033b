import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULTS, loadConfig, loadOtelConfig } from '../src/config.ts';
import { ExtensionError } from '../src/errors.ts';

const BASE = { AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001' };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(BASE);
    assert.equal(config.runtimeApi, '127.0.0.1:9001');
    assert.equal(config.listenerPort, DEFAULTS.listenerPort);
    assert.equal(config.listenerPortExplicit, false);
    assert.deepEqual(config.telemetryTypes, ['platform', 'function']);
    assert.deepEqual(config.buffering, { maxItems: 1000, maxBytes: 262144, timeoutMs: 25 });
    assert.equal(config.schemaVersion, '2022-12-13');
    assert.equal(config.logLevel, 'warn');
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ...BASE,
      LAMBDA_OTEL_LISTENER_PORT: '4999',
      LAMBDA_OTEL_TELEMETRY_TYPES: ' platform , extension ',
      LAMBDA_OTEL_BUFFER_MAX_ITEMS: '10000',
      LAMBDA_OTEL_BUFFER_MAX_BYTES: '1048576',
      LAMBDA_OTEL_BUFFER_TIMEOUT_MS: '30000',
      LAMBDA_OTEL_SCHEMA_VERSION: '2025-01-29',
      LAMBDA_OTEL_LOG_LEVEL: 'DEBUG',
    });
    assert.equal(config.listenerPort, 4999);
    assert.equal(config.listenerPortExplicit, true);
    assert.deepEqual(config.telemetryTypes, ['platform', 'extension']);
    assert.deepEqual(config.buffering, { maxItems: 10000, maxBytes: 1048576, timeoutMs: 30000 });
    assert.equal(config.schemaVersion, '2025-01-29');
    assert.equal(config.logLevel, 'debug');
  });

  it('lets options given in code override the environment', () => {
    const config = loadConfig({ ...BASE, LAMBDA_OTEL_LISTENER_PORT: '4999' }, { listenerPort: 5000, buffering: { timeoutMs: 100 } });
    assert.equal(config.listenerPort, 5000);
    assert.equal(config.listenerPortExplicit, true);
    assert.equal(loadConfig(BASE, { listenerPort: DEFAULTS.listenerPort }).listenerPortExplicit, true, 'the default port, chosen in code');
    assert.deepEqual(config.buffering, { maxItems: 1000, maxBytes: 262144, timeoutMs: 100 });
  });

  const invalid: Array<[string, Record<string, string>, RegExp]> = [
    ['runtime API missing', {}, /AWS_LAMBDA_RUNTIME_API: must be host:port/],
    ['port not a number', { ...BASE, LAMBDA_OTEL_LISTENER_PORT: 'http' }, /LAMBDA_OTEL_LISTENER_PORT: must be a whole number \(got "http"\)/],
    ['port out of range', { ...BASE, LAMBDA_OTEL_LISTENER_PORT: '70000' }, /LAMBDA_OTEL_LISTENER_PORT: must be between 1 and 65535/],
    ['maxItems below the limit', { ...BASE, LAMBDA_OTEL_BUFFER_MAX_ITEMS: '999' }, /LAMBDA_OTEL_BUFFER_MAX_ITEMS: must be between 1000 and 10000 \(got 999\)/],
    ['maxBytes above the limit', { ...BASE, LAMBDA_OTEL_BUFFER_MAX_BYTES: '1048577' }, /LAMBDA_OTEL_BUFFER_MAX_BYTES: must be between 262144 and 1048576/],
    ['timeoutMs below the limit', { ...BASE, LAMBDA_OTEL_BUFFER_TIMEOUT_MS: '24' }, /LAMBDA_OTEL_BUFFER_TIMEOUT_MS: must be between 25 and 30000/],
    ['timeoutMs negative', { ...BASE, LAMBDA_OTEL_BUFFER_TIMEOUT_MS: '-5' }, /LAMBDA_OTEL_BUFFER_TIMEOUT_MS: must be a whole number/],
    ['unknown telemetry type', { ...BASE, LAMBDA_OTEL_TELEMETRY_TYPES: 'platform,logs' }, /unknown type\(s\) logs/],
    ['no telemetry type', { ...BASE, LAMBDA_OTEL_TELEMETRY_TYPES: ' , ' }, /must name at least one/],
    ['unknown schema', { ...BASE, LAMBDA_OTEL_SCHEMA_VERSION: '2023-01-01' }, /LAMBDA_OTEL_SCHEMA_VERSION: must be one of/],
    ['unknown log level', { ...BASE, LAMBDA_OTEL_LOG_LEVEL: 'trace' }, /LAMBDA_OTEL_LOG_LEVEL: must be one of debug, info, warn, error/],
  ];
  for (const [name, env, message] of invalid) {
    it(`refuses ${name} as Extension.ConfigInvalid`, () => {
      assert.throws(() => loadConfig(env), (error: unknown) => {
        assert.ok(error instanceof ExtensionError);
        assert.equal(error.errorType, 'Extension.ConfigInvalid');
        assert.match(error.message, message);
        return true;
      });
    });
  }

  it('names every problem at once, not only the first', () => {
    assert.throws(
      () => loadConfig({ ...BASE, LAMBDA_OTEL_LISTENER_PORT: '0', LAMBDA_OTEL_BUFFER_MAX_ITEMS: '1' }),
      /LAMBDA_OTEL_LISTENER_PORT.*LAMBDA_OTEL_BUFFER_MAX_ITEMS/,
    );
  });
});

describe('loadOtelConfig', () => {
  it('reports the problems found among the OTEL_* variables with its own, in one error', () => {
    assert.throws(
      () => loadOtelConfig({ env: { LAMBDA_OTEL_FLUSH: 'sometimes' }, problems: ['LAMBDA_OTEL_EXPORTER_OTLP_PROTOCOL: must be http/protobuf or http/json (got "grpc")'] }),
      (error: unknown) => {
        assert.ok(error instanceof ExtensionError);
        assert.equal(error.errorType, 'Extension.ConfigInvalid');
        assert.match(error.message, /LAMBDA_OTEL_EXPORTER_OTLP_PROTOCOL: must be .*; LAMBDA_OTEL_FLUSH: must be adaptive/);
        return true;
      },
    );
  });

  it("takes each signal's protocol from its own variable, else the general one", () => {
    const config = loadOtelConfig({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf' }, problems: [] });
    assert.deepEqual([config.tracesProtocol, config.metricsProtocol, config.logsProtocol], ['http/json', 'http/protobuf', 'http/json']);
  });
});

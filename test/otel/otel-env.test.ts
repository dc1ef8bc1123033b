import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ENV, loadOtelConfig } from '../../src/config.ts';
import { ExtensionError } from '../../src/errors.ts';
import { applyOtelEnv, OTEL_ENV_NAMES, OWN_PREFIX, resolveOtelEnv } from '../../src/otel/otel-env.ts';

type Env = Record<string, string>;

const E = 'OTEL_EXPORTER_OTLP_';
const SIGNALS = ['TRACES', 'METRICS', 'LOGS'] as const;

/** The resolved standard variables of `env`, only those set. */
function resolved(env: Env): Record<string, string> {
  const { env: out } = resolveOtelEnv(env);
  return Object.fromEntries(OTEL_ENV_NAMES.flatMap((name) => (out[name] === undefined ? [] : [[name, out[name]!]])));
}

/** Each signal's protocol, as the pipeline gets it. */
function protocols(env: Env): string[] {
  const config = loadOtelConfig(resolveOtelEnv(env));
  return [config.tracesProtocol, config.metricsProtocol, config.logsProtocol];
}

const messages = (env: Env, level: 'info' | 'warn'): string[] => resolveOtelEnv(env).notices.filter((n) => n.level === level).map((n) => n.msg);

describe('resolveOtelEnv: shared variables and the extension\'s own LAMBDA_ ones', () => {
  it('without LAMBDA_ variables, goes by the shared ones (trimmed), silently', () => {
    const env = { [`${E}ENDPOINT`]: ' https://otlp.example.com ', [`${E}HEADERS`]: 'x-api-key=k', OTEL_SERVICE_NAME: 'orders', AWS_REGION: 'eu-west-1' };
    const otel = resolveOtelEnv(env);
    assert.deepEqual(resolved(env), { [`${E}ENDPOINT`]: 'https://otlp.example.com', [`${E}HEADERS`]: 'x-api-key=k', OTEL_SERVICE_NAME: 'orders' });
    assert.equal(otel.env.AWS_REGION, 'eu-west-1', 'other variables are kept');
    assert.deepEqual([otel.notices, otel.problems], [[], []]);
  });

  it('a LAMBDA_ resource variable replaces the shared one, not merged with it', () => {
    const env = { OTEL_SERVICE_NAME: 'fn', LAMBDA_OTEL_SERVICE_NAME: 'ext', OTEL_RESOURCE_ATTRIBUTES: 'team=fn', LAMBDA_OTEL_RESOURCE_ATTRIBUTES: 'team=ext' };
    assert.deepEqual(resolved(env), { OTEL_SERVICE_NAME: 'ext', OTEL_RESOURCE_ATTRIBUTES: 'team=ext' });
    assert.equal(loadOtelConfig(resolveOtelEnv(env)).serviceName, 'ext');
  });

  it('a blank LAMBDA_ variable counts as unset', () => {
    assert.deepEqual(resolved({ OTEL_SERVICE_NAME: 'fn', LAMBDA_OTEL_SERVICE_NAME: '  ', [`${E}ENDPOINT`]: 'http://a:4318', [`LAMBDA_${E}ENDPOINT`]: '' }), {
      OTEL_SERVICE_NAME: 'fn',
      [`${E}ENDPOINT`]: 'http://a:4318',
    });
  });

  // Rule 2 (no own endpoint): per setting, any LAMBDA_ variable of it sets aside every shared one of it.
  const perSetting: Array<[string, Env, Record<string, string>]> = [
    ['shared general and per-signal: both, per signal wins in the SDK', { [`${E}TIMEOUT`]: '5000', [`${E}TRACES_TIMEOUT`]: '2000' }, { [`${E}TIMEOUT`]: '5000', [`${E}TRACES_TIMEOUT`]: '2000' }],
    ['own general sets aside a shared per-signal', { [`${E}TRACES_TIMEOUT`]: '2000', [`LAMBDA_${E}TIMEOUT`]: '3000' }, { [`${E}TIMEOUT`]: '3000' }],
    ['own per-signal sets aside the shared general (other signals: default)', { [`${E}TIMEOUT`]: '5000', [`LAMBDA_${E}METRICS_TIMEOUT`]: '3000' }, { [`${E}METRICS_TIMEOUT`]: '3000' }],
    ['own general and per-signal: both', { [`${E}TIMEOUT`]: '5000', [`LAMBDA_${E}TIMEOUT`]: '3000', [`LAMBDA_${E}LOGS_TIMEOUT`]: '1000' }, { [`${E}TIMEOUT`]: '3000', [`${E}LOGS_TIMEOUT`]: '1000' }],
    ['other settings stay shared', { [`${E}ENDPOINT`]: 'http://a:4318', [`${E}HEADERS`]: 'k=v', [`LAMBDA_${E}COMPRESSION`]: 'gzip', [`${E}COMPRESSION`]: 'none' }, { [`${E}ENDPOINT`]: 'http://a:4318', [`${E}HEADERS`]: 'k=v', [`${E}COMPRESSION`]: 'gzip' }],
    ['own headers set aside the shared ones, the shared endpoint stays', { [`${E}ENDPOINT`]: 'http://a:4318', [`${E}TRACES_HEADERS`]: 'fn=1', [`LAMBDA_${E}HEADERS`]: 'ext=1' }, { [`${E}ENDPOINT`]: 'http://a:4318', [`${E}HEADERS`]: 'ext=1' }],
  ];
  for (const [name, env, expected] of perSetting) {
    it(`per setting: ${name}`, () => {
      assert.deepEqual(resolved(env), expected);
      assert.deepEqual(resolveOtelEnv(env).notices, []);
    });
  }

  // Rule 1: an own endpoint (general or per signal) sets aside every shared OTEL_EXPORTER_OTLP_* variable.
  const ownEndpoint: Array<[string, Env, Record<string, string>]> = [
    ['own general endpoint sets aside a shared per-signal one', { [`${E}TRACES_ENDPOINT`]: 'http://fn:4318/v1/traces', [`LAMBDA_${E}ENDPOINT`]: 'http://ext:4318' }, { [`${E}ENDPOINT`]: 'http://ext:4318' }],
    ['own per-signal endpoint sets aside the shared general one (other signals: default)', { [`${E}ENDPOINT`]: 'http://fn:4318', [`LAMBDA_${E}TRACES_ENDPOINT`]: 'http://ext:4318/v1/traces' }, { [`${E}TRACES_ENDPOINT`]: 'http://ext:4318/v1/traces' }],
    ['own general and per-signal endpoints: both', { [`LAMBDA_${E}ENDPOINT`]: 'http://ext:4318', [`LAMBDA_${E}LOGS_ENDPOINT`]: 'http://logs:4318/v1/logs' }, { [`${E}ENDPOINT`]: 'http://ext:4318', [`${E}LOGS_ENDPOINT`]: 'http://logs:4318/v1/logs' }],
  ];
  for (const [name, env, expected] of ownEndpoint) {
    it(`own endpoint: ${name}`, () => assert.deepEqual(resolved(env), expected));
  }

  it('own endpoint: none of the function\'s export variables is used, its resource ones are; one info line names them, no values', () => {
    const shared: Env = {
      [`${E}ENDPOINT`]: 'http://user:s3cret@fn:4317',
      [`${E}PROTOCOL`]: 'grpc',
      [`${E}HEADERS`]: 'x-api-key=fn-s3cret',
      [`${E}TRACES_HEADERS`]: 'x-trace-key=fn-s3cret',
      [`${E}COMPRESSION`]: 'gzip',
      [`${E}TIMEOUT`]: 'bogus',
      [`${E}CERTIFICATE`]: '/var/task/ca.pem',
      [`${E}CLIENT_CERTIFICATE`]: '/var/task/cert.pem',
      [`${E}CLIENT_KEY`]: '/var/task/key.pem',
      [`${E}METRICS_TEMPORALITY_PREFERENCE`]: 'delta',
      OTEL_SERVICE_NAME: 'orders',
      OTEL_RESOURCE_ATTRIBUTES: 'team=payments',
    };
    const env = { ...shared, [`LAMBDA_${E}ENDPOINT`]: 'https://ext.example.com', [`LAMBDA_${E}HEADERS`]: 'x-ext-key=ext' };
    assert.deepEqual(resolved(env), {
      [`${E}ENDPOINT`]: 'https://ext.example.com',
      [`${E}HEADERS`]: 'x-ext-key=ext',
      OTEL_SERVICE_NAME: 'orders',
      OTEL_RESOURCE_ATTRIBUTES: 'team=payments',
    });
    const otel = resolveOtelEnv(env);
    assert.deepEqual(otel.problems, []);
    assert.deepEqual(messages(env, 'warn'), [], 'set-aside values are not checked');
    const [info, ...more] = messages(env, 'info');
    assert.deepEqual(more, []);
    assert.match(info!, /^the extension exports to its own endpoint \(LAMBDA_OTEL_EXPORTER_OTLP_ENDPOINT\): the function's OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TRACES_HEADERS, .*OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE are not used$/);
    assert.doesNotMatch(info!, /s3cret|ext\.example|\/var\/task/);
  });

  it('keeps our own LAMBDA_OTEL_* variables apart: no LAMBDA_ form of a standard name is one of them', () => {
    const ours = new Set<string>([...Object.values(ENV), 'LAMBDA_OTEL_NODE_OPTIONS']);
    assert.deepEqual(OTEL_ENV_NAMES.map((name) => OWN_PREFIX + name).filter((name) => ours.has(name)), []);
    // The SDK pieces in use read no OTEL_LOG_LEVEL: LAMBDA_OTEL_LOG_LEVEL stays the extension's log level only.
    assert.ok(!OTEL_ENV_NAMES.includes('OTEL_LOG_LEVEL'));
    assert.equal(resolveOtelEnv({ LAMBDA_OTEL_LOG_LEVEL: 'debug' }).env.OTEL_LOG_LEVEL, undefined);
  });
});

describe('resolveOtelEnv: each signal\'s protocol', () => {
  const cases: Array<[string, Env, string[]]> = [
    ['default', {}, ['http/protobuf', 'http/protobuf', 'http/protobuf']],
    ['shared general', { [`${E}PROTOCOL`]: 'http/json' }, ['http/json', 'http/json', 'http/json']],
    ['shared per-signal over shared general', { [`${E}PROTOCOL`]: 'http/json', [`${E}METRICS_PROTOCOL`]: 'http/protobuf' }, ['http/json', 'http/protobuf', 'http/json']],
    ['own general sets aside a shared per-signal', { [`${E}TRACES_PROTOCOL`]: 'http/protobuf', [`LAMBDA_${E}PROTOCOL`]: 'http/json' }, ['http/json', 'http/json', 'http/json']],
    ['own per-signal sets aside the shared general', { [`${E}PROTOCOL`]: 'http/json', [`LAMBDA_${E}LOGS_PROTOCOL`]: 'http/json' }, ['http/protobuf', 'http/protobuf', 'http/json']],
    ['own per-signal over own general', { [`LAMBDA_${E}PROTOCOL`]: 'http/json', [`LAMBDA_${E}TRACES_PROTOCOL`]: 'http/protobuf' }, ['http/protobuf', 'http/json', 'http/json']],
    ['shared grpc: http/protobuf', { [`${E}PROTOCOL`]: 'grpc' }, ['http/protobuf', 'http/protobuf', 'http/protobuf']],
    ['shared per-signal grpc: that signal falls back to the shared general', { [`${E}PROTOCOL`]: 'http/json', [`${E}LOGS_PROTOCOL`]: 'grpc' }, ['http/json', 'http/json', 'http/json']],
    ['shared grpc with an own endpoint: set aside', { [`${E}PROTOCOL`]: 'grpc', [`LAMBDA_${E}ENDPOINT`]: 'http://ext:4318' }, ['http/protobuf', 'http/protobuf', 'http/protobuf']],
    ['shared grpc, own protocol', { [`${E}PROTOCOL`]: 'grpc', [`LAMBDA_${E}PROTOCOL`]: 'http/json' }, ['http/json', 'http/json', 'http/json']],
  ];
  for (const [name, env, expected] of cases) {
    it(name, () => assert.deepEqual(protocols(env), expected));
  }

  it('shared grpc: one warn line naming the LAMBDA_ variables to set, and no problem', () => {
    const env = { [`${E}PROTOCOL`]: 'grpc', [`${E}ENDPOINT`]: 'http://collector:4317' };
    assert.deepEqual(resolveOtelEnv(env).problems, []);
    assert.deepEqual(messages(env, 'warn'), [
      "OTEL_EXPORTER_OTLP_PROTOCOL=grpc is the function's (this extension exports OTLP/HTTP only): exporting http/protobuf to the same endpoint, " +
        "which fails if it serves gRPC only (port 4317); set LAMBDA_OTEL_EXPORTER_OTLP_ENDPOINT and LAMBDA_OTEL_EXPORTER_OTLP_PROTOCOL to choose the extension's own",
    ]);
    assert.equal(resolved(env)[`${E}ENDPOINT`], 'http://collector:4317', 'the shared endpoint is kept');
  });

  it('shared per-signal grpc: its line says what that signal exports instead', () => {
    const [line, ...more] = messages({ [`${E}PROTOCOL`]: 'http/json', [`${E}TRACES_PROTOCOL`]: 'grpc' }, 'warn');
    assert.deepEqual(more, []);
    assert.match(line!, /^OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc is the function's .*: exporting http\/json to the same endpoint/);
  });

  it('shared grpc in the general and per-signal variables: one line each, whatever the signals', () => {
    const env = Object.fromEntries([`${E}PROTOCOL`, ...SIGNALS.map((s) => `${E}${s}_PROTOCOL`)].map((name) => [name, 'grpc']));
    assert.deepEqual(
      messages(env, 'warn').map((line) => line.split('=')[0]),
      [`${E}PROTOCOL`, ...SIGNALS.map((s) => `${E}${s}_PROTOCOL`)],
    );
  });
});

describe('resolveOtelEnv: invalid values', () => {
  /** The Extension.ConfigInvalid message of `env`, or '' when it is valid. */
  function failure(env: Env): string {
    try {
      loadOtelConfig(resolveOtelEnv(env));
    } catch (error) {
      assert.ok(error instanceof ExtensionError);
      assert.equal(error.errorType, 'Extension.ConfigInvalid');
      return error.message;
    }
    return '';
  }

  const bad: Array<[string, string, RegExp]> = [
    ['PROTOCOL', 'grpc', /must be http\/protobuf or http\/json \(got "grpc"; this extension exports over OTLP\/HTTP only, usually on port 4318\)/],
    ['TRACES_PROTOCOL', 'http', /must be http\/protobuf or http\/json \(got "http"\)/],
    ['ENDPOINT', 'localhost:4317', /must be an http:\/\/ or https:\/\/ URL/],
    ['LOGS_ENDPOINT', 'grpc://collector:4317', /must be an http:\/\/ or https:\/\/ URL/],
    ['COMPRESSION', 'brotli', /must be one of gzip, none \(got "brotli"\)/],
    ['METRICS_TIMEOUT', '1.5', /must be a whole number \(got "1.5"\)/],
    ['TIMEOUT', '0', /must be between 1 and 600000 \(got 0\)/],
    ['METRICS_TEMPORALITY_PREFERENCE', 'sometimes', /must be one of cumulative, delta, lowmemory \(got "sometimes"\)/],
  ];
  for (const [setting, value, reason] of bad) {
    const name = `${E}${setting}`;
    it(`LAMBDA_${name}=${value} fails init (Extension.ConfigInvalid); shared, it is one warn line and left out`, () => {
      const own = failure({ [`LAMBDA_${name}`]: value });
      assert.match(own, new RegExp(`LAMBDA_${name}: ${reason.source}`));
      assert.equal(own.match(new RegExp(`${name}:`, 'g'))?.length, 1, 'named once');

      const shared = { [name]: value };
      assert.equal(failure(shared), '', 'a shared value never fails init');
      const lines = messages(shared, 'warn');
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, new RegExp(`^${name}(=grpc)? is the function's`));
      assert.match(lines[0]!, new RegExp(`LAMBDA_OTEL_EXPORTER_OTLP_${setting.endsWith('PROTOCOL') && value === 'grpc' ? 'ENDPOINT' : setting}`));
      assert.equal(resolved(shared)[name], undefined, 'left out');
    });
  }

  it('an unusable shared per-signal value falls back to the shared general one', () => {
    assert.deepEqual(resolved({ [`${E}TIMEOUT`]: '5000', [`${E}TRACES_TIMEOUT`]: '5s' }), { [`${E}TIMEOUT`]: '5000' });
  });

  it('names every problem in one error: the LAMBDA_ ones with our own settings\'', () => {
    const message = failure({ [`LAMBDA_${E}PROTOCOL`]: 'grpc', [`LAMBDA_${E}ENDPOINT`]: 'localhost:4317', LAMBDA_OTEL_FLUSH: 'sometimes', [`${E}TIMEOUT`]: 'x' });
    assert.deepEqual([...message.matchAll(/\b([A-Z][A-Z_]+): /g)].map((m) => m[1]).sort(), [`LAMBDA_${E}ENDPOINT`, `LAMBDA_${E}PROTOCOL`, 'LAMBDA_OTEL_FLUSH']);
  });

  it('never echoes an endpoint, own or shared, nor a header', () => {
    const env = { [`${E}ENDPOINT`]: 'user:s3cret@collector:4317', [`LAMBDA_${E}TRACES_ENDPOINT`]: 'ftp://user:s3cret@host', [`${E}HEADERS`]: 'k=s3cret' };
    const otel = resolveOtelEnv({ ...env, [`LAMBDA_${E}TRACES_ENDPOINT`]: '' });
    assert.equal(otel.notices.length, 1);
    assert.doesNotMatch(otel.notices[0]!.msg, /s3cret|collector/);
    assert.doesNotMatch(failure(env), /s3cret/);
  });
});

describe('applyOtelEnv', () => {
  it('sets the resolved values and removes the standard variables set aside, leaving the rest', () => {
    const target: Record<string, string | undefined> = { [`${E}ENDPOINT`]: 'http://fn:4317', [`${E}PROTOCOL`]: 'grpc', LAMBDA_OTEL_FLUSH: 'end', PATH: '/bin' };
    applyOtelEnv(resolveOtelEnv({ ...target, [`LAMBDA_${E}ENDPOINT`]: 'http://ext:4318' }), target);
    assert.deepEqual(target, { [`${E}ENDPOINT`]: 'http://ext:4318', LAMBDA_OTEL_FLUSH: 'end', PATH: '/bin' });
  });
});

describe('OTEL_ENV_NAMES', () => {
  // The OpenTelemetry packages installed, as bundled into the layer: every OTEL_* variable named
  // in their code (template names expanded per signal), semantic-convention values excepted.
  function namesInSdk(): Set<string> {
    const root = fileURLToPath(new URL('../../node_modules/@opentelemetry/', import.meta.url));
    const names = new Set<string>();
    for (const pkg of readdirSync(root)) {
      if (pkg === 'api' || pkg === 'semantic-conventions') continue;
      const dist = join(root, pkg, 'dist');
      for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.mjs')) continue;
        for (const [match] of readFileSync(join(dist, file), 'utf8').matchAll(/(?<![A-Z0-9_])OTEL_[A-Z0-9_]*(?:\$\{\w+\}[A-Z0-9_]*)?/g)) {
          if (match.includes('_VALUE_')) continue;
          for (const name of match.includes('${') ? SIGNALS.map((s) => match.replace(/\$\{\w+\}/, s)) : [match]) names.add(name);
        }
      }
    }
    return names;
  }

  it('names every variable the OpenTelemetry SDK pieces read; beyond them only the protocols, which the extension reads', () => {
    const sdk = namesInSdk();
    assert.deepEqual([...sdk].filter((name) => !OTEL_ENV_NAMES.includes(name)), []);
    assert.deepEqual(
      OTEL_ENV_NAMES.filter((name) => !sdk.has(name)),
      [`${E}PROTOCOL`, ...SIGNALS.map((s) => `${E}${s}_PROTOCOL`)],
    );
  });
});

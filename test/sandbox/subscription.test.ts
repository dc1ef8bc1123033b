import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SCHEMA_VERSIONS } from '../../src/telemetry/constants.ts';
import { DEFAULT_BUFFERING, validateSubscription } from '../../src/sandbox/subscription.ts';

const VALID = {
  schemaVersion: '2022-12-13',
  destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain:4243/path' },
  types: ['platform'],
};

const INVALID: ReadonlyArray<readonly [string, unknown, RegExp]> = [
  ['not an object', [], /JSON object/],
  ['missing schemaVersion', { ...VALID, schemaVersion: undefined }, /schemaVersion is invalid/],
  ['unknown schemaVersion', { ...VALID, schemaVersion: '2030-01-01' }, /schemaVersion is invalid/],
  ['missing destination', { ...VALID, destination: undefined }, /destination must be an object/],
  ['TCP destination', { ...VALID, destination: { protocol: 'TCP', URI: 'sandbox.localdomain:4243' } }, /TCP is not supported by this sandbox/],
  ['unknown protocol', { ...VALID, destination: { protocol: 'UDP', URI: 'x' } }, /protocol must be HTTP or TCP/],
  ['URI not a string', { ...VALID, destination: { protocol: 'HTTP', URI: 42 } }, /URI must be a string/],
  ['URI not a URI', { ...VALID, destination: { protocol: 'HTTP', URI: 'nope' } }, /not a valid URI/],
  ['https URI', { ...VALID, destination: { protocol: 'HTTP', URI: 'https://sandbox.localdomain:4243' } }, /must use http/],
  ['other host', { ...VALID, destination: { protocol: 'HTTP', URI: 'http://127.0.0.1:4243' } }, /host must be sandbox\.localdomain/],
  ['no port', { ...VALID, destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain' } }, /must include a port/],
  ['types missing', { ...VALID, types: undefined }, /types must be a non-empty array/],
  ['types empty', { ...VALID, types: [] }, /types must be a non-empty array/],
  ['unknown type', { ...VALID, types: ['platform', 'metrics'] }, /invalid value: "metrics"/],
  ['buffering not an object', { ...VALID, buffering: 5 }, /buffering must be an object/],
  ['maxItems too small', { ...VALID, buffering: { maxItems: 999 } }, /maxItems must be between 1000 and 10000/],
  ['maxItems too large', { ...VALID, buffering: { maxItems: 10001 } }, /maxItems must be between/],
  ['maxBytes too small', { ...VALID, buffering: { maxBytes: 262143 } }, /maxBytes must be between 262144 and 1048576/],
  ['maxBytes too large', { ...VALID, buffering: { maxBytes: 1048577 } }, /maxBytes must be between/],
  ['timeoutMs too small', { ...VALID, buffering: { timeoutMs: 24 } }, /timeoutMs must be between 25 and 30000/],
  ['timeoutMs too large', { ...VALID, buffering: { timeoutMs: 30001 } }, /timeoutMs must be between/],
  ['timeoutMs not an integer', { ...VALID, buffering: { timeoutMs: 100.5 } }, /timeoutMs must be an integer/],
  ['maxItems a string', { ...VALID, buffering: { maxItems: '1000' } }, /maxItems must be an integer/],
];

describe('validateSubscription', () => {
  for (const [name, body, message] of INVALID) {
    it(`rejects ${name}`, () => {
      const check = validateSubscription(body, SCHEMA_VERSIONS);
      assert.equal(check.ok, false);
      assert.ok(!check.ok);
      assert.equal(check.errorType, 'ValidationError');
      assert.match(check.errorMessage, message);
    });
  }

  it('accepts a valid body and applies the buffering defaults', () => {
    const check = validateSubscription({ ...VALID, types: ['platform', 'function', 'platform'] }, SCHEMA_VERSIONS);
    assert.ok(check.ok);
    assert.equal(check.subscription.uri.href, 'http://sandbox.localdomain:4243/path');
    assert.deepEqual(check.subscription.types, ['platform', 'function']);
    assert.deepEqual(check.subscription.buffering, DEFAULT_BUFFERING);
  });

  it('accepts buffering at the limits and an explicit port 80', () => {
    const check = validateSubscription(
      {
        ...VALID,
        destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain:80' },
        buffering: { maxItems: 10000, maxBytes: 262144, timeoutMs: 25 },
      },
      SCHEMA_VERSIONS,
    );
    assert.ok(check.ok);
    assert.deepEqual(check.subscription.buffering, { maxItems: 10000, maxBytes: 262144, timeoutMs: 25 });
  });

  it('refuses a known schema version that the sandbox is told not to support', () => {
    const check = validateSubscription(VALID, ['2025-01-29']);
    assert.ok(!check.ok);
    assert.match(check.errorMessage, /2022-12-13 is not supported/);
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { runScenario } from '../../src/sandbox/index.ts';
import { fixture, readRecords, tempDir } from './helpers.ts';

const VALID = {
  schemaVersion: '2022-12-13',
  destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain:4243' },
  types: ['platform', 'function'],
};

describe('PUT /2022-07-01/telemetry', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('validates subscriptions like Lambda and records every attempt', async () => {
    const probe = dir.file('probe.json');
    const bodies = [
      { ...VALID, destination: { protocol: 'HTTP', URI: 'http://localhost:4243' } },
      { ...VALID, destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain/' } },
      { ...VALID, destination: { protocol: 'TCP', URI: 'http://sandbox.localdomain:4243' } },
      { ...VALID, buffering: { maxItems: 999 } },
      { ...VALID, buffering: { timeoutMs: 30001 } },
      { ...VALID, types: [] },
      { ...VALID, schemaVersion: '2020-01-01' },
      { ...VALID, buffering: { maxItems: 1000, maxBytes: 262144, timeoutMs: 25 } },
    ];
    const report = await runScenario({
      extensions: [fixture('probe-extension.mjs')],
      env: { PROBE_FILE: probe, PROBE_SUBSCRIPTIONS: JSON.stringify(bodies) },
      scenario: { invocations: [], shutdown: { shutdownMs: 1000 } },
    });

    const answers = JSON.parse(readFileSync(probe, 'utf8')) as Array<{ status: number; body: unknown }>;
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [400, 400, 400, 400, 400, 400, 400, 200],
    );
    for (const answer of answers.slice(0, 7)) {
      assert.equal((answer.body as { errorType: string }).errorType, 'ValidationError');
      assert.equal(typeof (answer.body as { errorMessage: string }).errorMessage, 'string');
    }
    assert.match((answers[2]?.body as { errorMessage: string }).errorMessage, /not supported by this sandbox/);
    assert.equal(answers[7]?.body, 'OK');
    const ext = report.extensions[0];
    assert.equal(ext?.subscribeAttempts.length, 8);
    assert.deepEqual(ext?.subscribeAttempts[3]?.body, bodies[3]);
    assert.equal(ext?.subscribeAttempts[3]?.errorType, 'ValidationError');
    assert.deepEqual(ext?.subscription?.body, bodies[7]);
    assert.equal(ext?.subscription?.statusCode, 200);
    assert.equal(ext?.exit?.code, 0);
  });

  it('refuses an unsupported schema version so the extension can retry with another', async () => {
    const record = dir.file('retry.jsonl');
    const report = await runScenario({
      extensions: [fixture('recording-extension.mjs')],
      env: { RECORD_FILE: record, RECORD_SCHEMA_VERSIONS: '2022-12-13,2025-01-29' },
      telemetryApi: { supportedSchemaVersions: ['2025-01-29'] },
      scenario: { invocations: [{ durationMs: 10 }], shutdown: { shutdownMs: 1000 } },
    });

    const attempts = report.extensions[0]?.subscribeAttempts ?? [];
    assert.deepEqual(
      attempts.map((attempt) => [attempt.statusCode, attempt.errorType]),
      [
        [400, 'ValidationError'],
        [200, null],
      ],
    );
    assert.equal(report.extensions[0]?.subscription?.schemaVersion, '2025-01-29');
    assert.ok(readRecords(record).some((line) => line.kind === 'batch'));
  });

  it('answers a configured refusal, e.g. 403 Telemetry.AccessDenied', async () => {
    const record = dir.file('refused.jsonl');
    const report = await runScenario({
      extensions: [fixture('recording-extension.mjs')],
      env: { RECORD_FILE: record, RECORD_DRAIN_MS: '50' },
      telemetryApi: { refuse: { statusCode: 403, errorType: 'Telemetry.AccessDenied', errorMessage: 'no telemetry here' } },
      scenario: { invocations: [{ durationMs: 10 }], shutdown: { shutdownMs: 1000 } },
    });

    const subscribe = readRecords(record).find((line) => line.kind === 'subscribe');
    assert.equal(subscribe?.status, 403);
    assert.equal(report.extensions[0]?.subscription, null);
    assert.equal(report.extensions[0]?.subscribeAttempts[0]?.errorType, 'Telemetry.AccessDenied');
  });
});

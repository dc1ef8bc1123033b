/**
 * decode() over the shared corpus of real Telemetry API bodies (../shared/fixtures/telemetry,
 * read in place, never copied). Every event must be accepted and decode without losing a field
 * of the schema (none is dropped as malformed), except the items listed below. Skipped when the folder is absent (a fresh
 * clone of this repository).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decode } from '../../src/telemetry/decode.ts';
import type { RejectReason } from '../../src/telemetry/decode.ts';
import { REPO_ROOT, plain, withoutPaths } from './support.ts';

const CORPUS = join(REPO_ROOT, '..', 'shared', 'fixtures', 'telemetry');

interface InvalidItem {
  readonly file: string;
  readonly index: number;
  readonly reason: RejectReason;
}

/**
 * Items that are invalid by the documented schema, so must be rejected (and with this reason:
 * an entry that stops matching fails, so the list cannot go stale).
 */
const INVALID_BY_SCHEMA: readonly InvalidItem[] = [
  // opentelemetry-lambda receiver edge case: `time` and `type` both empty; time is checked first.
  { file: 'otel-lambda-receiver-test-2.json', index: 0, reason: 'invalid-time' },
  // opentelemetry-lambda receiver edge case: a platform.initStart with an empty `time`.
  { file: 'otel-lambda-receiver-test-3.json', index: 0, reason: 'invalid-time' },
  // opentelemetry-lambda receiver edge case: platform.initRuntimeDone with an empty record;
  // `status` is required for initRuntimeDone.
  { file: 'otel-lambda-receiver-test-4.json', index: 1, reason: 'invalid-record' },
];

interface UnknownField {
  readonly file: string;
  readonly index: number;
  /** Dot path of a field outside the schema, which the decoder drops on purpose. */
  readonly path: string;
}

/** Fields that are not in the documented schema: absent from the decoded event. */
const NOT_IN_SCHEMA: readonly UnknownField[] = [
  // opentelemetry-lambda receiver edge case: an unknown record field on platform.initStart.
  { file: 'otel-lambda-receiver-test-1.json', index: 0, path: 'record.foo' },
];

test('decode accepts every event of the shared corpus', async (t) => {
  if (!existsSync(CORPUS)) {
    t.skip(`${CORPUS} not found: corpus not checked`);
    return;
  }
  const files = readdirSync(CORPUS).filter((name) => name.endsWith('.json')).sort();
  assert.ok(files.length > 0, `no *.json in ${CORPUS}`);

  await t.test('every listed item names a file and an index that exist', () => {
    for (const { file, index } of [...INVALID_BY_SCHEMA, ...NOT_IN_SCHEMA]) {
      assert.ok(files.includes(file), `${file} is listed but not in the corpus`);
      const items = JSON.parse(readFileSync(join(CORPUS, file), 'utf8')) as unknown[];
      assert.ok(index < items.length, `${file}[${index}] does not exist`);
    }
  });

  for (const file of files) {
    await t.test(file, () => {
      // Prepare
      const bytes = readFileSync(join(CORPUS, file));
      const items = JSON.parse(bytes.toString('utf8')) as unknown[];
      const invalid = INVALID_BY_SCHEMA.filter((e) => e.file === file);

      // Act
      const result = decode(bytes);

      // Assess: rejections are exactly the listed ones.
      assert.equal(result.batchError, null);
      assert.deepEqual(
        result.rejected.map(({ index, reason, detail }) => ({ index, reason, detail })),
        invalid.map(({ index, reason }) => ({
          index,
          reason,
          detail: result.rejected.find((r) => r.index === index)?.detail ?? '(not rejected)',
        })),
      );

      // Assess: no field of the schema is malformed, so none is dropped.
      assert.deepEqual(result.dropped, []);

      // Assess: the others decode in order, equal to the input minus fields outside the schema.
      const rejectedAt = new Set(result.rejected.map((r) => r.index));
      const expected = items
        .map((item, index) => ({ item, index }))
        .filter(({ index }) => !rejectedAt.has(index))
        .map(({ item, index }) =>
          withoutPaths(item, NOT_IN_SCHEMA.filter((u) => u.file === file && u.index === index).map((u) => u.path)),
        );
      assert.deepEqual(plain(result.events), expected);
    });
  }
});

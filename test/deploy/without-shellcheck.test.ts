/**
 * A fresh machine has only what the README lists, and shellcheck is not on that list: the
 * deploy tests must pass there, saying which check they skipped and why.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const TEST_FILE = fileURLToPath(new URL('./publish-layer.test.ts', import.meta.url));

it('publish-layer.test.ts passes without shellcheck and names the skipped check', () => {
  const env: Record<string, string | undefined> = { ...process.env, SHELLCHECK: '/nonexistent/shellcheck' };
  // Set by the runner for its own children; a nested run would otherwise report to it.
  delete env.NODE_TEST_CONTEXT;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', TEST_FILE], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /passes shellcheck .*# \/nonexistent\/shellcheck is not installed/);
  assert.match(result.stdout, /skipped 1\b/);
  assert.match(result.stdout, /fail 0\b/);
});

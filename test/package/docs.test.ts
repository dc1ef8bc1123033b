/** The API reference builds, and every public name is documented (TypeDoc, warnings as errors). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

it('npm run docs: every export has TSDoc, no broken links', () => {
  const result = spawnSync(process.execPath, [`${ROOT}node_modules/typedoc/bin/typedoc`, '--emit', 'none'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
});

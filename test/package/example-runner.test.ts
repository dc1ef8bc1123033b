/** `npm run example -- <name>`: a name that is not an example is refused before anything is built. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

it('npm run example refuses an unknown name, naming the examples, without building', () => {
  const result = spawnSync('npm', ['run', '-s', 'example', '--', 'no-such-example'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 2, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stderr, /no example "no-such-example"; usage: npm run example -- <forward-report-metrics\|log-every-event>/);
  assert.doesNotMatch(result.stdout, /built /, 'nothing is built for a name that does not exist');
});

/**
 * The README's `npm run sandbox` commands for the built layer, run as written (through bash and
 * npm, with no OTEL_* variable set): they must run clean, with no export left unanswered and
 * nothing lost.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ROOT, assertLayerBuilt } from './support.ts';

/** Every `npm run sandbox -- --extension dist/layer/...` command of the README's sh blocks, continuations joined. */
function readmeSandboxCommands(): string[] {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!.replace(/ *\\\n */g, ' '));
  return blocks.flatMap((block) => block.split('\n')).filter((line) => line.startsWith('npm run sandbox -- --extension dist/layer/'));
}

describe('README sandbox commands', () => {
  const commands = readmeSandboxCommands();

  it('are there to check', () => {
    assert.ok(commands.length >= 2, `found ${JSON.stringify(commands)}`);
  });

  for (const command of commands) {
    it(`run clean: ${command}`, () => {
      assertLayerBuilt();
      const result = spawnSync('bash', ['-c', command], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? ROOT },
        encoding: 'utf8',
        timeout: 60_000,
      });
      const output = `${result.stdout}\n${result.stderr}`;
      assert.equal(result.status, 0, output);
      assert.match(result.stdout, /^result {8}OK$/m, output);
      assert.match(result.stdout, /^otlp sink {5}[1-9]\d* exports answered and discarded/m, output);
      assert.doesNotMatch(output, /telemetry lost|still unanswered/, output);
      // The warnings allowed: a default port (the listener's, the local OTLP receiver's) was taken on this machine.
      const warnings = output
        .split('\n')
        .filter((line) => /"level":"(warn|error)"/.test(line) && !/"msg":"(port \d+ is in use; listening on \d+ instead|local OTLP receiver not started: the address is in use[^"]*)"/.test(line));
      assert.deepEqual(warnings, []);
    });
  }
});

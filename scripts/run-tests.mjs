#!/usr/bin/env node
// Runs node's test runner over every *.test.ts below the given folders (default: test/).
// Node 20's runner has no glob support, so the file list is built here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(path, out) {
  if (statSync(path).isFile()) {
    if (path.endsWith('.test.ts')) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path).sort()) {
    // The collector and load suites have their own commands (npm run test:collector / test:load).
    if (entry === 'node_modules' || entry === 'fixtures' || (roots.length === 0 && ['collector', 'load'].some((suite) => join(path, entry) === join('test', suite)))) continue;
    collect(join(path, entry), out);
  }
  return out;
}

const roots = process.argv.slice(2);
const files = (roots.length > 0 ? roots : ['test']).flatMap((root) => collect(root, []));
if (files.length === 0) {
  console.error('run-tests: no *.test.ts files found');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);

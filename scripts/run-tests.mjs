#!/usr/bin/env node
// Runs node's test runner over every *.test.ts below the given folders (default: test/).
// Node 20's runner has no glob support, so the file list is built here.
// `--layer-node <major>` puts that pinned official Node.js binary first on PATH: the built layer
// (and every extension the tests start) then runs on the node Lambda runs, while the test runner
// stays on this machine's node.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { ensureNode } from './node-binaries.mjs';

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

const args = process.argv.slice(2);
const layerNodeAt = args.indexOf('--layer-node');
const env = { ...process.env };
if (layerNodeAt !== -1) {
  const [, major] = args.splice(layerNodeAt, 2);
  const node = ensureNode(Number(major));
  env.PATH = `${dirname(node)}${delimiter}${env.PATH ?? ''}`;
  console.log(`run-tests: the layer runs on ${node}`);
}
const roots = args;
const files = (roots.length > 0 ? roots : ['test']).flatMap((root) => collect(root, []));
if (files.length === 0) {
  console.error('run-tests: no *.test.ts files found');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);

#!/usr/bin/env node
// The official Node.js Linux binaries the layer is tested with and the standalone layers carry,
// from the npm packages node-linux-<arch>. Versions are pinned here and nowhere else.
// Unpacked once into .cache/node/ (git-ignored); `npm pack` downloads through npm's own cache.
//   node scripts/node-binaries.mjs <major> [x64|arm64]   prints the path of that node binary
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Node majors Lambda runs (nodejs22.x, nodejs24.x), each at its pinned release. */
export const NODE_VERSIONS = { 22: '22.23.5', 24: '24.22.3' };
/** The major the standalone layers bundle and the tests use first. */
export const STANDALONE_MAJOR = 24;
export const ARCHES = ['x64', 'arm64'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache', 'node');

/** Path of the `node` binary of `major` for `arch`, downloading and unpacking it if needed. */
export function ensureNode(major, arch = 'x64') {
  const version = NODE_VERSIONS[major];
  if (version === undefined) throw new Error(`no pinned Node.js ${major}; pinned: ${Object.keys(NODE_VERSIONS).join(', ')}`);
  if (!ARCHES.includes(arch)) throw new Error(`unknown arch ${arch}; use ${ARCHES.join(' or ')}`);
  const name = `node-linux-${arch}-${version}`;
  const binary = join(cache, name, 'bin', 'node');
  if (existsSync(binary)) return binary;
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(join(cache, '.download-'));
  try {
    const tarball = execFileSync('npm', ['pack', `node-linux-${arch}@${version}`, '--silent', '--pack-destination', work], { encoding: 'utf8' }).trim().split('\n').at(-1);
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work, 'package/bin/node']);
    // Renamed into place last, so an interrupted download never looks complete.
    mkdirSync(join(work, name), { recursive: true });
    renameSync(join(work, 'package', 'bin'), join(work, name, 'bin'));
    rmSync(join(cache, name), { recursive: true, force: true });
    renameSync(join(work, name), join(cache, name));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return binary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [major = String(STANDALONE_MAJOR), arch = 'x64'] = process.argv.slice(2);
  try {
    console.log(ensureNode(Number(major), arch));
  } catch (error) {
    console.error(`node-binaries: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

// The standalone layers, for runtimes without node on PATH (Python, Java, .NET, Ruby, OS-only):
// dist/layer.zip's tree plus the pinned official Node.js binary at lambda-telemetry-otel/bin/node,
// one zip per architecture. The launcher runs that binary when it is there (scripts/build.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NODE_VERSIONS, STANDALONE_MAJOR, ensureNode } from './node-binaries.mjs';
import { writeLayerZip } from './layer-zip.mjs';

/** Lambda's architecture names, each with the name of its Node.js binary. */
export const STANDALONE_ARCHITECTURES = { x86_64: 'x64', arm64: 'arm64' };
/** Where the binary sits in the zip, beside the bundle. */
export const STANDALONE_NODE_ENTRY = 'lambda-telemetry-otel/bin/node';
/** Lambda's limit for a zip uploaded directly, as deploy/publish-layer.sh checks it. */
export const MAX_ZIP_BYTES = 50 * 1000 * 1000;
/** Lambda's limit for the function and all its layers unpacked ("must be smaller than 262144000 bytes"). */
export const MAX_UNZIPPED_BYTES = 262_144_000;

export const standaloneZipName = (architecture) => `layer-standalone-${architecture}.zip`;

/**
 * The official binary of `arch` without its symbol table and DWARF debug info (127 MB to 109 MB
 * for x64), stripped once and cached beside it. Only what no one loads goes: the dynamic symbol
 * table (what native addons link against) and every loaded section stay, and the tests run the
 * stripped binaries (test/standalone/).
 */
export function strippedNode(arch) {
  const official = ensureNode(STANDALONE_MAJOR, arch);
  const stripped = join(dirname(dirname(official)), 'stripped', 'node');
  if (existsSync(stripped)) return stripped;
  mkdirSync(dirname(stripped), { recursive: true });
  // Renamed into place last, so an interrupted strip never looks complete.
  const partial = `${stripped}.partial-${process.pid}`;
  // llvm-strip handles both architectures; binutils' strip only the machine's own.
  const result = spawnSync('llvm-strip', ['--strip-all', '-o', partial, official], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) {
    rmSync(partial, { force: true });
    const why = result.error?.code === 'ENOENT' ? 'llvm-strip is not installed (apt-get install llvm)' : `llvm-strip failed: ${result.error?.message ?? result.stderr}`;
    throw new Error(`cannot strip ${official}: ${why}`);
  }
  renameSync(partial, stripped);
  return stripped;
}

/**
 * Writes dist/layer-standalone-<architecture>.zip for every architecture: `layerEntries` (the
 * tree of dist/layer.zip) plus the stripped binary. Resolves to what each zip measures.
 */
export async function writeStandaloneZips(layerEntries, dist) {
  const architectures = Object.entries(STANDALONE_ARCHITECTURES).map(([architecture, arch]) => ({ architecture, arch, node: strippedNode(arch) }));
  // Both at once: the deflating runs on libuv's thread pool, one zip per core.
  return Promise.all(
    architectures.map(async ({ architecture, arch, node }) => {
      const zipPath = join(dist, standaloneZipName(architecture));
      const zip = await writeLayerZip(zipPath, [...layerEntries, { path: node, name: STANDALONE_NODE_ENTRY, executable: true }]);
      const official = ensureNode(STANDALONE_MAJOR, arch);
      return { architecture, zipPath, ...zip, node: { version: NODE_VERSIONS[STANDALONE_MAJOR], bytes: statSync(node).size, officialBytes: statSync(official).size } };
    }),
  );
}

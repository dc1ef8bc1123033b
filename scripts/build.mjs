#!/usr/bin/env node
// Builds the npm package (dist/lib, dist/types) and the Lambda layer exactly as Lambda mounts it at /opt:
//   dist/layer/extensions/lambda-telemetry-otel   executable launcher (file name = extension name)
//   dist/layer/lambda-telemetry-otel/index.mjs    the minified bundle
// and zips that tree as dist/layer.zip with extensions/ at the zip root, keeping the exec bit.
// `--standalone` (npm run build:standalone) also writes dist/layer-standalone-x86_64.zip and
// dist/layer-standalone-arm64.zip: the same tree with the Node.js binary in it (scripts/standalone.mjs).
// `--lib` builds only dist/lib, what the examples import (npm run example).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { treeEntries, writeLayerZip } from './layer-zip.mjs';
import { MAX_UNZIPPED_BYTES, writeStandaloneZips } from './standalone.mjs';

const NAME = 'lambda-telemetry-otel';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const layer = join(dist, 'layer');
const launcherPath = join(layer, 'extensions', NAME);
const bundlePath = join(layer, NAME, 'index.mjs');

// Resolves the bundle next to wherever the layer was unpacked, without forking: every fork is
// cold-start time. Lambda gives extensions the function's environment; the node variables in it
// (a --require of the function's own instrumentation, heap flags, NODE_PATH, --inspect) are the
// function's, so node starts without them. NODE_EXTRA_CA_CERTS stays (a private OTLP endpoint's
// CA); LAMBDA_OTEL_NODE_OPTIONS gives the extension flags of its own.
// The standalone layers carry node in bin/. It needs glibc 2.28; Amazon Linux 2 has 2.26, which
// ships /lib64/libc-2.26.so (glibc 2.34 and later have no such file), and there the runtime's
// node, if any, is used instead.
// MALLOC_ARENA_MAX=1: glibc gives each thread that allocates (V8's GC and compiler workers,
// libuv's pool) an arena of its own, up to 8 per core, and keeps what is freed in them; under a
// 30 000-line burst at 128 MB that was about 5 MiB of the peak private memory on Node 24 (3 on
// 22), with no measurable cost in CPU per log line or at cold start (scripts/bench/burst.ts). It
// is an environment variable, not a node flag, so it leaves node's built-in code cache alone on
// every node. A MALLOC_ARENA_MAX of the function's is the function's, as its NODE_OPTIONS are.
const LAUNCHER = `#!/bin/sh
# Lambda starts every executable in /opt/extensions/ during init; this one runs the bundle.
case "$0" in */*) here="\${0%/*}" ;; *) here=. ;; esac
app="$here/../${NAME}"
unset NODE_OPTIONS NODE_PATH NODE_DEBUG NODE_DEBUG_NATIVE NODE_COMPILE_CACHE NODE_COMPILE_CACHE_PORTABLE \\
  NODE_DISABLE_COMPILE_CACHE NODE_DISABLE_COLORS NODE_ICU_DATA NODE_NO_WARNINGS NODE_PENDING_DEPRECATION \\
  NODE_PRESERVE_SYMLINKS NODE_PRESERVE_SYMLINKS_MAIN NODE_REDIRECT_WARNINGS NODE_REPL_EXTERNAL_MODULE \\
  NODE_REPL_HISTORY NODE_SKIP_PLATFORM_CHECK NODE_TLS_REJECT_UNAUTHORIZED NODE_USE_ENV_PROXY NODE_USE_SYSTEM_CA \\
  NODE_V8_COVERAGE NODE_CHANNEL_FD NODE_CHANNEL_SERIALIZATION_MODE NODE_UNIQUE_ID NODE_CLUSTER_SCHED_POLICY \\
  NODE_TEST_CONTEXT UV_THREADPOOL_SIZE UV_USE_IO_URING
MALLOC_ARENA_MAX=1
export MALLOC_ARENA_MAX
if [ -n "\${LAMBDA_OTEL_NODE_OPTIONS:-}" ]; then
  NODE_OPTIONS="$LAMBDA_OTEL_NODE_OPTIONS"
  export NODE_OPTIONS
fi
node=node
old_glibc=
if [ -x "$app/bin/node" ]; then
  for lib in /lib64/libc-2.[0-9].so /lib64/libc-2.1[0-9].so /lib64/libc-2.2[0-7].so; do
    if [ -e "$lib" ]; then old_glibc="$lib"; fi
  done
  if [ -z "$old_glibc" ]; then node="$app/bin/node"; fi
fi
if [ "$node" = node ] && ! command -v node >/dev/null 2>&1; then
  if [ -n "$old_glibc" ]; then
    echo "${NAME}: the bundled node needs glibc 2.28 or later (an Amazon Linux 2023 runtime); this runtime has $old_glibc (Amazon Linux 2) and no node on PATH" >&2
  else
    echo "${NAME}: node not found on PATH; this layer runs on the nodejs22.x and nodejs24.x runtimes: for any other runtime use the standalone layer (layer-standalone-x86_64.zip or layer-standalone-arm64.zip)" >&2
  fi
  exit 1
fi
exec "$node" "$app/index.mjs" "$@"
`;

// In the layer the bundled dependencies get Node built-ins from process.getBuiltinModule (a
// plain require; Node 20.16 and 22.3 on), never from an ESM import: on Node 22 and 24 an import
// builds the built-in's export facade, which reads every export. node:http's getters load
// undici, tls and http2 (10 to 30 ms of CPU, here at the OTLP exporters' first `import('http')`),
// the facades of fs, util, zlib and stream cost 1 to 3 ms each. Our own sources avoid them before
// the first event/next themselves (src/util/node-builtins.ts, which serves dist/lib too).
// Each importing file gets its own stand-in: an ES module exporting those of the built-in's
// properties (as the building node has them) that the importer's text names, read when the
// importer is evaluated. The rest are never read: a lazy getter stays unloaded, a deprecated one
// silent. A static import of a name the stand-in lacks fails the build. ES modules, not
// CommonJS: esbuild gives a dynamic import of CommonJS only its `default`, and its interop
// helpers would add a file to those loaded before the first event/next.
const BUILTIN_NAMESPACE = 'node-builtin';
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const builtinsWithoutFacade = {
  name: 'builtins-without-facade',
  setup(b) {
    const require = createRequire(import.meta.url);
    b.onResolve({ filter: /^(node:)?[a-z][a-z0-9_/]*$/ }, (args) => {
      if (!args.importer.includes(`${sep}node_modules${sep}`) || !isBuiltin(args.path)) return undefined;
      const specifier = args.path.startsWith('node:') ? args.path : `node:${args.path}`;
      return { path: `${specifier}?${relative(root, args.importer)}`, namespace: BUILTIN_NAMESPACE, pluginData: { specifier, importer: args.importer } };
    });
    b.onLoad({ filter: /.*/, namespace: BUILTIN_NAMESPACE }, ({ pluginData: { specifier, importer } }) => {
      const words = new Set(readFileSync(importer, 'utf8').match(/[A-Za-z_$][\w$]*/g));
      const names = Object.getOwnPropertyNames(require(specifier)).filter((name) => IDENTIFIER.test(name) && name !== 'default' && words.has(name));
      const contents = `const m = process.getBuiltinModule(${JSON.stringify(specifier)});\nexport default m;\nexport const { ${names.join(', ')} } = m;\n`;
      return { contents, loader: 'js' };
    });
  },
};

// protobufjs `require`s long (its CommonJS build) and src/otlp imports it (its ES build): two
// copies of the same class, 11 KB each minified. Both get the CommonJS one.
const oneLong = {
  name: 'one-long',
  setup(b) {
    const path = createRequire(import.meta.url).resolve('long');
    b.onResolve({ filter: /^long$/ }, () => ({ path }));
  },
};

async function buildLayer() {
  rmSync(layer, { recursive: true, force: true });
  mkdirSync(dirname(launcherPath), { recursive: true });

  // Splitting keeps what the entry imports dynamically (the OpenTelemetry SDK) in chunks that
  // load only after the first event/next.
  await build({
    entryPoints: { index: join(root, 'src/extension/main.ts') },
    outdir: dirname(bundlePath),
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [builtinsWithoutFacade, oneLong],
  });
  writeFileSync(launcherPath, LAUNCHER);
  chmodSync(launcherPath, 0o755);
}

const lib = join(dist, 'lib');

// The npm package: the same sources as a library (dependencies left to npm), and declarations.
async function buildLib() {
  rmSync(lib, { recursive: true, force: true });
  await build({
    entryPoints: { index: join(root, 'src/index.ts'), sandbox: join(root, 'src/sandbox/index.ts') },
    outdir: lib,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node22',
    logLevel: 'warning',
  });
}

function buildTypes() {
  const types = join(dist, 'types');
  rmSync(types, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // Declarations keep the sources' `.ts` specifiers; consumers resolve `.js` to the `.d.ts`.
  for (const entry of readdirSync(types, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/(from\s+['"]\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1.js$2').replace(/(import\(['"]\.{1,2}\/[^'"]+)\.ts(['"]\))/g, '$1.js$2'));
  }
}

const layerEntries = () => treeEntries(layer, [relative(layer, launcherPath)]);

async function zipLayer() {
  const zipPath = join(dist, 'layer.zip');
  const zip = await writeLayerZip(zipPath, layerEntries());
  console.log(`built ${relative(root, zipPath)}: ${zip.zipBytes} bytes (${zip.files} files, ${zip.unzippedBytes} bytes unzipped; entry ${statSync(bundlePath).size} bytes)`);
}

async function zipStandalone() {
  const MB = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
  for (const zip of await writeStandaloneZips(layerEntries(), dist)) {
    console.log(
      `built ${relative(root, zip.zipPath)}: ${zip.zipBytes} bytes, ${MB(zip.zipBytes)} (${zip.files} files, ${MB(zip.unzippedBytes)} unzipped: ` +
        `${MB(MAX_UNZIPPED_BYTES - zip.unzippedBytes)} of Lambda's ${MB(MAX_UNZIPPED_BYTES)} left; node ${zip.node.version} stripped from ${MB(zip.node.officialBytes)} to ${MB(zip.node.bytes)})`,
    );
  }
}

if (process.argv.includes('--lib')) {
  await buildLib();
  console.log(`built ${relative(root, lib)}`);
} else {
  await buildLayer();
  await buildLib();
  buildTypes();
  await zipLayer();
  if (process.argv.includes('--standalone')) await zipStandalone();
}

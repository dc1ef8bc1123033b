/** (6) Size of the layer as built: the zip Lambda stores, and what it unpacks to. */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LAYER_DIR, LAYER_ZIP } from './environment.ts';

export interface LayerSize {
  readonly zipBytes: number;
  readonly unzippedBytes: number;
  readonly files: number;
  /** The entry bundle, loaded before the first `event/next`. */
  readonly entryBytes: number;
  /** Node built-in modules the entry bundle imports statically (loaded before the first `event/next`). */
  readonly entryBuiltins: readonly string[];
  /** The largest chunk (the OpenTelemetry pipeline, loaded on the first INVOKE). */
  readonly largestChunk: { readonly path: string; readonly bytes: number };
}

export function measureSize(): LayerSize {
  const files = readdirSync(LAYER_DIR, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { path: relative(LAYER_DIR, path), bytes: statSync(path).size };
    });
  const entry = files.find((file) => file.path.endsWith('/index.mjs'));
  const entrySource = entry === undefined ? '' : readFileSync(join(LAYER_DIR, entry.path), 'utf8');
  const entryBuiltins = [...new Set([...entrySource.matchAll(/from\s*["'](node:[\w/]+)["']/g)].map((m) => m[1]!))].sort();
  const chunks = files.filter((file) => file.path.includes('/chunks/')).sort((a, b) => b.bytes - a.bytes);
  return {
    zipBytes: existsSync(LAYER_ZIP) ? statSync(LAYER_ZIP).size : Number.NaN,
    unzippedBytes: files.reduce((sum, file) => sum + file.bytes, 0),
    files: files.length,
    entryBytes: entry?.bytes ?? 0,
    entryBuiltins,
    largestChunk: chunks[0] ?? { path: '', bytes: 0 },
  };
}

// Writes a layer zip exactly as Lambda unpacks it into /opt: entries sorted by name, each with
// its Unix mode (the exec bit kept), and one fixed timestamp, so that the same files always give
// the same zip, byte for byte. Shared by dist/layer.zip and the standalone zips (scripts/build.mjs).
import { createWriteStream, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { finished } from 'node:stream/promises';
import yazl from 'yazl';

// A zip's DOS timestamp is a local date and time, which yazl takes from the Date in the
// machine's time zone: midnight local time and no extended (UTC) timestamp make the same bytes
// whatever the builder's TZ.
const MTIME = new Date(2020, 0, 1);

/**
 * The files below `dir` as zip entries named by their path relative to it; those named in
 * `executables` get mode 755, the others 644.
 */
export function treeEntries(dir, executables = []) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      const name = relative(dir, path).split(sep).join('/');
      return { path, name, executable: executables.includes(name) };
    });
}

/**
 * Zips `entries` ({ path, name, executable }) into `zipPath`; resolves to its size and the
 * sum of the entries' sizes (what the layer takes unpacked).
 */
export async function writeLayerZip(zipPath, entries) {
  const zip = new yazl.ZipFile();
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of sorted) {
    zip.addFile(entry.path, entry.name, { mode: entry.executable ? 0o100755 : 0o100644, mtime: MTIME, forceDosTimestamp: true, compress: true });
  }
  zip.end();
  await finished(zip.outputStream.pipe(createWriteStream(zipPath)));
  return {
    zipBytes: statSync(zipPath).size,
    unzippedBytes: sorted.reduce((sum, entry) => sum + statSync(entry.path).size, 0),
    files: sorted.length,
  };
}

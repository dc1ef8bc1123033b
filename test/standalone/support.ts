/**
 * Helpers of the standalone layers' tests: the zips `npm run build:standalone` writes (`npm test`
 * builds them first), unpacked as Lambda unpacks a layer at /opt, and their listings.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_VERSIONS, STANDALONE_MAJOR } from '../../scripts/node-binaries.mjs';
import { STANDALONE_ARCHITECTURES, STANDALONE_NODE_ENTRY, standaloneZipName } from '../../scripts/standalone.mjs';
import { ROOT } from '../e2e/support.ts';

export { MAX_UNZIPPED_BYTES, MAX_ZIP_BYTES } from '../../scripts/standalone.mjs';
export { STANDALONE_NODE_ENTRY };

export type Architecture = keyof typeof STANDALONE_ARCHITECTURES;
export const ARCHITECTURES = Object.keys(STANDALONE_ARCHITECTURES) as Architecture[];
/** What `process.version` says on the bundled node. */
export const BUNDLED_NODE_VERSION = `v${NODE_VERSIONS[STANDALONE_MAJOR]}`;
/** ELF `e_machine` of each architecture's binary. */
export const ELF_MACHINE: Record<Architecture, number> = { x86_64: 62, arm64: 183 };

export const standaloneZip = (architecture: Architecture): string => join(ROOT, 'dist', standaloneZipName(architecture));

/** Fails clearly when the zip was not built. */
export function assertStandaloneBuilt(architecture: Architecture): void {
  const zip = standaloneZip(architecture);
  assert.ok(existsSync(zip), `no ${zip}: run npm run build:standalone`);
}

/** Unpacks `zip` into a new temporary folder (the layer's /opt) and returns its path. */
export function unzipLayer(zip: string): string {
  const opt = mkdtempSync(join(tmpdir(), 'standalone-opt-'));
  execFileSync('unzip', ['-q', zip, '-d', opt]);
  return opt;
}

/** One entry of a zip listing: name, Unix mode as `unzip -Z` prints it, size and CRC. */
export interface ZipEntry {
  readonly name: string;
  readonly mode: string;
  readonly date: string;
  readonly bytes: number;
  readonly crc: string;
}

/** The entries of `zip`, from `unzip -Z` (modes) and `unzip -v` (sizes, dates, CRCs). */
export function listZip(zip: string): ZipEntry[] {
  const modes = new Map<string, string>();
  for (const line of execFileSync('unzip', ['-Z', zip], { encoding: 'utf8' }).split('\n')) {
    if (/^[-d]r/.test(line)) modes.set(line.split(/\s+/).at(-1)!, line.split(/\s+/)[0]!);
  }
  const entries: ZipEntry[] = [];
  // Length Method Size Cmpr Date Time CRC-32 Name
  for (const line of execFileSync('unzip', ['-v', zip], { encoding: 'utf8' }).split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 8 || !/^\d+$/.test(fields[0]!) || !/^[0-9a-f]{8}$/.test(fields[6]!)) continue;
    const name = fields[7]!;
    entries.push({ name, mode: modes.get(name) ?? '', date: fields[4]!, bytes: Number(fields[0]), crc: fields[6]! });
  }
  return entries;
}

/** The ELF `e_machine` of the file at `path`. */
export function elfMachine(path: string): number {
  const header = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  assert.equal(header.toString('latin1', 0, 4), '\x7fELF', `${path} is an ELF file`);
  return header.readUInt16LE(18);
}

/**
 * Helpers shared by the telemetry tests (not a test file: the runner only picks `*.test.ts`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `test/fixtures/telemetry/`: our own fixtures, written from the documented schema. */
export const OWN_FIXTURES = fileURLToPath(new URL('../fixtures/telemetry/', import.meta.url));

/** The repository root, two levels above this folder. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Reads one of our fixtures as raw bytes, the way the listener receives a body. */
export function readFixture(name: string): Buffer {
  return readFileSync(OWN_FIXTURES + name);
}

/**
 * A JSON round trip: drops keys whose value is `undefined`, which the decoder leaves on
 * records for absent optional fields.
 */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/**
 * A deep copy of `value` without the fields at `paths` (dot-separated, array indexes as
 * numbers, e.g. `record.spans.0.kind`). A path ending at an array entry removes the entry, so
 * the later ones move up. Throws when a path does not exist, so that a list of dropped fields
 * cannot silently go stale.
 */
export function withoutPaths(value: unknown, paths: readonly string[]): unknown {
  const copy = plain(value);
  for (const path of paths) {
    const keys = path.split('.');
    const last = keys.pop();
    let node: unknown = copy;
    for (const key of keys) node = isContainer(node) ? (node as Record<string, unknown>)[key] : undefined;
    if (last === undefined || !isContainer(node) || !Object.hasOwn(node, last)) {
      throw new Error(`withoutPaths: ${path} does not exist`);
    }
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete (node as Record<string, unknown>)[last];
  }
  return copy;
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

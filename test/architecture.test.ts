/**
 * The layout of src/ and its one-way rule. Each folder is a layer whose README.md says, on its
 * one line, what it may import ("May import: a, b."); that line is the rule, written once, and
 * this test enforces it on every relative import (static, dynamic, re-export). Only the public
 * entry sits at the src/ root. The public surface (the `exports` map) stays as it is.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SRC = join(ROOT, 'src');
const MAX_LINES = 300;

const layers = readdirSync(SRC).filter((entry) => statSync(join(SRC, entry)).isDirectory());

/** The folders a layer may import, from the "May import:" sentence of its README.md. */
function mayImport(layer: string): ReadonlySet<string> | string {
  const readme = join(SRC, layer, 'README.md');
  if (!existsSync(readme)) return `src/${layer}/README.md is missing: it names what the layer may import`;
  const header = readFileSync(readme, 'utf8').split('\n')[0] ?? '';
  const match = /May import: ([^.]*)\.\s*$/.exec(header);
  if (match === null) return `src/${layer}/README.md's first line must end with "May import: <layers>." (or "nothing of ours.")`;
  const names = match[1]!.trim();
  return new Set(names === 'nothing of ours' ? [] : names.split(',').map((name) => name.trim()));
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Relative specifiers of `import ... from`, `export ... from` and `import(...)`. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specifiers;
}

const layerOf = (file: string): string | null => {
  const path = relative(SRC, file);
  if (path.startsWith('..')) return null;
  return path.includes(sep) ? path.split(sep)[0]! : '';
};

describe('src/ layout', () => {
  it('has nothing at its root but the public entry', () => {
    const loose = readdirSync(SRC).filter((entry) => statSync(join(SRC, entry)).isFile());
    assert.deepEqual(loose, ['index.ts']);
  });

  it('names what each layer may import, and only layers that exist', () => {
    for (const layer of layers) {
      const allowed = mayImport(layer);
      assert.ok(typeof allowed !== 'string', allowed as string);
      for (const name of allowed as ReadonlySet<string>) assert.ok(layers.includes(name), `src/${layer}/README.md names "${name}", which is not a folder of src/`);
    }
  });

  it('imports only downward: every relative import stays in its layer or goes to one it may import', () => {
    const violations: string[] = [];
    for (const layer of layers) {
      const allowed = mayImport(layer);
      if (typeof allowed === 'string') continue;
      for (const file of sourceFiles(join(SRC, layer))) {
        for (const specifier of relativeImports(file)) {
          const target = resolve(dirname(file), specifier);
          const to = layerOf(target);
          if (to === null) violations.push(`${relative(ROOT, file)} imports ${specifier}, outside src/`);
          else if (to === '') violations.push(`${relative(ROOT, file)} imports the public entry ${specifier}`);
          else if (to !== layer && !allowed.has(to)) violations.push(`${relative(ROOT, file)} (${layer}) imports ${to}: ${specifier}`);
        }
      }
    }
    assert.deepEqual(violations, []);
  });

  it('finds the imports it checks (the rule is not vacuous)', () => {
    const run = readFileSync(join(SRC, 'lifecycle', 'run.ts'), 'utf8');
    assert.ok(run.includes("'../lambda/listener.ts'"));
    assert.ok(relativeImports(join(SRC, 'lifecycle', 'run.ts')).includes('../lambda/listener.ts'));
    assert.ok(relativeImports(join(SRC, 'extension', 'otel-processor.ts')).some((s) => s.startsWith('../otel/')), 'dynamic imports are seen too');
  });

  it(`keeps every source file at ${MAX_LINES} lines or fewer`, () => {
    const long = sourceFiles(SRC)
      .map((file) => ({ file: relative(ROOT, file), lines: readFileSync(file, 'utf8').trimEnd().split('\n').length }))
      .filter(({ lines }) => lines > MAX_LINES);
    assert.deepEqual(long, []);
  });

  it('keeps the package exports map as it is', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    assert.deepEqual(pkg.exports, {
      '.': { types: './dist/types/index.d.ts', import: './dist/lib/index.mjs' },
      './sandbox': { types: './dist/types/sandbox/index.d.ts', import: './dist/lib/sandbox.mjs' },
      './package.json': './package.json',
    });
  });
});

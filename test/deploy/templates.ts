/**
 * Parsers and accessors for the deployment templates under deploy/: YAML (with CloudFormation's
 * short-form tags) and Terraform's HCL, both through real parsers, and the variable names the
 * README documents.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { CollectionTag, ScalarTag } from 'yaml';
import { ROOT } from './layer-spec.ts';

// Required untyped: the package's typings carry /// <reference lib="dom" />, which would bring
// the DOM's globals into the type-check of the whole project.
const { parse: parseHcl } = createRequire(import.meta.url)('@cdktn/hcl2json') as {
  parse(filename: string, contents: string): Promise<Record<string, unknown>>;
};

// CloudFormation's short forms, read as the long forms they stand for ({ Ref: x }, { 'Fn::If': [...] }).
const CFN_FUNCTIONS = ['Ref', 'Condition', 'Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join',
  'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or', 'ToJsonString', 'Length'];
const CFN_TAGS: Array<ScalarTag | CollectionTag> = CFN_FUNCTIONS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const scalar: ScalarTag = {
    tag: `!${name}`,
    resolve: (text: string) => ({ [key]: name === 'GetAtt' ? text.split('.') : text }),
  };
  const seq: CollectionTag = { tag: `!${name}`, collection: 'seq', resolve: (node) => ({ [key]: node.toJSON() }) };
  const map: CollectionTag = { tag: `!${name}`, collection: 'map', resolve: (node) => ({ [key]: node.toJSON() }) };
  return [scalar, seq, map];
});

/** Parses a YAML file strictly: any error or warning (an unknown tag, a duplicate key) fails. */
export function readYaml(path: string, options: { cloudFormation?: boolean } = {}): unknown {
  const doc = parseDocument(readFileSync(path, 'utf8'), {
    strict: true,
    uniqueKeys: true,
    prettyErrors: true,
    ...(options.cloudFormation ? { customTags: CFN_TAGS } : {}),
  });
  assert.deepEqual([...doc.errors, ...doc.warnings].map(String), [], `${path} parses cleanly`);
  return doc.toJS();
}

/**
 * Parses every *.tf file of a folder with HashiCorp's HCL parser (compiled to WebAssembly, so it
 * runs offline) into its JSON form, merged: each block is a list of bodies, expressions are
 * `${...}` strings.
 */
export async function readTerraform(dir: string): Promise<Record<string, unknown>> {
  const merged: Record<string, unknown> = {};
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.tf')).sort()) {
    mergeInto(merged, await parseHcl(file, readFileSync(join(dir, file), 'utf8')));
  }
  return merged;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isRecord(existing) && isRecord(value)) mergeInto(existing, value);
    else if (Array.isArray(existing) && Array.isArray(value)) existing.push(...value);
    else target[key] = value;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Walks `keys` down from `value`, failing with the path when a step is missing. */
export function at(value: unknown, ...keys: Array<string | number>): unknown {
  let current = value;
  for (const [index, key] of keys.entries()) {
    const container = current as Record<string | number, unknown> | null;
    const next = typeof container === 'object' && container !== null ? container[key] : undefined;
    assert.notEqual(next, undefined, `missing ${keys.slice(0, index + 1).join('.')}`);
    current = next;
  }
  return current;
}

export function record(value: unknown, ...keys: Array<string | number>): Record<string, unknown> {
  const found = at(value, ...keys);
  assert.ok(isRecord(found), `${keys.join('.')} is an object`);
  return found;
}

/** Terraform blocks parse as lists of bodies; the templates declare each one once. */
export function block(value: unknown, ...keys: string[]): Record<string, unknown> {
  const bodies = at(value, ...keys);
  assert.ok(Array.isArray(bodies) && bodies.length === 1 && isRecord(bodies[0]), `${keys.join('.')} is declared once`);
  return bodies[0];
}

/** Every OTEL_* and LAMBDA_OTEL_* name the README's tables mention. */
export function documentedEnvVars(): Set<string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return new Set([...readme.matchAll(/`((?:OTEL|LAMBDA_OTEL)_[A-Z0-9_]+)`/g)].map((match) => match[1]!));
}

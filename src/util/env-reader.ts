/**
 * Typed readers of environment variables that collect every problem instead of stopping at
 * the first, so that one `Extension.ConfigInvalid` error can name them all.
 */

import { ERROR_TYPES, ExtensionError } from './errors.ts';

/** A value that could not be parsed, with the reason. */
export class Unparsable {
  constructor(readonly problem: string) {}
}

export type Parse<T> = (raw: string) => T | Unparsable;
export type Check<T> = (value: T) => string | null;

export interface EnvReader {
  /** `override` if defined, else the parsed variable, else `fallback`; problems are collected. */
  read<T>(name: string, override: T | undefined, parse: Parse<T>, fallback: T, check?: Check<T>): T;
  /** Problems found so far, as `NAME: reason`. */
  readonly problems: readonly string[];
}

export function createEnvReader(env: Readonly<Record<string, string | undefined>>): EnvReader {
  const problems: string[] = [];
  return {
    problems,
    read(name, override, parse, fallback, check) {
      const raw = env[name]?.trim();
      const value = override !== undefined ? override : raw ? parse(raw) : fallback;
      const problem = value instanceof Unparsable ? value.problem : (check?.(value) ?? null);
      if (problem === null) return value as typeof fallback;
      problems.push(`${name}: ${problem}`);
      return fallback;
    },
  };
}

export const asString: Parse<string> = (raw) => raw;

export const asInteger: Parse<number> = (raw) =>
  /^\d+$/.test(raw) ? Number(raw) : new Unparsable(`must be a whole number (got "${raw}")`);

export const asBoolean: Parse<boolean> = (raw) => {
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return new Unparsable(`must be true or false (got "${raw}")`);
};

export function range(min: number, max: number): Check<number> {
  return (value) => (Number.isInteger(value) && value >= min && value <= max ? null : `must be between ${min} and ${max} (got ${value})`);
}

export function oneOf(allowed: readonly string[]): Check<string> {
  return (value) => (allowed.includes(value) ? null : `must be one of ${allowed.join(', ')} (got "${value}")`);
}

/**
 * Throws one `Extension.ConfigInvalid` error naming every problem, if there are any.
 * @throws {ExtensionError}
 */
export function throwIfProblems(problems: readonly string[]): void {
  if (problems.length > 0) {
    throw new ExtensionError(ERROR_TYPES.CONFIG_INVALID, `invalid configuration: ${problems.join('; ')}`);
  }
}

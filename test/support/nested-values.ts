/** Deeply nested JSON values for the depth bounds of log records, and a way down them. */

/** `levels` maps `{ a: ... }` (or arrays `[...]`) nested around `leaf`. */
export function nest(levels: number, leaf: unknown, kind: 'map' | 'array' = 'map'): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = kind === 'map' ? { a: value } : [value];
  return value;
}

/** What sits `levels` containers down the chain {@link nest} builds; throws where the chain ends sooner. */
export function descend(value: unknown, levels: number): unknown {
  let at = value;
  for (let i = 0; i < levels; i++) {
    if (Array.isArray(at)) at = (at as unknown[])[0];
    else if (typeof at === 'object' && at !== null) at = (at as Record<string, unknown>)['a'];
    else throw new Error(`the chain ends after ${i} of ${levels} levels, at ${JSON.stringify(at)}`);
  }
  return at;
}

/** Copies a field of parsed JSON into an object of ours without letting its key reach the prototype. */

/**
 * Sets `target[key]` as an own data property, whatever the key: JSON.parse makes a field named
 * `__proto__` an own property, and a plain assignment would set the prototype instead.
 * @example setField(copy, '__proto__', value) // copy.__proto__ is an own field; Object.getPrototypeOf(copy) is unchanged
 */
export function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

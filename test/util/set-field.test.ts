/**
 * setField(): a field copied from parsed JSON lands as an own property, `__proto__` included,
 * and never changes the target's prototype.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setField } from '../../src/util/set-field.ts';

describe('setField', () => {
  it('sets an ordinary key like an assignment', () => {
    const target: Record<string, unknown> = {};
    setField(target, 'orderId', 42);
    assert.deepEqual(Object.getOwnPropertyDescriptor(target, 'orderId'), { value: 42, enumerable: true, writable: true, configurable: true });
  });

  it('keeps __proto__ an own, enumerable field and leaves the prototype alone', () => {
    const value = (JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>)['__proto__'];
    const target: Record<string, unknown> = {};
    setField(target, '__proto__', value);
    assert.equal(Object.getPrototypeOf(target), Object.prototype);
    assert.deepEqual(Object.keys(target), ['__proto__']);
    assert.equal(Object.getOwnPropertyDescriptor(target, '__proto__')?.value, value);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});

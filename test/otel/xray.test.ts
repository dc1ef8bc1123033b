import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseXrayHeader, spanIdOrNull } from '../../src/otel/xray.ts';

describe('parseXrayHeader', () => {
  it('turns Root into the W3C trace id and reads Parent and Sampled', () => {
    assert.deepEqual(parseXrayHeader('Root=1-5e1b4151-5ac6c58f5b5dbd6a3ba0f9c4;Parent=53995c3f42cd8ad8;Sampled=1'), {
      traceId: '5e1b41515ac6c58f5b5dbd6a3ba0f9c4',
      parentId: '53995c3f42cd8ad8',
      sampled: true,
    });
  });

  const cases: Array<[string, string, ReturnType<typeof parseXrayHeader>]> = [
    ['field order and spaces do not matter', 'Sampled=0; Parent=53995C3F42CD8AD8 ;Root=1-5E1B4151-5AC6C58F5B5DBD6A3BA0F9C4', { traceId: '5e1b41515ac6c58f5b5dbd6a3ba0f9c4', parentId: '53995c3f42cd8ad8', sampled: false }],
    ['no Parent', 'Root=1-5e1b4151-5ac6c58f5b5dbd6a3ba0f9c4;Sampled=1', { traceId: '5e1b41515ac6c58f5b5dbd6a3ba0f9c4', parentId: null, sampled: true }],
    ['no Sampled (deferred)', 'Root=1-5e1b4151-5ac6c58f5b5dbd6a3ba0f9c4;Parent=53995c3f42cd8ad8', { traceId: '5e1b41515ac6c58f5b5dbd6a3ba0f9c4', parentId: '53995c3f42cd8ad8', sampled: null }],
    ['Sampled=? is undecided', 'Root=1-5e1b4151-5ac6c58f5b5dbd6a3ba0f9c4;Sampled=?', { traceId: '5e1b41515ac6c58f5b5dbd6a3ba0f9c4', parentId: null, sampled: null }],
    ['extra fields (Lineage) are ignored', 'Root=1-5e1b4151-5ac6c58f5b5dbd6a3ba0f9c4;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1|68fd508a:5', { traceId: '5e1b41515ac6c58f5b5dbd6a3ba0f9c4', parentId: '53995c3f42cd8ad8', sampled: true }],
    ['malformed Parent is dropped, Root kept', 'Root=1-5e1b4151-5ac6c58f5b5dbd6a3ba0f9c4;Parent=xyz', { traceId: '5e1b41515ac6c58f5b5dbd6a3ba0f9c4', parentId: null, sampled: null }],
    ['no Root', 'Parent=53995c3f42cd8ad8;Sampled=1', null],
    ['wrong version', 'Root=2-5e1b4151-5ac6c58f5b5dbd6a3ba0f9c4', null],
    ['short root', 'Root=1-5e1b4151-5ac6c58f5b5dbd6a3ba0f9c', null],
    ['missing dash', 'Root=1-5e1b41515ac6c58f5b5dbd6a3ba0f9c4x', null],
    ['non-hex root', 'Root=1-5e1b4151-5ac6c58f5b5dbd6a3ba0f9zz', null],
    ['all-zero root', 'Root=1-00000000-000000000000000000000000', null],
    ['empty', '', null],
    ['garbage', ';;;===;', null],
  ];
  for (const [name, header, expected] of cases) {
    it(name, () => assert.deepEqual(parseXrayHeader(header), expected));
  }
});

describe('spanIdOrNull', () => {
  it('accepts 16 hex digits, lowercased', () => assert.equal(spanIdOrNull('54565FB41AC79632'), '54565fb41ac79632'));
  for (const bad of ['spanid', '54565fb41ac7963', '54565fb41ac796321', '0000000000000000', '54565fb41ac7963g']) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.equal(spanIdOrNull(bad), null));
  }
});

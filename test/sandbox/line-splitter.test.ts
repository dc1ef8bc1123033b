import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import { MAX_LINE_BYTES, createLineSplitter } from '../../src/sandbox/line-splitter.ts';

/** Feeds `chunks` (at times 1, 2, ...) and ends the stream; returns [line, atEpochMs] pairs. */
function split(chunks: ReadonlyArray<string | Buffer>): Array<[string, number]> {
  const lines: Array<[string, number]> = [];
  const splitter = createLineSplitter((line, atEpochMs) => lines.push([line, atEpochMs]));
  chunks.forEach((chunk, index) => splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, index + 1));
  splitter.end();
  return lines;
}

describe('line splitter', () => {
  const cases: ReadonlyArray<{ name: string; chunks: string[]; lines: Array<[string, number]> }> = [
    { name: 'one line per newline', chunks: ['a\nb\n'], lines: [['a', 1], ['b', 1]] },
    { name: 'strips the \\r of \\r\\n', chunks: ['a\r\nb\r\n'], lines: [['a', 1], ['b', 1]] },
    { name: 'keeps a lone \\r inside a line', chunks: ['a\rb\n'], lines: [['a\rb', 1]] },
    { name: 'keeps empty lines', chunks: ['\n\nx\n'], lines: [['', 1], ['', 1], ['x', 1]] },
    { name: 'joins a line split over chunks, timed by its first byte', chunks: ['ab', 'c', 'd\ne\n'], lines: [['abcd', 1], ['e', 3]] },
    { name: 'a \\r\\n split over chunks', chunks: ['a\r', '\nb\n'], lines: [['a', 1], ['b', 2]] },
    { name: 'a newline alone in a chunk ends the pending line', chunks: ['a', '\n'], lines: [['a', 1]] },
    { name: 'emits a last line without newline at the end', chunks: ['a\nlast'], lines: [['a', 1], ['last', 1]] },
    { name: 'emits nothing for an empty stream', chunks: [], lines: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(split(c.chunks), c.lines);
    });
  }

  it('cuts a line longer than MAX_LINE_BYTES into pieces of at most that size', () => {
    const long = 'x'.repeat(MAX_LINE_BYTES * 2 + 10);
    const lines = split([long.slice(0, 100_000), long.slice(100_000), '\nnext\n']);
    assert.deepEqual(
      lines.map(([line]) => line.length),
      [MAX_LINE_BYTES, MAX_LINE_BYTES, 10, 4],
    );
    assert.equal(lines.slice(0, 3).map(([line]) => line).join(''), long);
  });

  it('keeps a line of exactly MAX_LINE_BYTES whole, and no empty piece after a cut before \\r\\n', () => {
    const exact = 'y'.repeat(MAX_LINE_BYTES);
    assert.deepEqual(split([`${exact}\n`]).map(([line]) => line.length), [MAX_LINE_BYTES]);
    assert.deepEqual(split([`${exact}\r\n`]).map(([line]) => line.length), [MAX_LINE_BYTES]);
  });

  it('never cuts inside a UTF-8 character', () => {
    // 'é' is 2 bytes: after one ASCII byte, MAX_LINE_BYTES falls inside a character.
    const text = `a${'é'.repeat(MAX_LINE_BYTES / 2)}`;
    const lines = split([`${text}\n`]);
    assert.equal(lines.length, 2);
    assert.equal(Buffer.byteLength(lines[0]?.[0] ?? ''), MAX_LINE_BYTES - 1);
    assert.equal(lines.map(([line]) => line).join(''), text);
    assert.ok(!lines.some(([line]) => line.includes('\uFFFD')));
  });

  it('ignores input after end()', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => lines.push(line));
    splitter.push(Buffer.from('a'), 1);
    splitter.end();
    splitter.end();
    splitter.push(Buffer.from('b\n'), 2);
    assert.deepEqual(lines, ['a']);
  });
});

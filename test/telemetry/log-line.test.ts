/**
 * parseLogRecord() as a whole: what it does with a record that is neither text nor a JSON
 * object, that it never throws, and a volume of mixed lines. The formats have their own files
 * (log-line-text.test.ts, log-line-json.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonLogRecord, LogRecord } from '../../src/telemetry/events.ts';
import { parseLogRecord } from '../../src/telemetry/log-line.ts';
import { ID, JAVA_TIME, TIME, text } from './log-line-support.ts';

describe('parseLogRecord: any record', () => {
  it('values that are neither a string nor an object come back as a plain body', () => {
    for (const value of [null, undefined, 42, true, ['a']]) {
      assert.deepEqual(parseLogRecord(value as unknown as LogRecord), text('plain', { body: value }));
    }
  });

  it('never throws, even for a record whose getters throw', () => {
    const hostile = new Proxy({}, { get: () => { throw new Error('no'); }, ownKeys: () => { throw new Error('no'); } });
    const parsed = parseLogRecord(hostile as JsonLogRecord);
    assert.equal(parsed.format, 'json');
    assert.equal(parsed.severityNumber, 0);
  });
});

describe('parseLogRecord: volume', () => {
  it('parses 100 000 mixed lines without throwing', () => {
    const samples: LogRecord[] = [
      `${TIME}\t${ID}\tINFO\tnode line\n`,
      `[WARNING]\t${TIME}\t${ID}\tpython line\n`,
      `${JAVA_TIME} <${ID}> ERROR Handler:1 - java line\n`,
      '[DEBUG] prefixed\n',
      'plain text that goes on for a while without any prefix at all\n',
      { timestamp: TIME, level: 'INFO', requestId: ID, message: 'json', n: 1 },
      '2025 starts with a digit but is not a time',
      '[unterminated bracket',
      '',
    ];
    const counts = new Map<string, number>();
    for (let i = 0; i < 100_000; i++) {
      const sample = samples[i % samples.length] ?? '';
      // Vary the text so that nothing is cached by value.
      const parsed = parseLogRecord(typeof sample === 'string' && i % 2 === 0 ? sample + String(i) : sample);
      counts.set(parsed.format, (counts.get(parsed.format) ?? 0) + 1);
    }
    assert.deepEqual([...counts.keys()].sort(), ['java', 'json', 'level-prefix', 'node', 'plain', 'python']);
  });
});

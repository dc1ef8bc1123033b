/**
 * parseLogRecord(): one function/extension log record -> body, severity, request id, time and
 * attributes. One table per format (lines written here from the runtimes' documented shapes),
 * one row per near-miss that must stay plain, JSON records, and the level-name table.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonLogRecord, LogRecord } from '../../src/telemetry/events.ts';
import { parseLogRecord } from '../../src/telemetry/log-line.ts';
import { SEVERITY, severityOf } from '../../src/telemetry/log-severity.ts';
import type { ParsedLog } from '../../src/telemetry/parsed-log.ts';

const ID = '3b9e2a71-5c4d-4f08-b6a2-91d7e0c35f4a';
const ID_UPPER = 'C0FFEE00-1D2B-4A3C-8E9F-0123456789AB';
const TIME = '2025-02-11T17:45:09.307Z';
const TIME_MS = Date.parse(TIME);
/** The same instant as log4j2 writes it with `%d{yyyy-MM-dd HH:mm:ss.SSS}`. */
const JAVA_TIME = '2025-02-11 17:45:09.307';
const JAVA_TIME_S = '2025-02-11 17:45:09';
const TIME_S_MS = Date.parse('2025-02-11T17:45:09Z');

type Expected = Omit<Partial<ParsedLog>, 'body'> & { readonly body: unknown };

/** A full ParsedLog with the defaults of a text line. */
function text(format: ParsedLog['format'], fields: Expected): ParsedLog {
  return { severityNumber: 0, severityText: '', requestId: null, timeMs: null, attributes: null, format, ...fields };
}

interface Row {
  readonly name: string;
  readonly line: string;
  readonly want: ParsedLog;
}

function runRows(rows: readonly Row[]): void {
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(parseLogRecord(row.line), row.want);
    });
  }
}

describe('parseLogRecord: Node.js runtime text format (time \\t requestId \\t LEVEL \\t message)', () => {
  const node = (fields: Expected): ParsedLog => text('node', { timeMs: TIME_MS, requestId: ID, ...fields });
  runRows([
    { name: 'INFO with trailing \\n', line: `${TIME}\t${ID}\tINFO\tcart loaded\n`, want: node({ body: 'cart loaded', severityNumber: 9, severityText: 'INFO' }) },
    { name: 'WARN without newline', line: `${TIME}\t${ID}\tWARN\tslow upstream`, want: node({ body: 'slow upstream', severityNumber: 13, severityText: 'WARN' }) },
    { name: 'ERROR with \\r\\n', line: `${TIME}\t${ID}\tERROR\tpayment refused\r\n`, want: node({ body: 'payment refused', severityNumber: 17, severityText: 'ERROR' }) },
    { name: 'DEBUG', line: `${TIME}\t${ID}\tDEBUG\tcache miss k=7\n`, want: node({ body: 'cache miss k=7', severityNumber: 5, severityText: 'DEBUG' }) },
    { name: 'TRACE', line: `${TIME}\t${ID}\tTRACE\tenter step 3\n`, want: node({ body: 'enter step 3', severityNumber: 1, severityText: 'TRACE' }) },
    { name: 'FATAL', line: `${TIME}\t${ID}\tFATAL\tout of file handles\n`, want: node({ body: 'out of file handles', severityNumber: 21, severityText: 'FATAL' }) },
    {
      name: 'multi-line stack trace keeps its newlines, only the last one goes',
      line: `${TIME}\t${ID}\tERROR\tTypeError: x is undefined\n    at step (/var/task/a.js:3:9)\n    at main (/var/task/a.js:9:1)\n`,
      want: node({ body: 'TypeError: x is undefined\n    at step (/var/task/a.js:3:9)\n    at main (/var/task/a.js:9:1)', severityNumber: 17, severityText: 'ERROR' }),
    },
    { name: 'tabs inside the message stay', line: `${TIME}\t${ID}\tINFO\tcol1\tcol2\t\n`, want: node({ body: 'col1\tcol2\t', severityNumber: 9, severityText: 'INFO' }) },
    { name: 'empty message', line: `${TIME}\t${ID}\tINFO\t\n`, want: node({ body: '', severityNumber: 9, severityText: 'INFO' }) },
    { name: 'init phase: request id printed as undefined', line: `${TIME}\tundefined\tINFO\tloading config\n`, want: node({ body: 'loading config', severityNumber: 9, severityText: 'INFO', requestId: null }) },
    { name: 'upper-case hex request id', line: `${TIME}\t${ID_UPPER}\tWARN\tretrying\n`, want: node({ body: 'retrying', severityNumber: 13, severityText: 'WARN', requestId: ID_UPPER }) },
    { name: 'only one trailing newline is removed', line: `${TIME}\t${ID}\tINFO\tblank line after\n\n`, want: node({ body: 'blank line after\n', severityNumber: 9, severityText: 'INFO' }) },
  ]);
});

describe('parseLogRecord: Python runtime text format ([LEVEL] \\t time \\t requestId \\t message)', () => {
  const python = (fields: Expected): ParsedLog => text('python', { timeMs: TIME_MS, requestId: ID, ...fields });
  runRows([
    { name: 'INFO', line: `[INFO]\t${TIME}\t${ID}\torder 12 stored\n`, want: python({ body: 'order 12 stored', severityNumber: 9, severityText: 'INFO' }) },
    { name: 'WARNING', line: `[WARNING]\t${TIME}\t${ID}\tquota at 91%\n`, want: python({ body: 'quota at 91%', severityNumber: 13, severityText: 'WARNING' }) },
    { name: 'ERROR without newline', line: `[ERROR]\t${TIME}\t${ID}\tupload failed`, want: python({ body: 'upload failed', severityNumber: 17, severityText: 'ERROR' }) },
    { name: 'DEBUG with \\r\\n', line: `[DEBUG]\t${TIME}\t${ID}\tparsed 3 rows\r\n`, want: python({ body: 'parsed 3 rows', severityNumber: 5, severityText: 'DEBUG' }) },
    { name: 'CRITICAL', line: `[CRITICAL]\t${TIME}\t${ID}\tdisk gone\n`, want: python({ body: 'disk gone', severityNumber: 21, severityText: 'CRITICAL' }) },
    { name: 'time without Z is UTC', line: `[INFO]\t2025-02-11T17:45:09.307\t${ID}\tno zone\n`, want: python({ body: 'no zone', severityNumber: 9, severityText: 'INFO' }) },
    { name: 'init phase: empty request id', line: `[INFO]\t${TIME}\t\tcold start\n`, want: python({ body: 'cold start', severityNumber: 9, severityText: 'INFO', requestId: null }) },
    {
      name: 'multi-line traceback keeps its newlines',
      line: `[ERROR]\t${TIME}\t${ID}\tboom\nTraceback (most recent call last):\n  File "/var/task/app.py", line 4\n`,
      want: python({ body: 'boom\nTraceback (most recent call last):\n  File "/var/task/app.py", line 4', severityNumber: 17, severityText: 'ERROR' }),
    },
    { name: 'tabs inside the message stay', line: `[INFO]\t${TIME}\t${ID}\ta\tb\n`, want: python({ body: 'a\tb', severityNumber: 9, severityText: 'INFO' }) },
  ]);
});

describe('parseLogRecord: log4j2 pattern (yyyy-MM-dd HH:mm:ss[.SSS] <requestId> LEVEL rest)', () => {
  const java = (fields: Expected): ParsedLog => text('java', { timeMs: TIME_MS, requestId: ID, ...fields });
  runRows([
    { name: 'request id in angle brackets, padded INFO', line: `${JAVA_TIME} <${ID}> INFO  com.acme.Handler:42 - order placed\n`, want: java({ body: 'com.acme.Handler:42 - order placed', severityNumber: 9, severityText: 'INFO' }) },
    { name: 'WARN', line: `${JAVA_TIME} <${ID}> WARN  Handler:7 - stock low\n`, want: java({ body: 'Handler:7 - stock low', severityNumber: 13, severityText: 'WARN' }) },
    { name: 'ERROR without newline', line: `${JAVA_TIME} <${ID}> ERROR Handler:9 - failed`, want: java({ body: 'Handler:9 - failed', severityNumber: 17, severityText: 'ERROR' }) },
    { name: 'DEBUG with \\r\\n', line: `${JAVA_TIME} <${ID}> DEBUG Repo:3 - query took 4 ms\r\n`, want: java({ body: 'Repo:3 - query took 4 ms', severityNumber: 5, severityText: 'DEBUG' }) },
    { name: 'FATAL', line: `${JAVA_TIME} <${ID}> FATAL Boot:1 - no heap\n`, want: java({ body: 'Boot:1 - no heap', severityNumber: 21, severityText: 'FATAL' }) },
    { name: 'no brackets (the README pattern) and no millis', line: `${JAVA_TIME_S} ${ID} TRACE Handler:5 - tick\n`, want: java({ body: 'Handler:5 - tick', severityNumber: 1, severityText: 'TRACE', timeMs: TIME_S_MS }) },
    { name: 'empty brackets outside an invocation', line: `${JAVA_TIME_S} <> INFO  Init:2 - warming\n`, want: java({ body: 'Init:2 - warming', severityNumber: 9, severityText: 'INFO', requestId: null, timeMs: TIME_S_MS }) },
    { name: 'empty MDC without brackets leaves two spaces', line: `${JAVA_TIME_S}  INFO  Init:2 - warming\n`, want: java({ body: 'Init:2 - warming', severityNumber: 9, severityText: 'INFO', requestId: null, timeMs: TIME_S_MS }) },
    { name: 'ISO8601 pattern: T and comma', line: `2025-02-11T17:45:09,307 <${ID}> INFO Handler - x\n`, want: java({ body: 'Handler - x', severityNumber: 9, severityText: 'INFO' }) },
    {
      name: 'multi-line exception kept, outer whitespace trimmed',
      line: `${JAVA_TIME} <${ID}> ERROR Handler:9 - failed\njava.lang.IllegalStateException: bad\n\tat com.acme.Handler.run(Handler.java:9)\n\n`,
      want: java({ body: 'Handler:9 - failed\njava.lang.IllegalStateException: bad\n\tat com.acme.Handler.run(Handler.java:9)', severityNumber: 17, severityText: 'ERROR' }),
    },
    { name: 'level only, no message', line: `${JAVA_TIME} <${ID}> WARN\n`, want: java({ body: '', severityNumber: 13, severityText: 'WARN' }) },
    // Same fields as Node.js but space-separated: unambiguous (time, UUID, known level), so read.
    { name: 'ISO time + UUID + level separated by spaces', line: `${TIME} ${ID} INFO hello\n`, want: java({ body: 'hello', severityNumber: 9, severityText: 'INFO' }) },
  ]);
});

describe('parseLogRecord: bare level prefix', () => {
  const prefix = (fields: Expected): ParsedLog => text('level-prefix', fields);
  runRows([
    { name: '[INFO] + space (Java runtime text format)', line: '[INFO] warming caches\n', want: prefix({ body: 'warming caches', severityNumber: 9, severityText: 'INFO' }) },
    { name: '[WARN] + tab', line: '[WARN]\tretry 2 of 3', want: prefix({ body: 'retry 2 of 3', severityNumber: 13, severityText: 'WARN' }) },
    { name: '[error] lower case', line: '[error] db timeout\r\n', want: prefix({ body: 'db timeout', severityNumber: 17, severityText: 'error' }) },
    { name: '[DEBUG] multi-line', line: '[DEBUG] a\nb\n', want: prefix({ body: 'a\nb', severityNumber: 5, severityText: 'DEBUG' }) },
    { name: 'Python uncaught error line', line: '[ERROR] Runtime.ImportModuleError: Unable to import module \'app\'\n', want: prefix({ body: 'Runtime.ImportModuleError: Unable to import module \'app\'', severityNumber: 17, severityText: 'ERROR' }) },
    { name: '[FATAL] with nothing after', line: '[FATAL]\n', want: prefix({ body: '', severityNumber: 21, severityText: 'FATAL' }) },
    { name: 'INFO: message', line: 'INFO: listening\n', want: prefix({ body: 'listening', severityNumber: 9, severityText: 'INFO' }) },
    { name: 'WARNING: message', line: 'WARNING: deprecated flag', want: prefix({ body: 'deprecated flag', severityNumber: 13, severityText: 'WARNING' }) },
    { name: 'CRITICAL: message', line: 'CRITICAL: halting\n', want: prefix({ body: 'halting', severityNumber: 21, severityText: 'CRITICAL' }) },
    // The Python shape with a broken request id is still a `[LEVEL]\t` line.
    { name: 'Python line with a bad request id falls back to the prefix', line: `[INFO]\t${TIME}\tnot-a-request-id\thi\n`, want: prefix({ body: `${TIME}\tnot-a-request-id\thi`, severityNumber: 9, severityText: 'INFO' }) },
  ]);
});

describe('parseLogRecord: near misses stay plain (body = whole line, no severity, no request id)', () => {
  const plain = (line: string, body = line): Row => ({ name: JSON.stringify(line), line, want: text('plain', { body }) });
  runRows([
    plain('Error handling started'),
    plain('Error: ENOENT: no such file\n', 'Error: ENOENT: no such file'),
    plain('ERROR something went wrong'),
    plain('Info: capitalised colon form'),
    plain('info: lower-case colon form'),
    plain('INFO:no space'),
    plain('INFO:'),
    plain('INFO'),
    plain('WARNINGS: not a level'),
    plain('OFF: a threshold, not a level'),
    plain('[INFO]no separator'),
    plain('[NOTE] unknown level'),
    plain('[] empty'),
    plain('['),
    plain('[OFF] threshold'),
    plain('[INFORMATIONALLY] too long a name'),
    plain(`${TIME} ${ID}\tINFO\tmixed separators`),
    plain(`${TIME}\t${ID} INFO\tspace after the request id`),
    plain(`${TIME}\t${ID}\tINFO no tab after the level`),
    plain(`${TIME}\t3b9e2a71-5c4d-4f08-b6a2-91d7e0c35f4g\tINFO\tbad hex`),
    plain(`${TIME}\t3b9e2a715c4d4f08b6a291d7e0c35f4a0000\tINFO\tno hyphens`),
    plain(`${TIME}\tabc\tINFO\tshort id`),
    plain(`${TIME}\t${ID}\tNOTE\tunknown level`),
    plain(`${TIME}\t${ID}\tOFF\tthreshold level`),
    plain(`2025-13-11T17:45:09.307Z\t${ID}\tINFO\tmonth 13`),
    plain(`2025-02-30T17:45:09.307Z\t${ID}\tINFO\tFebruary 30`),
    plain(`2025-02-11T24:00:00.000Z\t${ID}\tINFO\thour 24`),
    plain(`${JAVA_TIME} <not-a-uuid> INFO Handler - x`),
    plain(`${JAVA_TIME} <${ID}> NOTICEABLE Handler - x`),
    plain(`${JAVA_TIME} <${ID}>INFO Handler - x`),
    plain('2025 was a good year'),
    plain('12345'),
    plain('  [INFO] indented'),
    plain(''),
    plain('\n', ''),
    plain('\r\n', ''),
    plain('just text\r', 'just text\r'),
  ]);
});

describe('parseLogRecord: JSON log format', () => {
  const json = (fields: Expected): ParsedLog => ({ severityNumber: 0, severityText: '', requestId: null, timeMs: null, attributes: {}, format: 'json', ...fields });
  const rows: ReadonlyArray<{ readonly name: string; readonly record: JsonLogRecord; readonly want: ParsedLog }> = [
    {
      name: 'full record with user fields',
      record: { timestamp: TIME, level: 'INFO', requestId: ID, message: 'order placed', orderId: 42, customer: { tier: 'gold' } },
      want: json({ body: 'order placed', severityNumber: 9, severityText: 'INFO', requestId: ID, timeMs: TIME_MS, attributes: { orderId: 42, customer: { tier: 'gold' } } }),
    },
    { name: 'minimal: message only', record: { message: 'hi' }, want: json({ body: 'hi' }) },
    {
      name: 'message as object',
      record: { level: 'WARN', message: { event: 'retry', attempt: 2 } },
      want: json({ body: { event: 'retry', attempt: 2 }, severityNumber: 13, severityText: 'WARN' }),
    },
    { name: 'message null is a body', record: { level: 'INFO', message: null }, want: json({ body: null, severityNumber: 9, severityText: 'INFO' }) },
    { name: 'level lower case', record: { level: 'error', message: 'x' }, want: json({ body: 'x', severityNumber: 17, severityText: 'error' }) },
    { name: 'unknown level string kept as text', record: { level: 'chatty', message: 'x' }, want: json({ body: 'x', severityText: 'chatty' }) },
    { name: 'level as a number stays an attribute', record: { level: 30, message: 'x' }, want: json({ body: 'x', attributes: { level: 30 } }) },
    { name: 'timestamp not ISO stays an attribute', record: { timestamp: 'yesterday', message: 'x' }, want: json({ body: 'x', attributes: { timestamp: 'yesterday' } }) },
    { name: 'timestamp as a number stays an attribute', record: { timestamp: TIME_MS, message: 'x' }, want: json({ body: 'x', attributes: { timestamp: TIME_MS } }) },
    { name: 'timestamp with an offset', record: { timestamp: '2025-02-11T19:45:09.307+02:00', message: 'x' }, want: json({ body: 'x', timeMs: TIME_MS }) },
    { name: 'timestamp with microseconds', record: { timestamp: '2025-02-11T17:45:09.307451Z', message: 'x' }, want: json({ body: 'x', timeMs: TIME_MS }) },
    { name: 'empty requestId stays an attribute', record: { requestId: '', message: 'x' }, want: json({ body: 'x', attributes: { requestId: '' } }) },
    { name: 'requestId not a string stays an attribute', record: { requestId: 7, message: 'x' }, want: json({ body: 'x', attributes: { requestId: 7 } }) },
    { name: 'Java runtime spelling AWSRequestId', record: { timestamp: TIME, level: 'INFO', message: 'x', AWSRequestId: ID }, want: json({ body: 'x', severityNumber: 9, severityText: 'INFO', requestId: ID, timeMs: TIME_MS }) },
    {
      name: 'requestId wins over AWSRequestId, which stays an attribute',
      record: { requestId: ID, AWSRequestId: ID_UPPER, message: 'x' },
      want: json({ body: 'x', requestId: ID, attributes: { AWSRequestId: ID_UPPER } }),
    },
    {
      name: 'no message: the whole object is the body, extra fields are still attributes',
      record: { timestamp: TIME, level: 'INFO', requestId: ID, orderId: 42 },
      want: json({ body: { timestamp: TIME, level: 'INFO', requestId: ID, orderId: 42 }, severityNumber: 9, severityText: 'INFO', requestId: ID, timeMs: TIME_MS, attributes: { orderId: 42 } }),
    },
    { name: 'empty object', record: {}, want: json({ body: {} }) },
    {
      name: 'Python JSON error fields stay attributes',
      record: { timestamp: TIME, level: 'ERROR', message: 'failed', logger: 'root', requestId: ID, errorType: 'KeyError', errorMessage: "'sku'", stackTrace: ['  File "/var/task/app.py", line 9\n'], location: '/var/task/app.py:handler:9' },
      want: json({
        body: 'failed', severityNumber: 17, severityText: 'ERROR', requestId: ID, timeMs: TIME_MS,
        attributes: { logger: 'root', errorType: 'KeyError', errorMessage: "'sku'", stackTrace: ['  File "/var/task/app.py", line 9\n'], location: '/var/task/app.py:handler:9' },
      }),
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(parseLogRecord(row.record), row.want);
    });
  }

  it('keeps nested values by reference and never copies the body', () => {
    const customer = { tier: 'gold', tags: ['a'] };
    const record = { message: 'x', customer };
    const parsed = parseLogRecord(record);
    assert.equal(parsed.attributes?.['customer'], customer);
    const noMessage = { orderId: 1 };
    assert.equal(parseLogRecord(noMessage).body, noMessage);
  });

  it('an own __proto__ field from JSON.parse stays a plain attribute', () => {
    const parsed = parseLogRecord(JSON.parse('{"message":"x","__proto__":{"polluted":true}}') as JsonLogRecord);
    const attributes = parsed.attributes ?? {};
    assert.equal(Object.getPrototypeOf(attributes), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(attributes, '__proto__')?.value, { polluted: true });
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('does not walk deeply nested or huge records', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 100_000; i++) deep = { child: deep };
    const parsed = parseLogRecord({ message: 'deep', nested: deep });
    assert.equal(parsed.attributes?.['nested'], deep);
    const huge: Record<string, unknown> = { message: 'wide' };
    for (let i = 0; i < 50_000; i++) huge[`k${i}`] = i;
    assert.equal(Object.keys(parseLogRecord(huge).attributes ?? {}).length, 50_000);
  });

  it('never throws, even for a record whose getters throw', () => {
    const hostile = new Proxy({}, { get: () => { throw new Error('no'); }, ownKeys: () => { throw new Error('no'); } });
    const parsed = parseLogRecord(hostile as JsonLogRecord);
    assert.equal(parsed.format, 'json');
    assert.equal(parsed.severityNumber, 0);
  });

  it('values that are neither a string nor an object come back as a plain body', () => {
    for (const value of [null, undefined, 42, true, ['a']]) {
      assert.deepEqual(parseLogRecord(value as unknown as LogRecord), text('plain', { body: value }));
    }
  });
});

describe('severityOf', () => {
  const table: ReadonlyArray<readonly [string, number]> = [
    ['TRACE', SEVERITY.TRACE], ['FINEST', SEVERITY.TRACE], ['VERBOSE', SEVERITY.TRACE],
    ['DEBUG', SEVERITY.DEBUG], ['FINER', SEVERITY.DEBUG], ['FINE', 6], ['CONFIG', 7],
    ['INFO', SEVERITY.INFO], ['INFORMATION', SEVERITY.INFO], ['INFORMATIONAL', SEVERITY.INFO], ['NOTICE', 10],
    ['WARN', SEVERITY.WARN], ['WARNING', SEVERITY.WARN],
    ['ERROR', SEVERITY.ERROR], ['ERR', SEVERITY.ERROR], ['SEVERE', SEVERITY.ERROR],
    ['FATAL', SEVERITY.FATAL], ['CRITICAL', SEVERITY.FATAL], ['CRIT', SEVERITY.FATAL], ['PANIC', SEVERITY.FATAL],
    ['ALERT', 22], ['EMERG', 23], ['EMERGENCY', 23],
    ['OFF', 0], ['ALL', 0], ['NONE', 0], ['NOTSET', 0],
  ];
  for (const [name, severity] of table) {
    it(`${name} -> ${severity}, in any case`, () => {
      assert.equal(severityOf(name), severity);
      assert.equal(severityOf(name.toLowerCase()), severity);
      assert.equal(severityOf(name[0] + name.slice(1).toLowerCase()), severity);
    });
  }

  it('0 for unknown, empty, padded, over-long and non-string names', () => {
    for (const name of ['', 'NOTE', 'INFO ', ' WARN', 'WARNINGS', 'X'.repeat(10_000), 'INFORMATIONAL!']) assert.equal(severityOf(name), 0);
    assert.equal(severityOf(30 as unknown as string), 0);
  });

  it('SEVERITY has the OTel data model values', () => {
    assert.deepEqual(SEVERITY, { UNSPECIFIED: 0, TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 });
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

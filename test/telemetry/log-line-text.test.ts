/**
 * The text formats of log-line-text.ts, through parseLogRecord(): one table per runtime prefix
 * (lines written here from the runtimes' documented shapes), the bare level prefixes, and one
 * row per near-miss that must stay plain.
 */
import { describe } from 'node:test';
import { ID, ID_UPPER, JAVA_TIME, JAVA_TIME_S, TIME, TIME_MS, TIME_S_MS, runRows, text } from './log-line-support.ts';
import type { Expected, Row } from './log-line-support.ts';
import type { ParsedLog } from '../../src/telemetry/parsed-log.ts';

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

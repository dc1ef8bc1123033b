/**
 * Values and helpers shared by the log-line tests (not a test file: the runner only picks
 * `*.test.ts`): a request id and one instant as each runtime writes it, the expected result of
 * a text line, and a table runner.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseLogRecord } from '../../src/telemetry/log-line.ts';
import type { ParsedLog } from '../../src/telemetry/parsed-log.ts';

export const ID = '3b9e2a71-5c4d-4f08-b6a2-91d7e0c35f4a';
export const ID_UPPER = 'C0FFEE00-1D2B-4A3C-8E9F-0123456789AB';
export const TIME = '2025-02-11T17:45:09.307Z';
export const TIME_MS = Date.parse(TIME);
/** The same instant as log4j2 writes it with `%d{yyyy-MM-dd HH:mm:ss.SSS}`. */
export const JAVA_TIME = '2025-02-11 17:45:09.307';
export const JAVA_TIME_S = '2025-02-11 17:45:09';
export const TIME_S_MS = Date.parse('2025-02-11T17:45:09Z');

export type Expected = Omit<Partial<ParsedLog>, 'body'> & { readonly body: unknown };

/** A full ParsedLog with the defaults of a text line. */
export function text(format: ParsedLog['format'], fields: Expected): ParsedLog {
  return { severityNumber: 0, severityText: '', requestId: null, timeMs: null, attributes: null, format, ...fields };
}

export interface Row {
  readonly name: string;
  readonly line: string;
  readonly want: ParsedLog;
}

/** One test per row: parseLogRecord(row.line) is exactly row.want. */
export function runRows(rows: readonly Row[]): void {
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(parseLogRecord(row.line), row.want);
    });
  }
}

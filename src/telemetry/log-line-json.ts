/**
 * The JSON log format of the Lambda managed runtimes (`AWS_LAMBDA_LOG_FORMAT=JSON`): a record
 * delivered as an object (the usual case), and one delivered as a text line (as Managed
 * Instances hand function logs over), of which only the request id is taken.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
 */
import { setField } from '../util/set-field.ts';
import type { JsonLogRecord } from './events.ts';
import { MAX_TIME_LENGTH, isoToMs } from './log-time.ts';
import { severityOf } from './log-severity.ts';
import { NO_ATTRIBUTES, parsedLog } from './parsed-log.ts';
import type { ParsedLog } from './parsed-log.ts';

/**
 * Reads a JSON log record: `level`, `timestamp`, `requestId` (or the Java runtime's
 * `AWSRequestId`) and `message` are taken when usable, every other own field becomes an
 * attribute. Throws only when a getter or proxy of the record does.
 */
export function parseJsonRecord(record: JsonLogRecord): ParsedLog {
  const { level, timestamp, requestId, message } = record;
  const levelUsed = typeof level === 'string';
  const severityText = levelUsed ? level : '';
  const timeMs = typeof timestamp === 'string' && timestamp.length <= MAX_TIME_LENGTH ? isoToMs(timestamp, 0, timestamp.length) : NaN;
  const idKey = requestIdKey(requestId, record['AWSRequestId']);
  let attributes: Record<string, unknown> | null = null;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    if (key === 'message' || key === idKey || (key === 'level' && levelUsed) || (key === 'timestamp' && !Number.isNaN(timeMs))) continue;
    attributes ??= {};
    setField(attributes, key, record[key]);
  }
  return parsedLog(
    message === undefined ? record : message,
    severityOf(severityText),
    severityText,
    idKey === null ? null : (record[idKey] as string),
    Number.isNaN(timeMs) ? null : timeMs,
    attributes ?? NO_ATTRIBUTES,
    'json',
  );
}

/**
 * A JSON line delivered as text, spanning [0, end): only its request id is taken, so that
 * concurrent invocations' lines land on their own; the body stays the line as written. Null
 * when the line is not a JSON object or array naming a request id.
 */
export function parseJsonText(line: string, end: number): ParsedLog | null {
  const text = line.slice(0, end);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const fields = value as Record<string, unknown>;
  const idKey = requestIdKey(fields['requestId'], fields['AWSRequestId']);
  return idKey === null ? null : parsedLog(text, 0, '', fields[idKey] as string, null, null, 'plain');
}

/** Which field names the request id: `requestId` when it is a non-empty string, else the Java runtime's `AWSRequestId`, else none. */
function requestIdKey(requestId: unknown, awsRequestId: unknown): 'requestId' | 'AWSRequestId' | null {
  if (typeof requestId === 'string' && requestId !== '') return 'requestId';
  return typeof awsRequestId === 'string' && awsRequestId !== '' ? 'AWSRequestId' : null;
}

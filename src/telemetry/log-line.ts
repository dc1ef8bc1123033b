/**
 * Reads one `function` / `extension` log line (the `record` of those events: text, or an object
 * in the JSON log format) into body, severity, request id, time and, for JSON, attributes.
 * Pure, never throws; allocates one result object plus the body slice (and, for JSON, the
 * attributes object when there are extra fields). The formats are in log-line-text.ts and
 * log-line-json.ts.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
 */
import type { LogRecord } from './events.ts';
import { parseJsonRecord } from './log-line-json.ts';
import { parseText } from './log-line-text.ts';
import { NO_ATTRIBUTES, parsedLog } from './parsed-log.ts';
import type { ParsedLog } from './parsed-log.ts';

/**
 * Interprets one log record. Text: Node.js `time\tid\tLEVEL\tmsg`, Python `[LEVEL]\ttime\tid\tmsg`,
 * log4j2 `yyyy-MM-dd HH:mm:ss[.SSS] <id> LEVEL rest`, a bare `[LEVEL] ` or `LEVEL: ` prefix,
 * else plain. A prefix counts only when its level is known and its request id UUID-shaped
 * (or the runtime's "none": `undefined` for Node.js, empty for Python and log4j2).
 * JSON: see {@link ParsedLog}; a known field of an unusable type (level not a string, timestamp
 * not an ISO time, requestId not a non-empty string) is kept as an attribute instead.
 * @example parseLogRecord('[WARN] disk almost full\n') // { body: 'disk almost full', severityNumber: 13, format: 'level-prefix', ... }
 */
export function parseLogRecord(record: LogRecord): ParsedLog {
  if (typeof record === 'string') return parseText(record);
  if (record !== null && typeof record === 'object' && !Array.isArray(record)) {
    try {
      return parseJsonRecord(record);
    } catch {
      // Only a getter or proxy can throw here; JSON.parse output never does.
      return parsedLog(record, 0, '', null, null, NO_ATTRIBUTES, 'json');
    }
  }
  return parsedLog(record, 0, '', null, null, null, 'plain');
}

/**
 * The text formats of a log line: the prefixes the Lambda managed runtimes write (Node.js,
 * Python, log4j2 as the Java docs configure it), a bare `[LEVEL] ` or `LEVEL: ` prefix, and a
 * JSON line delivered as text; anything else is plain. A prefix counts only when its level is
 * known and its request id UUID-shaped (or the runtime's "none": `undefined` for Node.js, empty
 * for Python and log4j2).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
 */
import { parseJsonText } from './log-line-json.ts';
import {
  BRACE_OPEN, BRACKET_CLOSE, BRACKET_OPEN, COLON, CR, GT, LF, LT, SPACE, TAB, UPPER_T, UUID_LENGTH,
  indexBefore, isDigit, isUpper, isUuid,
} from './log-scan.ts';
import { MAX_LEVEL_LENGTH, severityOf } from './log-severity.ts';
import { MAX_TIME_LENGTH, MIN_TIME_LENGTH, isoToMs } from './log-time.ts';
import { parsedLog } from './parsed-log.ts';
import type { ParsedLog } from './parsed-log.ts';

/** `YYYY-MM-DDTHH:MM:SS.sssZ`, as `Date.prototype.toISOString` writes it (Node.js prefix; characters). */
const NODE_TIME_LENGTH = 24;

/** Reads one text line; the first character picks the only formats it can be. */
export function parseText(line: string): ParsedLog {
  let end = line.length;
  // Lambda keeps the newline the runtime wrote after each console line.
  if (end > 0 && line.charCodeAt(end - 1) === LF) end -= end > 1 && line.charCodeAt(end - 2) === CR ? 2 : 1;
  const first = line.charCodeAt(0);
  const parsed = first === BRACKET_OPEN ? python(line, end) ?? bracketPrefix(line, end)
    : isDigit(first) ? node(line, end) ?? java(line, end)
    : isUpper(first) ? colonPrefix(line, end)
    : first === BRACE_OPEN ? parseJsonText(line, end)
    : null;
  return parsed ?? parsedLog(end === line.length ? line : line.slice(0, end), 0, '', null, null, null, 'plain');
}

/** `2024-05-01T10:00:00.123Z\t<uuid|undefined>\tINFO\tmessage` (requestId is `undefined` during init). */
function node(line: string, end: number): ParsedLog | null {
  if (line.charCodeAt(NODE_TIME_LENGTH) !== TAB) return null;
  const timeMs = isoToMs(line, 0, NODE_TIME_LENGTH);
  if (Number.isNaN(timeMs)) return null;
  const idStart = NODE_TIME_LENGTH + 1;
  let levelStart = idStart + UUID_LENGTH + 1;
  let requestId: string | null = null;
  if (isUuid(line, idStart) && line.charCodeAt(levelStart - 1) === TAB) requestId = line.slice(idStart, levelStart - 1);
  else if (line.startsWith('undefined\t', idStart)) levelStart = idStart + 10;
  else return null;
  const levelEnd = indexBefore(line, TAB, levelStart, levelStart + MAX_LEVEL_LENGTH + 1, end);
  if (levelEnd < 0) return null;
  const level = line.slice(levelStart, levelEnd);
  const severity = severityOf(level);
  return severity === 0 ? null : parsedLog(line.slice(levelEnd + 1, end), severity, level, requestId, timeMs, null, 'node');
}

/** `[ERROR]\t2024-05-01T10:00:00.123Z\t<uuid|empty>\tmessage` (the request id is empty during init). */
function python(line: string, end: number): ParsedLog | null {
  const close = indexBefore(line, BRACKET_CLOSE, 1, MAX_LEVEL_LENGTH + 2, end);
  if (close < 0 || line.charCodeAt(close + 1) !== TAB) return null;
  const timeStart = close + 2;
  const timeEnd = indexBefore(line, TAB, timeStart, timeStart + MAX_TIME_LENGTH + 1, end);
  if (timeEnd < 0) return null;
  const timeMs = isoToMs(line, timeStart, timeEnd);
  if (Number.isNaN(timeMs)) return null;
  let idEnd = timeEnd + 1;
  if (isUuid(line, idEnd)) idEnd += UUID_LENGTH;
  if (line.charCodeAt(idEnd) !== TAB || idEnd >= end) return null;
  const level = line.slice(1, close);
  const severity = severityOf(level);
  if (severity === 0) return null;
  const requestId = idEnd === timeEnd + 1 ? null : line.slice(timeEnd + 1, idEnd);
  return parsedLog(line.slice(idEnd + 1, end), severity, level, requestId, timeMs, null, 'python');
}

/** log4j2 `%d{yyyy-MM-dd HH:mm:ss[.SSS]} <%X{AWSRequestId}> %-5p rest`, brackets optional; time read as UTC (Lambda's TZ). */
function java(line: string, end: number): ParsedLog | null {
  const sep = line.charCodeAt(10);
  if (sep !== SPACE && sep !== UPPER_T) return null;
  const timeEnd = indexBefore(line, SPACE, MIN_TIME_LENGTH, MAX_TIME_LENGTH + 1, end);
  if (timeEnd < 0) return null;
  const timeMs = isoToMs(line, 0, timeEnd);
  if (Number.isNaN(timeMs)) return null;
  let p = timeEnd + 1;
  let requestId: string | null = null;
  if (line.charCodeAt(p) === LT) {
    if (isUuid(line, p + 1) && line.charCodeAt(p + 1 + UUID_LENGTH) === GT) requestId = line.slice(p + 1, p + 1 + UUID_LENGTH);
    else if (line.charCodeAt(p + 1) !== GT) return null;
    p += requestId === null ? 2 : UUID_LENGTH + 2;
  } else if (isUuid(line, p)) {
    requestId = line.slice(p, p + UUID_LENGTH);
    p += UUID_LENGTH;
  } // else: an empty MDC value leaves two spaces in a row.
  if (line.charCodeAt(p) !== SPACE) return null;
  const levelStart = p + 1;
  const spaceAt = indexBefore(line, SPACE, levelStart, levelStart + MAX_LEVEL_LENGTH + 1, end);
  const levelEnd = spaceAt >= 0 ? spaceAt : end - levelStart <= MAX_LEVEL_LENGTH ? end : levelStart;
  const level = line.slice(levelStart, levelEnd);
  const severity = severityOf(level);
  // %-5p pads the level; the message may end in blank stack-trace lines.
  return severity === 0 ? null : parsedLog(line.slice(levelEnd, end).trim(), severity, level, requestId, timeMs, null, 'java');
}

/** `[LEVEL] message` or `[LEVEL]\tmessage` (any case), e.g. the Java runtime's own text format. */
function bracketPrefix(line: string, end: number): ParsedLog | null {
  const close = indexBefore(line, BRACKET_CLOSE, 1, MAX_LEVEL_LENGTH + 2, end);
  if (close < 0) return null;
  const next = close + 1;
  if (next < end && line.charCodeAt(next) !== SPACE && line.charCodeAt(next) !== TAB) return null;
  const level = line.slice(1, close);
  const severity = severityOf(level);
  return severity === 0 ? null : parsedLog(line.slice(Math.min(next + 1, end), end), severity, level, null, null, null, 'level-prefix');
}

/** `LEVEL: message`, upper-case names only, so that `Error: ...` text stays plain. */
function colonPrefix(line: string, end: number): ParsedLog | null {
  let i = 1;
  while (i < end && i <= MAX_LEVEL_LENGTH && isUpper(line.charCodeAt(i))) i++;
  if (line.charCodeAt(i) !== COLON || line.charCodeAt(i + 1) !== SPACE || i + 1 >= end) return null;
  const level = line.slice(0, i);
  // All upper case already, so the exact lookup of severityOf answers.
  const severity = severityOf(level);
  return severity === 0 ? null : parsedLog(line.slice(i + 2, end), severity, level, null, null, null, 'level-prefix');
}

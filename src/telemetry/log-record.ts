/**
 * Reads one `function` / `extension` log record: recognises the text prefixes of the Lambda
 * managed runtimes and the JSON log format, and returns body, severity, request id and time.
 * Pure, never throws, scans with `charCodeAt` (no regex, no split), allocates one result
 * object plus the body slice (and, for JSON, the attributes object when there are extra fields).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
 */
import { setField } from '../util/set-field.ts';
import type { JsonLogRecord, LogRecord } from './events.ts';

/**
 * OpenTelemetry severity numbers (same values as the OTel logs data model): TRACE=1, DEBUG=5, INFO=9, WARN=13, ERROR=17, FATAL=21; 0 = unspecified.
 * @example parseLogRecord(line).severityNumber >= SEVERITY.ERROR // an error or worse
 */
export const SEVERITY = { UNSPECIFIED: 0, TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 } as const;

/** What {@link parseLogRecord} read from one record. */
export interface ParsedLog {
  /** The message: for text, the line without the recognised prefix (trailing newline removed); for JSON, the `message` field (any JSON value) or, when absent, the whole object. */
  readonly body: unknown;
  /** OTel severity number, 0 when the record carries no known level. */
  readonly severityNumber: number;
  /** The level as written (e.g. `INFO`, `WARN`, `error`); '' when the record carries none. */
  readonly severityText: string;
  /** From the prefix (UUID-shaped only) or the JSON `requestId` / `AWSRequestId` field. */
  readonly requestId: string | null;
  /** Epoch ms from the line's own timestamp when it has one (prefix or JSON `timestamp`), else null (the caller uses the event's time). */
  readonly timeMs: number | null;
  /** JSON log format only: every field not consumed as timestamp/level/requestId/message, as given (nested objects kept as objects). null for text. */
  readonly attributes: Readonly<Record<string, unknown>> | null;
  /** Which format was recognised. */
  readonly format: 'node' | 'python' | 'java' | 'level-prefix' | 'json' | 'plain';
}

/** Level names (upper case) to severity; finer names use the in-between numbers of the OTel data model. */
const SEVERITY_BY_NAME: ReadonlyMap<string, number> = new Map([
  ['TRACE', SEVERITY.TRACE], ['FINEST', SEVERITY.TRACE], ['VERBOSE', SEVERITY.TRACE],
  ['DEBUG', SEVERITY.DEBUG], ['FINER', SEVERITY.DEBUG], ['FINE', SEVERITY.DEBUG + 1], ['CONFIG', SEVERITY.DEBUG + 2],
  ['INFO', SEVERITY.INFO], ['INFORMATION', SEVERITY.INFO], ['INFORMATIONAL', SEVERITY.INFO], ['NOTICE', SEVERITY.INFO + 1],
  ['WARN', SEVERITY.WARN], ['WARNING', SEVERITY.WARN],
  ['ERROR', SEVERITY.ERROR], ['ERR', SEVERITY.ERROR], ['SEVERE', SEVERITY.ERROR],
  ['FATAL', SEVERITY.FATAL], ['CRITICAL', SEVERITY.FATAL], ['CRIT', SEVERITY.FATAL], ['PANIC', SEVERITY.FATAL],
  ['ALERT', SEVERITY.FATAL + 1], ['EMERG', SEVERITY.FATAL + 2], ['EMERGENCY', SEVERITY.FATAL + 2],
  // Thresholds, not severities (log4j OFF/ALL, .NET None, Python NOTSET): known, yet unspecified.
  ['OFF', SEVERITY.UNSPECIFIED], ['ALL', SEVERITY.UNSPECIFIED], ['NONE', SEVERITY.UNSPECIFIED], ['NOTSET', SEVERITY.UNSPECIFIED],
]);
/** Longest name in the table; longer tokens are never levels. */
const MAX_LEVEL_LENGTH = 13;
const UUID_LENGTH = 36;
/** `YYYY-MM-DDTHH:MM:SS.sssZ`, as `Date.prototype.toISOString` writes it (Node.js prefix). */
const NODE_TIME_LENGTH = 24;
/** `YYYY-MM-DD HH:MM:SS`, the shortest time the parser accepts. */
const MIN_TIME_LENGTH = 19;
/** Longest time field: 19 + fraction (1 + 9) + offset (6). */
const MAX_TIME_LENGTH = 35;
const NO_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({});
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const TAB = 9, LF = 10, CR = 13, SPACE = 32, PLUS = 43, COMMA = 44, DASH = 45, DOT = 46;
const ZERO = 48, NINE = 57, COLON = 58, LT = 60, GT = 62, UPPER_A = 65, UPPER_T = 84, UPPER_Z = 90;
const BRACKET_OPEN = 91, BRACKET_CLOSE = 93, BRACE_OPEN = 123;

/**
 * Maps a level name (case-insensitive) to an OTel severity number: TRACE/FINEST/VERBOSE 1,
 * DEBUG/FINER 5, FINE 6, CONFIG 7, INFO/INFORMATION 9, NOTICE 10, WARN/WARNING 13,
 * ERROR/ERR/SEVERE 17, FATAL/CRITICAL/CRIT/PANIC 21, ALERT 22, EMERG/EMERGENCY 23;
 * 0 for OFF/ALL/NONE/NOTSET and for anything unknown.
 * @example severityOf('warning') // 13
 */
export function severityOf(level: string): number {
  if (typeof level !== 'string' || level.length === 0 || level.length > MAX_LEVEL_LENGTH) return 0;
  const exact = SEVERITY_BY_NAME.get(level);
  return exact ?? SEVERITY_BY_NAME.get(level.toUpperCase()) ?? 0;
}

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
      return parseJson(record);
    } catch {
      // Only a getter or proxy can throw here; JSON.parse output never does.
      return result(record, 0, '', null, null, NO_ATTRIBUTES, 'json');
    }
  }
  return result(record, 0, '', null, null, null, 'plain');
}

function result(body: unknown, severityNumber: number, severityText: string, requestId: string | null, timeMs: number | null, attributes: Readonly<Record<string, unknown>> | null, format: ParsedLog['format']): ParsedLog {
  return { body, severityNumber, severityText, requestId, timeMs, attributes, format };
}

function parseText(line: string): ParsedLog {
  let end = line.length;
  // Lambda keeps the newline the runtime wrote after each console line.
  if (end > 0 && line.charCodeAt(end - 1) === LF) end -= end > 1 && line.charCodeAt(end - 2) === CR ? 2 : 1;
  const first = line.charCodeAt(0);
  const parsed = first === BRACKET_OPEN ? python(line, end) ?? bracketPrefix(line, end)
    : isDigit(first) ? node(line, end) ?? java(line, end)
    : isUpper(first) ? colonPrefix(line, end)
    : first === BRACE_OPEN ? jsonText(line, end)
    : null;
  return parsed ?? result(end === line.length ? line : line.slice(0, end), 0, '', null, null, null, 'plain');
}

/**
 * A JSON line delivered as text (Managed Instances hand function logs over this way): only
 * its request id is taken, so that concurrent invocations' lines land on their own; the body
 * stays the line as written.
 */
function jsonText(line: string, end: number): ParsedLog | null {
  let value: unknown;
  try {
    value = JSON.parse(line.slice(0, end));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { requestId, AWSRequestId } = value as { requestId?: unknown; AWSRequestId?: unknown };
  const id = typeof requestId === 'string' && requestId !== '' ? requestId : typeof AWSRequestId === 'string' && AWSRequestId !== '' ? AWSRequestId : null;
  return id === null ? null : result(line.slice(0, end), 0, '', id, null, null, 'plain');
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
  return severity === 0 ? null : result(line.slice(levelEnd + 1, end), severity, level, requestId, timeMs, null, 'node');
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
  return result(line.slice(idEnd + 1, end), severity, level, requestId, timeMs, null, 'python');
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
  return severity === 0 ? null : result(line.slice(levelEnd, end).trim(), severity, level, requestId, timeMs, null, 'java');
}

/** `[LEVEL] message` or `[LEVEL]\tmessage` (any case), e.g. the Java runtime's own text format. */
function bracketPrefix(line: string, end: number): ParsedLog | null {
  const close = indexBefore(line, BRACKET_CLOSE, 1, MAX_LEVEL_LENGTH + 2, end);
  if (close < 0) return null;
  const next = close + 1;
  if (next < end && line.charCodeAt(next) !== SPACE && line.charCodeAt(next) !== TAB) return null;
  const level = line.slice(1, close);
  const severity = severityOf(level);
  return severity === 0 ? null : result(line.slice(Math.min(next + 1, end), end), severity, level, null, null, null, 'level-prefix');
}

/** `LEVEL: message`, upper-case names only, so that `Error: ...` text stays plain. */
function colonPrefix(line: string, end: number): ParsedLog | null {
  let i = 1;
  while (i < end && i <= MAX_LEVEL_LENGTH && isUpper(line.charCodeAt(i))) i++;
  if (line.charCodeAt(i) !== COLON || line.charCodeAt(i + 1) !== SPACE || i + 1 >= end) return null;
  const level = line.slice(0, i);
  const severity = SEVERITY_BY_NAME.get(level) ?? 0;
  return severity === 0 ? null : result(line.slice(i + 2, end), severity, level, null, null, null, 'level-prefix');
}

function parseJson(record: JsonLogRecord): ParsedLog {
  const { level, timestamp, requestId, message } = record;
  const levelUsed = typeof level === 'string';
  const severityText = levelUsed ? level : '';
  const timeMs = typeof timestamp === 'string' && timestamp.length <= MAX_TIME_LENGTH ? isoToMs(timestamp, 0, timestamp.length) : NaN;
  // The Java runtime spells it AWSRequestId.
  const alias = record['AWSRequestId'];
  const idKey = typeof requestId === 'string' && requestId !== '' ? 'requestId' : typeof alias === 'string' && alias !== '' ? 'AWSRequestId' : null;
  let attributes: Record<string, unknown> | null = null;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    if (key === 'message' || key === idKey || (key === 'level' && levelUsed) || (key === 'timestamp' && !Number.isNaN(timeMs))) continue;
    attributes ??= {};
    setField(attributes, key, record[key]);
  }
  return result(
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
 * Epoch ms of `YYYY-MM-DD(T| )HH:MM:SS[(.|,)fraction][Z|±HH:MM|±HHMM]` spanning exactly
 * [start, end); no zone means UTC. NaN when anything is off (including Feb 30 or hour 24).
 */
function isoToMs(s: string, start: number, end: number): number {
  if (end - start < MIN_TIME_LENGTH) return NaN;
  const sep = s.charCodeAt(start + 10);
  if (s.charCodeAt(start + 4) !== DASH || s.charCodeAt(start + 7) !== DASH || (sep !== UPPER_T && sep !== SPACE)
    || s.charCodeAt(start + 13) !== COLON || s.charCodeAt(start + 16) !== COLON) return NaN;
  const year = digits(s, start, 4), month = digits(s, start + 5, 2), day = digits(s, start + 8, 2);
  const hour = digits(s, start + 11, 2), minute = digits(s, start + 14, 2), second = digits(s, start + 17, 2);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > (DAYS_IN_MONTH[month - 1] ?? 0) || hour > 23 || minute > 59 || second > 59 || hour < 0 || minute < 0 || second < 0) return NaN;
  if (month === 2 && day === 29 && (year % 4 !== 0 || (year % 100 === 0 && year % 400 !== 0))) return NaN;
  let i = start + MIN_TIME_LENGTH;
  let ms = 0;
  let c = s.charCodeAt(i);
  if (i < end && (c === DOT || c === COMMA)) {
    const fractionStart = ++i;
    while (i < end && isDigit(s.charCodeAt(i))) {
      if (i - fractionStart < 3) ms = ms * 10 + s.charCodeAt(i) - ZERO;
      i++;
    }
    const count = i - fractionStart;
    if (count === 0 || count > 9) return NaN;
    if (count < 3) ms *= count === 1 ? 100 : 10;
  }
  let offsetMinutes = 0;
  c = s.charCodeAt(i);
  if (i < end && c === UPPER_Z) i++;
  else if (i < end && (c === PLUS || c === DASH)) {
    const hh = digits(s, i + 1, 2);
    const mmStart = s.charCodeAt(i + 3) === COLON ? i + 4 : i + 3;
    const mm = digits(s, mmStart, 2);
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59) return NaN;
    offsetMinutes = (c === PLUS ? 1 : -1) * (hh * 60 + mm);
    i = mmStart + 2;
  }
  if (i !== end) return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
}

/** The value of `count` decimal digits at `at`, or -1. */
function digits(s: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return -1;
    value = value * 10 + c - ZERO;
  }
  return value;
}

/** 8-4-4-4-12 hex digits at `at` (either case). */
function isUuid(s: string, at: number): boolean {
  if (at + UUID_LENGTH > s.length) return false;
  for (let i = 0; i < UUID_LENGTH; i++) {
    const c = s.charCodeAt(at + i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== DASH) return false;
    } else if (!isDigit(c) && !((c | 0x20) >= 97 && (c | 0x20) <= 102)) return false;
  }
  return true;
}

/** Index of `code` in [from, min(limit, end)), or -1: a field is looked for only where it can be. */
function indexBefore(s: string, code: number, from: number, limit: number, end: number): number {
  const last = Math.min(limit, end);
  for (let i = from; i < last; i++) if (s.charCodeAt(i) === code) return i;
  return -1;
}

function isDigit(c: number): boolean { return c >= ZERO && c <= NINE; }
function isUpper(c: number): boolean { return c >= UPPER_A && c <= UPPER_Z; }

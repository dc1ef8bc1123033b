/**
 * Epoch ms of the timestamps runtimes write in log lines and JSON log records: ISO 8601 with
 * `T` or a space, `.` or `,` before the fraction, `Z`, `±HH:MM`, `±HHMM` or no zone (UTC, as
 * Lambda's TZ). Looser than the event times `iso-time.ts` checks, which Lambda itself stamps.
 */
import { COLON, COMMA, DASH, DOT, PLUS, SPACE, UPPER_T, UPPER_Z, ZERO, isDigit } from './log-scan.ts';

/** `YYYY-MM-DD HH:MM:SS`, the shortest time accepted (characters). */
export const MIN_TIME_LENGTH = 19;
/** Longest time field (characters): 19 + fraction (1 + 9) + offset (6). */
export const MAX_TIME_LENGTH = 35;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Epoch ms of `YYYY-MM-DD(T| )HH:MM:SS[(.|,)fraction][Z|±HH:MM|±HHMM]` spanning exactly
 * [start, end); no zone means UTC. NaN when anything is off (including Feb 30 or hour 24).
 * @example isoToMs('2025-02-11 17:45:09,307', 0, 23) // Date.parse('2025-02-11T17:45:09.307Z')
 */
export function isoToMs(s: string, start: number, end: number): number {
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

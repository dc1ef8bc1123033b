/**
 * Character-code primitives the log-line parsers scan with (`charCodeAt`, no regex, no split):
 * the codes they look for, digit and letter tests, the UUID shape of a request id, and an
 * `indexOf` bounded to where a field can be.
 */

export const TAB = 9, LF = 10, CR = 13, SPACE = 32, PLUS = 43, COMMA = 44, DASH = 45, DOT = 46;
export const ZERO = 48, NINE = 57, COLON = 58, LT = 60, GT = 62, UPPER_A = 65, UPPER_T = 84, UPPER_Z = 90;
export const BRACKET_OPEN = 91, BRACKET_CLOSE = 93, BRACE_OPEN = 123;

/** Characters of a request id: 8-4-4-4-12 hex digits. */
export const UUID_LENGTH = 36;

/** 8-4-4-4-12 hex digits at `at` (either case). */
export function isUuid(s: string, at: number): boolean {
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
export function indexBefore(s: string, code: number, from: number, limit: number, end: number): number {
  const last = Math.min(limit, end);
  for (let i = from; i < last; i++) if (s.charCodeAt(i) === code) return i;
  return -1;
}

export function isDigit(c: number): boolean { return c >= ZERO && c <= NINE; }
export function isUpper(c: number): boolean { return c >= UPPER_A && c <= UPPER_Z; }

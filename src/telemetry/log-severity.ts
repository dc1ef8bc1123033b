/**
 * Log level names, as runtimes and logging libraries write them, to OpenTelemetry severity
 * numbers. Case-insensitive; one table lookup (two for a name not in upper case).
 */

/**
 * OpenTelemetry severity numbers (same values as the OTel logs data model): TRACE=1, DEBUG=5, INFO=9, WARN=13, ERROR=17, FATAL=21; 0 = unspecified.
 * @example parseLogRecord(line).severityNumber >= SEVERITY.ERROR // an error or worse
 */
export const SEVERITY = { UNSPECIFIED: 0, TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 } as const;

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

/** Longest name in the table (characters); longer tokens are never levels, so parsers look no further. */
export const MAX_LEVEL_LENGTH = 13;

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

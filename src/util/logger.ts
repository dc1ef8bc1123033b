/**
 * The extension's own log: one JSON line per entry on stderr, which Lambda forwards to
 * CloudWatch. Callers pass counts and names, never header values, tokens or event payloads.
 */
/** Levels of the extension's own log, lowest first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The extension's own log: one JSON line per entry on stderr, from the configured level up. */
export interface Logger {
  /** Logs `msg` with `fields` (never put secrets or event payloads there). */
  debug(msg: string, fields?: Record<string, unknown>): void;
  /** Logs `msg` with `fields`. */
  info(msg: string, fields?: Record<string, unknown>): void;
  /** Logs `msg` with `fields`. */
  warn(msg: string, fields?: Record<string, unknown>): void;
  /** Logs `msg` with `fields`. */
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Changes the threshold once the configuration is known. */
  setLevel(level: LogLevel): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Creates a logger writing to `write` (stderr by default) from `level` up. */
export function createLogger(
  name: string,
  level: LogLevel = 'warn',
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  let threshold = RANK[level];
  const log = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (RANK[lvl] < threshold) return;
    write(`${JSON.stringify({ level: lvl, logger: name, msg, ...fields })}\n`);
  };
  return {
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    setLevel: (lvl) => {
      threshold = RANK[lvl];
    },
  };
}

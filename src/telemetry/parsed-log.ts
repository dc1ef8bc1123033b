/**
 * What the log-line parsers read from one `function` / `extension` log record, and the one
 * builder they all use, so that every result has the same property order (one object shape).
 */

/** What `parseLogRecord` (log-line.ts) read from one record. */
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

/** The `attributes` of a JSON record that has no field besides those consumed. */
export const NO_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({});

export function parsedLog(body: unknown, severityNumber: number, severityText: string, requestId: string | null, timeMs: number | null, attributes: Readonly<Record<string, unknown>> | null, format: ParsedLog['format']): ParsedLog {
  return { body, severityNumber, severityText, requestId, timeMs, attributes, format };
}

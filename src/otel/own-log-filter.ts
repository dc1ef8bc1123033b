/**
 * Tells this extension's own log lines in the `extension` stream. When that stream is
 * subscribed, every line the extension logs comes back through it; mapping them would log about
 * them, and so on forever. Our logger writes JSON lines naming itself (Lambda may hand them over
 * parsed, in JSON log format).
 */
import type { LogRecord } from '../telemetry/events.ts';

export interface OwnLogFilter {
  /** True when `record` is a line this extension logged (counted). */
  isOwn(record: LogRecord): boolean;
  /** Own lines seen so far. */
  skipped(): number;
}

export function createOwnLogFilter(extensionName: string): OwnLogFilter {
  const marker = `"logger":${JSON.stringify(extensionName)}`;
  let skipped = 0;
  return {
    isOwn(record) {
      const own = typeof record === 'string' ? record.startsWith('{"level":') && record.includes(marker) : record.logger === extensionName;
      if (own) skipped++;
      return own;
    },
    skipped: () => skipped,
  };
}

/**
 * Counts what the decoder refused and logs each kind of problem once (with its count in that
 * batch), then a summary of the totals at shutdown. Never logs event contents.
 */
import type { Logger } from './logger.ts';
import type { DecodeResult } from './telemetry/decode.ts';

export interface RejectLog {
  record(result: DecodeResult): void;
  /** Logs the totals of every kind seen more often than it was logged. */
  summarise(): void;
  /** Totals per kind, e.g. `invalid-record platform.start`. */
  totals(): Record<string, number>;
}

/** Distinct kinds tracked; beyond this, kinds collapse into their reason alone. */
const MAX_KINDS = 64;
const MAX_TYPE_CHARS = 64;

export function createRejectLog(logger: Logger): RejectLog {
  const counts = new Map<string, number>();

  const count = (kind: string, n: number, detail: string): void => {
    const key = counts.has(kind) || counts.size < MAX_KINDS ? kind : kind.split(' ', 1)[0]!;
    const before = counts.get(key) ?? 0;
    counts.set(key, before + n);
    if (before === 0) logger.warn('telemetry rejected', { kind: key, count: n, detail });
  };

  return {
    record(result) {
      if (result.batchError !== null) {
        count(`batch ${result.batchError}`, 1, 'the whole body was refused with HTTP 400');
        return;
      }
      const perKind = new Map<string, { n: number; detail: string }>();
      for (const item of result.rejected) {
        const kind = `${item.reason} ${typeOf(item.value)}`;
        const entry = perKind.get(kind);
        if (entry) entry.n++;
        else perKind.set(kind, { n: 1, detail: item.detail });
      }
      for (const [kind, { n, detail }] of perKind) count(kind, n, detail);
    },
    summarise() {
      if (counts.size > 0) logger.warn('telemetry rejected in total', { counts: Object.fromEntries(counts) });
    },
    totals: () => Object.fromEntries(counts),
  };
}

function typeOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '-';
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' && type !== '' ? type.slice(0, MAX_TYPE_CHARS) : '-';
}

/**
 * Counts what the decoder refused or left out and logs each kind of problem once (with its
 * count in that batch), then a summary of the totals at shutdown. Never logs event contents.
 * Rejected items and dropped optional fields are tallied apart: a dropped field's event was
 * still delivered.
 */
import type { Logger } from '../util/logger.ts';
import type { DecodeResult } from '../telemetry/decode.ts';

export interface RejectLog {
  record(result: DecodeResult): void;
  /** Logs the totals of every kind seen, one line for rejections and one for dropped fields. */
  summarise(): void;
  /**
   * Totals per kind, e.g. `invalid-record platform.start` or, for a dropped field,
   * `dropped platform.runtimeDone record.spans[]`.
   */
  totals(): Record<string, number>;
}

/** Distinct kinds tracked per tally; beyond this, kinds collapse into their first word. */
const MAX_KINDS = 64;
const MAX_TYPE_CHARS = 64;

interface Tally {
  add(kind: string, n: number, detail: string): void;
  readonly counts: Map<string, number>;
}

function createTally(logger: Logger, msg: string): Tally {
  const counts = new Map<string, number>();
  return {
    counts,
    add(kind, n, detail) {
      const key = counts.has(kind) || counts.size < MAX_KINDS ? kind : kind.split(' ', 1)[0]!;
      const before = counts.get(key) ?? 0;
      counts.set(key, before + n);
      if (before === 0) logger.warn(msg, { kind: key, count: n, detail });
    },
  };
}

export function createRejectLog(logger: Logger): RejectLog {
  const rejected = createTally(logger, 'telemetry rejected');
  const dropped = createTally(logger, 'telemetry field dropped');

  return {
    record(result) {
      if (result.batchError !== null) {
        rejected.add(`batch ${result.batchError}`, 1, 'the whole body was refused with HTTP 400');
        return;
      }
      const perKind = new Map<string, { n: number; detail: string }>();
      for (const item of result.rejected) countIn(perKind, `${item.reason} ${typeOf(item.value)}`, item.detail);
      for (const [kind, { n, detail }] of perKind) rejected.add(kind, n, detail);
      perKind.clear();
      for (const field of result.dropped) countIn(perKind, `dropped ${field.type} ${withoutIndexes(field.path)}`, field.detail);
      for (const [kind, { n, detail }] of perKind) dropped.add(kind, n, detail);
    },
    summarise() {
      if (rejected.counts.size > 0) logger.warn('telemetry rejected in total', { counts: Object.fromEntries(rejected.counts) });
      if (dropped.counts.size > 0) logger.warn('telemetry fields dropped in total', { counts: Object.fromEntries(dropped.counts) });
    },
    totals: () => ({ ...Object.fromEntries(rejected.counts), ...Object.fromEntries(dropped.counts) }),
  };
}

function countIn(perKind: Map<string, { n: number; detail: string }>, kind: string, detail: string): void {
  const entry = perKind.get(kind);
  if (entry) entry.n++;
  else perKind.set(kind, { n: 1, detail });
}

function typeOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '-';
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' && type !== '' ? type.slice(0, MAX_TYPE_CHARS) : '-';
}

/** `record.spans[3]` -> `record.spans[]`: one kind for every entry of a list. */
function withoutIndexes(path: string): string {
  return path.replace(/\[\d+\]/g, '[]');
}

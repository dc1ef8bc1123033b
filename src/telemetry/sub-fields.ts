/**
 * Decoders of the nested fields platform records share: `tracing`, `spans` and the `metrics`
 * objects. A required field throws `InvalidField`; an optional one that is malformed is noted
 * in `Drops` and left out (of `spans`, only the bad entries). Each object literal reads its
 * required parts first, so nothing inside an object dropped whole is noted as well.
 */
import { drop, dropInvalid, isFiniteNumber, isObject, num, object, optNum, optStr, str } from './fields.ts';
import type { Drops, Json } from './fields.ts';
import type { PlatformSpan, ReportMetrics, RuntimeDoneMetrics, TraceContext } from './events.ts';

const AT_METRICS = 'record.metrics';
const AT_SPANS = 'record.spans';
const AT_TRACING = 'record.tracing';

/** Metrics of init and restore reports. */
export interface PhaseMetrics {
  readonly durationMs: number;
  readonly billedDurationMs?: number;
}

export function tracing(r: Json, drops: Drops): TraceContext | undefined {
  const t = r.tracing;
  if (t === undefined) return undefined;
  if (isObject(t)) {
    const type = t.type;
    const value = t.value;
    if (typeof type === 'string' && typeof value === 'string') return { type, value, spanId: optStr(t, 'spanId', drops, AT_TRACING) };
  }
  return dropInvalid(drops, AT_TRACING, checkTracing, t);
}

export function spans(r: Json, drops: Drops): PlatformSpan[] | undefined {
  const list = r.spans;
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) return drop(drops, AT_SPANS, `${AT_SPANS} must be an array`);
  const out: PlatformSpan[] = [];
  for (let i = 0; i < list.length; i++) {
    const s: unknown = list[i];
    if (isObject(s)) {
      const name = s.name;
      const start = s.start;
      const durationMs = s.durationMs;
      if (typeof name === 'string' && typeof start === 'string' && isFiniteNumber(durationMs)) {
        out.push({ name, start, durationMs });
        continue;
      }
    }
    dropInvalid(drops, `${AT_SPANS}[${i}]`, checkSpan, s);
  }
  return out;
}

/** `metrics` of `platform.runtimeDone`, which may be absent. */
export function runtimeDoneMetrics(r: Json, drops: Drops): RuntimeDoneMetrics | undefined {
  const m = r.metrics;
  if (m === undefined) return undefined;
  if (isObject(m)) {
    const durationMs = m.durationMs;
    if (isFiniteNumber(durationMs)) return { durationMs, producedBytes: optNum(m, 'producedBytes', drops, AT_METRICS) };
  }
  return dropInvalid(drops, AT_METRICS, checkMetrics, m);
}

/** `metrics` of `platform.report`, which is required. */
export function reportMetrics(r: Json, drops: Drops): ReportMetrics {
  const m = object(r.metrics, AT_METRICS);
  return {
    durationMs: num(m, 'durationMs', AT_METRICS),
    billedDurationMs: optNum(m, 'billedDurationMs', drops, AT_METRICS),
    memorySizeMB: optNum(m, 'memorySizeMB', drops, AT_METRICS),
    maxMemoryUsedMB: optNum(m, 'maxMemoryUsedMB', drops, AT_METRICS),
    initDurationMs: optNum(m, 'initDurationMs', drops, AT_METRICS),
    restoreDurationMs: optNum(m, 'restoreDurationMs', drops, AT_METRICS),
    billedRestoreDurationMs: optNum(m, 'billedRestoreDurationMs', drops, AT_METRICS),
  };
}

/** `metrics` of `platform.initReport`, which is required. */
export function phaseMetrics(r: Json, drops: Drops): PhaseMetrics {
  const m = object(r.metrics, AT_METRICS);
  return { durationMs: num(m, 'durationMs', AT_METRICS), billedDurationMs: optNum(m, 'billedDurationMs', drops, AT_METRICS) };
}

/** `metrics` of `platform.restoreReport`, which may be absent. */
export function optPhaseMetrics(r: Json, drops: Drops): PhaseMetrics | undefined {
  const m = r.metrics;
  if (m === undefined) return undefined;
  if (isObject(m)) {
    const durationMs = m.durationMs;
    if (isFiniteNumber(durationMs)) return { durationMs, billedDurationMs: optNum(m, 'billedDurationMs', drops, AT_METRICS) };
  }
  return dropInvalid(drops, AT_METRICS, checkMetrics, m);
}

// Readers of what failed a quick check above, for the detail of the drop.

function checkTracing(value: unknown, at: string): void {
  const t = object(value, at);
  str(t, 'type', at);
  str(t, 'value', at);
}

function checkSpan(value: unknown, at: string): void {
  const s = object(value, at);
  str(s, 'name', at);
  str(s, 'start', at);
  num(s, 'durationMs', at);
}

function checkMetrics(value: unknown, at: string): void {
  num(object(value, at), 'durationMs', at);
}

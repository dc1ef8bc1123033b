/**
 * Decoders of the nested fields platform records share: `tracing`, `spans` and the `metrics`
 * objects. Each returns the typed value or throws {@link InvalidField} naming the field.
 */
import { InvalidField, num, object, optNum, str, optStr } from './fields.ts';
import type { Json } from './fields.ts';
import type { PlatformSpan, ReportMetrics, RuntimeDoneMetrics, TraceContext } from './events.ts';

const AT_METRICS = 'record.metrics';
const AT_TRACING = 'record.tracing';

/** Metrics of init and restore reports. */
export interface PhaseMetrics {
  readonly durationMs: number;
  readonly billedDurationMs?: number;
}

export function tracing(r: Json): TraceContext | undefined {
  if (r.tracing === undefined) return undefined;
  const t = object(r.tracing, AT_TRACING);
  return { type: str(t, 'type', AT_TRACING), value: str(t, 'value', AT_TRACING), spanId: optStr(t, 'spanId', AT_TRACING) };
}

export function spans(r: Json): PlatformSpan[] | undefined {
  const list = r.spans;
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) throw new InvalidField('record.spans must be an array');
  const out: PlatformSpan[] = new Array<PlatformSpan>(list.length);
  for (let i = 0; i < list.length; i++) {
    const at = `record.spans[${i}]`;
    const s = object(list[i], at);
    out[i] = { name: str(s, 'name', at), start: str(s, 'start', at), durationMs: num(s, 'durationMs', at) };
  }
  return out;
}

/** `metrics` of `platform.runtimeDone`, which may be absent. */
export function runtimeDoneMetrics(r: Json): RuntimeDoneMetrics | undefined {
  if (r.metrics === undefined) return undefined;
  const m = object(r.metrics, AT_METRICS);
  return { durationMs: num(m, 'durationMs', AT_METRICS), producedBytes: optNum(m, 'producedBytes', AT_METRICS) };
}

/** `metrics` of `platform.report`, which is required. */
export function reportMetrics(r: Json): ReportMetrics {
  const m = object(r.metrics, AT_METRICS);
  return {
    durationMs: num(m, 'durationMs', AT_METRICS),
    billedDurationMs: optNum(m, 'billedDurationMs', AT_METRICS),
    memorySizeMB: optNum(m, 'memorySizeMB', AT_METRICS),
    maxMemoryUsedMB: optNum(m, 'maxMemoryUsedMB', AT_METRICS),
    initDurationMs: optNum(m, 'initDurationMs', AT_METRICS),
    restoreDurationMs: optNum(m, 'restoreDurationMs', AT_METRICS),
    billedRestoreDurationMs: optNum(m, 'billedRestoreDurationMs', AT_METRICS),
  };
}

/** `metrics` of `platform.initReport` (required) and `platform.restoreReport` (may be absent). */
export function phaseMetrics(r: Json): PhaseMetrics {
  const m = object(r.metrics, AT_METRICS);
  return { durationMs: num(m, 'durationMs', AT_METRICS), billedDurationMs: optNum(m, 'billedDurationMs', AT_METRICS) };
}

/**
 * Turns one Telemetry API POST body into typed events. Never throws on bad input: an event
 * that is invalid or of an unknown type is rejected with a reason, and the valid events of
 * the same batch are still returned.
 */
import { InvalidField, isObject, num, object, optNum, optStatus, optStr, requestId, status, str, stringArray } from './fields.ts';
import type { Json } from './fields.ts';
import { isIsoTime } from './iso-time.ts';
import type {
  InitReportRecord,
  InitRuntimeDoneRecord,
  InitStartRecord,
  LogRecord,
  PlatformSpan,
  ReportRecord,
  RestoreReportRecord,
  RestoreRuntimeDoneRecord,
  RestoreStartRecord,
  RuntimeDoneRecord,
  StartRecord,
  TelemetryEvent,
  TraceContext,
} from './events.ts';

/** Why one array item was not accepted as an event. */
export type RejectReason = 'not-an-object' | 'invalid-time' | 'invalid-type' | 'unknown-type' | 'invalid-record';

/** Why a whole body was refused (the listener answers 400). */
export type BatchError = 'invalid-json' | 'not-an-array';

/** One item of the batch that did not become an event. */
export interface RejectedItem {
  /** Position in the POSTed array. */
  readonly index: number;
  readonly reason: RejectReason;
  /** Which field was wrong, e.g. `record.requestId must be a non-empty string`. */
  readonly detail: string;
  /** The item as received, kept so that unknown event types are not lost. */
  readonly value: unknown;
}

/**
 * An optional part of an event that was malformed and left out, while the event was kept: a
 * `tracing` without `value`, one entry of `spans`, an optional field of the wrong type.
 */
export interface DroppedField {
  /** Position in the POSTed array. */
  readonly index: number;
  /** The event's type, e.g. `platform.runtimeDone`. */
  readonly type: string;
  /** What was wrong, e.g. `record.tracing.value must be a string`. */
  readonly detail: string;
}

/** The result of {@link decode}. */
export interface DecodeResult {
  /** Valid events in their original order. */
  readonly events: TelemetryEvent[];
  readonly rejected: RejectedItem[];
  /** Malformed optional parts left out of events that were kept; each is counted, never fatal. */
  readonly dropped: DroppedField[];
  /** Set when the body as a whole is not a JSON array; then both lists are empty. */
  readonly batchError: BatchError | null;
}

/**
 * Decodes one POST body of the Telemetry API.
 * @param body - the raw body (string or Buffer, UTF-8 JSON) or an already parsed value
 * @example
 * const { events, rejected } = decode('[{"time":"2024-01-01T00:00:00.000Z","type":"function","record":"hi"}]');
 */
export function decode(body: string | Buffer | unknown): DecodeResult {
  let value: unknown = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      value = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
    } catch {
      return { events: [], rejected: [], dropped: [], batchError: 'invalid-json' };
    }
  }
  if (!Array.isArray(value)) return { events: [], rejected: [], dropped: [], batchError: 'not-an-array' };

  const events: TelemetryEvent[] = [];
  const rejected: RejectedItem[] = [];
  let length: number;
  try {
    length = value.length;
  } catch {
    // Only a value given already parsed (a Proxy) can throw here.
    return { events: [], rejected: [], dropped: [], batchError: 'not-an-array' };
  }
  const dropped: DroppedField[] = [];
  droppedSink = dropped;
  for (let index = 0; index < length; index++) {
    droppedAt = index;
    let item: unknown;
    try {
      item = value[index];
      const event = decodeItem(index, item, rejected);
      if (event !== null) events.push(event);
    } catch (error) {
      // Only parsed values given by a caller can throw other errors (e.g. a throwing getter).
      const detail = error instanceof InvalidField ? error.detail : `event could not be read: ${String(error)}`;
      rejected.push({ index, reason: 'invalid-record', detail, value: item });
    }
  }
  droppedSink = NO_SINK;
  return { events, rejected, dropped, batchError: null };
}

/** Where the readers of optional parts put what they leave out: the batch being decoded. */
const NO_SINK: DroppedField[] = [];
let droppedSink: DroppedField[] = NO_SINK;
let droppedAt = 0;
let droppedType = '';

/** Records an optional part left out; returns undefined for the caller to use as the value. */
function leaveOut(error: unknown): undefined {
  if (!(error instanceof InvalidField)) throw error;
  droppedSink.push({ index: droppedAt, type: droppedType, detail: error.detail });
  return undefined;
}

/** An optional string field; of another type it is left out. */
function softStr(o: Json, key: string, at = 'record'): string | undefined {
  const v = o[key];
  if (v === undefined || typeof v === 'string') return v;
  return leaveOut(new InvalidField(`${at}.${key} must be a string`));
}

/** An optional number field; of another type it is left out. */
function softNum(o: Json, key: string, at = 'record'): number | undefined {
  const v = o[key];
  if (v === undefined || (typeof v === 'number' && Number.isFinite(v))) return v;
  return leaveOut(new InvalidField(`${at}.${key} must be a finite number`));
}

/** Decodes one array item, or records why not and returns null; throws InvalidField. */
function decodeItem(index: number, item: unknown, rejected: RejectedItem[]): TelemetryEvent | null {
  if (!isObject(item)) {
    rejected.push({ index, reason: 'not-an-object', detail: 'event must be a JSON object', value: item });
    return null;
  }
  const { time, type } = item;
  if (typeof time !== 'string' || !isIsoTime(time)) {
    rejected.push({ index, reason: 'invalid-time', detail: 'time must be an ISO 8601 string', value: item });
    return null;
  }
  if (typeof type !== 'string' || type === '') {
    rejected.push({ index, reason: 'invalid-type', detail: 'type must be a non-empty string', value: item });
    return null;
  }
  droppedType = type;
  const event = decodeEvent(time, type, item.record);
  if (event === null) rejected.push({ index, reason: 'unknown-type', detail: `unknown event type ${type}`, value: item });
  return event;
}

function decodeEvent(time: string, type: string, record: unknown): TelemetryEvent | null {
  switch (type) {
    case 'platform.initStart':
      return { time, type, record: initStart(object(record, 'record')) };
    case 'platform.initRuntimeDone':
      return { time, type, record: initRuntimeDone(object(record, 'record')) };
    case 'platform.initReport':
      return { time, type, record: initReport(object(record, 'record')) };
    case 'platform.start':
      return { time, type, record: start(object(record, 'record')) };
    case 'platform.runtimeDone':
      return { time, type, record: runtimeDone(object(record, 'record')) };
    case 'platform.report':
      return { time, type, record: report(object(record, 'record')) };
    case 'platform.restoreStart':
      return { time, type, record: restoreStart(object(record, 'record')) };
    case 'platform.restoreRuntimeDone':
      return { time, type, record: restoreRuntimeDone(object(record, 'record')) };
    case 'platform.restoreReport':
      return { time, type, record: restoreReport(object(record, 'record')) };
    case 'platform.extension': {
      const r = object(record, 'record');
      const events = stringArray(r, 'events');
      return { time, type, record: { name: str(r, 'name'), state: str(r, 'state'), events, errorType: optStr(r, 'errorType') } };
    }
    case 'platform.telemetrySubscription': {
      const r = object(record, 'record');
      return { time, type, record: { name: str(r, 'name'), state: str(r, 'state'), types: stringArray(r, 'types') } };
    }
    case 'platform.logsDropped': {
      const r = object(record, 'record');
      return {
        time,
        type,
        record: { reason: str(r, 'reason'), droppedRecords: num(r, 'droppedRecords'), droppedBytes: num(r, 'droppedBytes') },
      };
    }
    case 'function':
    case 'extension':
      return { time, type, record: logRecord(record) };
    default:
      return null;
  }
}

function initStart(r: Json): InitStartRecord {
  return {
    initializationType: optStr(r, 'initializationType'),
    phase: optStr(r, 'phase'),
    ...restoreStart(r),
    tracing: tracing(r),
  };
}

function initRuntimeDone(r: Json): InitRuntimeDoneRecord {
  return {
    initializationType: optStr(r, 'initializationType'),
    phase: optStr(r, 'phase'),
    status: status(r),
    errorType: optStr(r, 'errorType'),
    spans: spans(r),
    tracing: tracing(r),
  };
}

function initReport(r: Json): InitReportRecord {
  const metrics = object(r.metrics, 'record.metrics');
  return {
    initializationType: optStr(r, 'initializationType'),
    phase: optStr(r, 'phase'),
    status: optStatus(r),
    errorType: optStr(r, 'errorType'),
    metrics: { durationMs: num(metrics, 'durationMs', 'record.metrics'), billedDurationMs: optNum(metrics, 'billedDurationMs', 'record.metrics') },
    spans: spans(r),
    tracing: tracing(r),
  };
}

function start(r: Json): StartRecord {
  return { requestId: requestId(r), version: softStr(r, 'version'), tenantId: softStr(r, 'tenantId'), tracing: tracing(r) };
}

function runtimeDone(r: Json): RuntimeDoneRecord {
  let metrics: RuntimeDoneRecord['metrics'];
  if (r.metrics !== undefined) {
    try {
      const m = object(r.metrics, 'record.metrics');
      metrics = { durationMs: num(m, 'durationMs', 'record.metrics'), producedBytes: softNum(m, 'producedBytes', 'record.metrics') };
    } catch (error) {
      metrics = leaveOut(error);
    }
  }
  return {
    requestId: requestId(r),
    status: status(r),
    errorType: softStr(r, 'errorType'),
    tenantId: softStr(r, 'tenantId'),
    metrics,
    spans: spans(r),
    tracing: tracing(r),
  };
}

function report(r: Json): ReportRecord {
  const m = object(r.metrics, 'record.metrics');
  const at = 'record.metrics';
  return {
    requestId: requestId(r),
    status: optStatus(r),
    errorType: softStr(r, 'errorType'),
    tenantId: softStr(r, 'tenantId'),
    metrics: {
      durationMs: num(m, 'durationMs', at),
      billedDurationMs: softNum(m, 'billedDurationMs', at),
      memorySizeMB: softNum(m, 'memorySizeMB', at),
      maxMemoryUsedMB: softNum(m, 'maxMemoryUsedMB', at),
      initDurationMs: softNum(m, 'initDurationMs', at),
      restoreDurationMs: softNum(m, 'restoreDurationMs', at),
      billedRestoreDurationMs: softNum(m, 'billedRestoreDurationMs', at),
    },
    spans: spans(r),
    tracing: tracing(r),
  };
}

/** Also the runtime part of initStart. */
function restoreStart(r: Json): RestoreStartRecord {
  return {
    runtimeVersion: optStr(r, 'runtimeVersion'),
    runtimeVersionArn: optStr(r, 'runtimeVersionArn'),
    functionName: optStr(r, 'functionName'),
    functionVersion: optStr(r, 'functionVersion'),
    instanceId: optStr(r, 'instanceId'),
    instanceMaxMemory: optNum(r, 'instanceMaxMemory'),
  };
}

function restoreRuntimeDone(r: Json): RestoreRuntimeDoneRecord {
  return { status: status(r), errorType: optStr(r, 'errorType'), spans: spans(r) };
}

function restoreReport(r: Json): RestoreReportRecord {
  let metrics: RestoreReportRecord['metrics'];
  if (r.metrics !== undefined) {
    const m = object(r.metrics, 'record.metrics');
    metrics = { durationMs: num(m, 'durationMs', 'record.metrics'), billedDurationMs: optNum(m, 'billedDurationMs', 'record.metrics') };
  }
  return { status: optStatus(r), errorType: optStr(r, 'errorType'), metrics, spans: spans(r) };
}

function logRecord(record: unknown): LogRecord {
  if (typeof record === 'string' || isObject(record)) return record;
  throw new InvalidField('record must be a string or a JSON object');
}

/** Optional everywhere: a malformed one is left out, never the event. */
function tracing(r: Json): TraceContext | undefined {
  if (r.tracing === undefined) return undefined;
  try {
    const t = object(r.tracing, 'record.tracing');
    return { type: str(t, 'type', 'record.tracing'), value: str(t, 'value', 'record.tracing'), spanId: softStr(t, 'spanId', 'record.tracing') };
  } catch (error) {
    return leaveOut(error);
  }
}

/** Optional everywhere: a malformed entry is left out, the others and the event kept. */
function spans(r: Json): PlatformSpan[] | undefined {
  const list = r.spans;
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) return leaveOut(new InvalidField('record.spans must be an array'));
  const out: PlatformSpan[] = [];
  for (let i = 0; i < list.length; i++) {
    const at = `record.spans[${i}]`;
    try {
      const s = object(list[i], at);
      out.push({ name: str(s, 'name', at), start: str(s, 'start', at), durationMs: num(s, 'durationMs', at) });
    } catch (error) {
      leaveOut(error);
    }
  }
  return out;
}

/**
 * Turns one Telemetry API POST body into typed events. Never throws on bad input: an event
 * that is invalid or of an unknown type is rejected with a reason, and the valid events of
 * the same batch are still returned. An event whose only fault is a malformed optional field
 * is kept without that field, which is listed as dropped: a runtimeDone that lost its
 * `tracing` must still complete its invocation.
 */
import { InvalidField, isObject, num, object, optNum, optStatus, optStr, requestId, status, str, stringArray } from './fields.ts';
import { optPhaseMetrics, phaseMetrics, reportMetrics, runtimeDoneMetrics, spans, tracing } from './sub-fields.ts';
import type { DroppedField, Drops, Json } from './fields.ts';
import { isIsoTime } from './iso-time.ts';
import type {
  InitReportRecord,
  InitRuntimeDoneRecord,
  InitStartRecord,
  LogRecord,
  ReportRecord,
  RestoreReportRecord,
  RestoreRuntimeDoneRecord,
  RestoreStartRecord,
  RuntimeDoneRecord,
  StartRecord,
  TelemetryEvent,
  TelemetryEventType,
} from './events.ts';

export type { DroppedField } from './fields.ts';

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

/** The result of {@link decode}. */
export interface DecodeResult {
  /** Valid events in their original order. */
  readonly events: TelemetryEvent[];
  readonly rejected: RejectedItem[];
  /**
   * Malformed optional fields left out of events that were kept (in `events`), in batch order:
   * e.g. a `tracing` without `value`, or one entry of `spans` without `durationMs`. A
   * malformed required field (`requestId`, a runtimeDone's `status`, ...) rejects the event
   * instead, and nothing of a rejected event is listed here.
   */
  readonly dropped: DroppedField[];
  /** Set when the body as a whole is not a JSON array; then all three lists are empty. */
  readonly batchError: BatchError | null;
}

/**
 * Decodes one POST body of the Telemetry API.
 * @param body - the raw body (string or Buffer, UTF-8 JSON) or an already parsed value
 * @example
 * const { events, rejected, dropped } = decode('[{"time":"2024-01-01T00:00:00.000Z","type":"function","record":"hi"}]');
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
  const drops: Drops = { index: 0, type: 'function', list: [] };
  let length: number;
  try {
    length = value.length;
  } catch {
    // Only a value given already parsed (a Proxy) can throw here.
    return { events: [], rejected: [], dropped: [], batchError: 'not-an-array' };
  }
  for (let index = 0; index < length; index++) {
    let item: unknown;
    const dropsBefore = drops.list.length;
    drops.index = index;
    try {
      item = value[index];
      const event = decodeItem(index, item, rejected, drops);
      if (event !== null) events.push(event);
    } catch (error) {
      drops.list.length = dropsBefore;
      // Only parsed values given by a caller can throw other errors (e.g. a throwing getter).
      const detail = error instanceof InvalidField ? error.detail : `event could not be read: ${String(error)}`;
      rejected.push({ index, reason: 'invalid-record', detail, value: item });
    }
  }
  return { events, rejected, dropped: drops.list, batchError: null };
}

/** Decodes one array item, or records why not and returns null; throws InvalidField. */
function decodeItem(index: number, item: unknown, rejected: RejectedItem[], drops: Drops): TelemetryEvent | null {
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
  // Unknown types return before any field is read, so only known ones can note a drop.
  drops.type = type as TelemetryEventType;
  const event = decodeEvent(time, type, item.record, drops);
  if (event === null) rejected.push({ index, reason: 'unknown-type', detail: `unknown event type ${type}`, value: item });
  return event;
}

function decodeEvent(time: string, type: string, record: unknown, drops: Drops): TelemetryEvent | null {
  switch (type) {
    case 'platform.initStart':
      return { time, type, record: initStart(object(record, 'record'), drops) };
    case 'platform.initRuntimeDone':
      return { time, type, record: initRuntimeDone(object(record, 'record'), drops) };
    case 'platform.initReport':
      return { time, type, record: initReport(object(record, 'record'), drops) };
    case 'platform.start':
      return { time, type, record: start(object(record, 'record'), drops) };
    case 'platform.runtimeDone':
      return { time, type, record: runtimeDone(object(record, 'record'), drops) };
    case 'platform.report':
      return { time, type, record: report(object(record, 'record'), drops) };
    case 'platform.restoreStart':
      return { time, type, record: restoreStart(object(record, 'record'), drops) };
    case 'platform.restoreRuntimeDone':
      return { time, type, record: restoreRuntimeDone(object(record, 'record'), drops) };
    case 'platform.restoreReport':
      return { time, type, record: restoreReport(object(record, 'record'), drops) };
    case 'platform.extension': {
      const r = object(record, 'record');
      const events = stringArray(r, 'events');
      return { time, type, record: { name: str(r, 'name'), state: str(r, 'state'), events, errorType: optStr(r, 'errorType', drops) } };
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

function initStart(r: Json, drops: Drops): InitStartRecord {
  return {
    initializationType: optStr(r, 'initializationType', drops),
    phase: optStr(r, 'phase', drops),
    ...restoreStart(r, drops),
    tracing: tracing(r, drops),
  };
}

function initRuntimeDone(r: Json, drops: Drops): InitRuntimeDoneRecord {
  return {
    initializationType: optStr(r, 'initializationType', drops),
    phase: optStr(r, 'phase', drops),
    status: status(r),
    errorType: optStr(r, 'errorType', drops),
    spans: spans(r, drops),
    tracing: tracing(r, drops),
  };
}

function initReport(r: Json, drops: Drops): InitReportRecord {
  return {
    initializationType: optStr(r, 'initializationType', drops),
    phase: optStr(r, 'phase', drops),
    status: optStatus(r, drops),
    errorType: optStr(r, 'errorType', drops),
    metrics: phaseMetrics(r, drops),
    spans: spans(r, drops),
    tracing: tracing(r, drops),
  };
}

function start(r: Json, drops: Drops): StartRecord {
  return {
    requestId: requestId(r),
    version: optStr(r, 'version', drops),
    tenantId: optStr(r, 'tenantId', drops),
    tracing: tracing(r, drops),
  };
}

function runtimeDone(r: Json, drops: Drops): RuntimeDoneRecord {
  return {
    requestId: requestId(r),
    status: status(r),
    errorType: optStr(r, 'errorType', drops),
    tenantId: optStr(r, 'tenantId', drops),
    metrics: runtimeDoneMetrics(r, drops),
    spans: spans(r, drops),
    tracing: tracing(r, drops),
  };
}

function report(r: Json, drops: Drops): ReportRecord {
  return {
    requestId: requestId(r),
    status: optStatus(r, drops),
    errorType: optStr(r, 'errorType', drops),
    tenantId: optStr(r, 'tenantId', drops),
    metrics: reportMetrics(r, drops),
    spans: spans(r, drops),
    tracing: tracing(r, drops),
  };
}

/** Also the runtime part of initStart. */
function restoreStart(r: Json, drops: Drops): RestoreStartRecord {
  return {
    runtimeVersion: optStr(r, 'runtimeVersion', drops),
    runtimeVersionArn: optStr(r, 'runtimeVersionArn', drops),
    functionName: optStr(r, 'functionName', drops),
    functionVersion: optStr(r, 'functionVersion', drops),
    instanceId: optStr(r, 'instanceId', drops),
    instanceMaxMemory: optNum(r, 'instanceMaxMemory', drops),
  };
}

function restoreRuntimeDone(r: Json, drops: Drops): RestoreRuntimeDoneRecord {
  return { status: status(r), errorType: optStr(r, 'errorType', drops), spans: spans(r, drops) };
}

function restoreReport(r: Json, drops: Drops): RestoreReportRecord {
  return {
    status: optStatus(r, drops),
    errorType: optStr(r, 'errorType', drops),
    metrics: optPhaseMetrics(r, drops),
    spans: spans(r, drops),
  };
}

function logRecord(record: unknown): LogRecord {
  if (typeof record === 'string' || isObject(record)) return record;
  throw new InvalidField('record must be a string or a JSON object');
}

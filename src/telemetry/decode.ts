/**
 * Turns one Telemetry API POST body into typed events. Never throws on bad input: an event
 * that is invalid or of an unknown type is rejected with a reason, and the valid events of
 * the same batch are still returned.
 */
import { InvalidField, isObject, num, object, optNum, optStatus, optStr, requestId, status, str, stringArray } from './fields.ts';
import { phaseMetrics, reportMetrics, runtimeDoneMetrics, spans, tracing } from './sub-fields.ts';
import type { Json } from './fields.ts';
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

/** The result of {@link decode}. */
export interface DecodeResult {
  /** Valid events in their original order. */
  readonly events: TelemetryEvent[];
  readonly rejected: RejectedItem[];
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
      return { events: [], rejected: [], batchError: 'invalid-json' };
    }
  }
  if (!Array.isArray(value)) return { events: [], rejected: [], batchError: 'not-an-array' };

  const events: TelemetryEvent[] = [];
  const rejected: RejectedItem[] = [];
  let length: number;
  try {
    length = value.length;
  } catch {
    // Only a value given already parsed (a Proxy) can throw here.
    return { events: [], rejected: [], batchError: 'not-an-array' };
  }
  for (let index = 0; index < length; index++) {
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
  return { events, rejected, batchError: null };
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
  return {
    initializationType: optStr(r, 'initializationType'),
    phase: optStr(r, 'phase'),
    status: optStatus(r),
    errorType: optStr(r, 'errorType'),
    metrics: phaseMetrics(r),
    spans: spans(r),
    tracing: tracing(r),
  };
}

function start(r: Json): StartRecord {
  return { requestId: requestId(r), version: optStr(r, 'version'), tenantId: optStr(r, 'tenantId'), tracing: tracing(r) };
}

function runtimeDone(r: Json): RuntimeDoneRecord {
  return {
    requestId: requestId(r),
    status: status(r),
    errorType: optStr(r, 'errorType'),
    tenantId: optStr(r, 'tenantId'),
    metrics: runtimeDoneMetrics(r),
    spans: spans(r),
    tracing: tracing(r),
  };
}

function report(r: Json): ReportRecord {
  return {
    requestId: requestId(r),
    status: optStatus(r),
    errorType: optStr(r, 'errorType'),
    tenantId: optStr(r, 'tenantId'),
    metrics: reportMetrics(r),
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
  const metrics = r.metrics === undefined ? undefined : phaseMetrics(r);
  return { status: optStatus(r), errorType: optStr(r, 'errorType'), metrics, spans: spans(r) };
}

function logRecord(record: unknown): LogRecord {
  if (typeof record === 'string' || isObject(record)) return record;
  throw new InvalidField('record must be a string or a JSON object');
}

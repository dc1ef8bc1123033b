/**
 * Function and extension log lines (and, optionally, START / END / REPORT platform lines) as
 * OpenTelemetry log records, stamped with the trace id and span id of the invocation span
 * they belong to: by the request id the line carries, else the invocation running then.
 * Records are built in the SDK's export shape (a line is complete when it arrives; the SDK's
 * logger would copy and check it once more per line, the busiest path of the extension).
 */
import type { Attributes, SpanContext } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { ATTR_FAAS_INVOCATION_ID } from '@opentelemetry/semantic-conventions/incubating';
import type { ExtensionLogEvent, FunctionLogEvent, TelemetryEvent } from '../telemetry/events.ts';
import { parseLogRecord } from '../telemetry/log-line.ts';
import { SEVERITY } from '../telemetry/log-severity.ts';
import { setField } from '../util/set-field.ts';
import {
  ATTR_AWS_LAMBDA_LOG_SOURCE,
  ATTR_LAMBDA_OTEL_LOG_ORIGINAL_BYTES,
  ATTR_LAMBDA_OTEL_LOG_TRUNCATED,
  ATTR_LAMBDA_OTEL_LOG_TRUNCATED_VALUES,
  ATTR_LEGACY_FAAS_INVOCATION_ID,
} from './attributes.ts';
import type { InvocationContexts } from './invocation-context.ts';
import { createValueFitter } from './log-values.ts';

/** Estimated OTLP overhead of a record besides its body, for the bytes threshold. */
const RECORD_OVERHEAD_BYTES = 120;

/** JSON log lines with more fields than this keep the first ones (the SDK's default limit). */
export const MAX_ATTRIBUTES = 128;

export interface LogMapperOptions {
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly contexts: InvocationContexts;
  readonly maxBodyBytes: number;
  /** Receives every record built; false when it was not taken (a full queue). */
  readonly emit: (record: ReadableLogRecord) => boolean;
}

export interface LogMapper {
  /** Emits one function/extension record; returns its estimated size on the wire (0 when not taken). */
  record(event: FunctionLogEvent | ExtensionLogEvent, activeRequestId: string | null): number;
  /** Emits the CloudWatch-style line of a platform event, if it has one; returns its size. */
  platform(event: TelemetryEvent): number;
}

export function createLogMapper(options: LogMapperOptions): LogMapper {
  const { resource, scope, contexts, maxBodyBytes } = options;
  const values = createValueFitter(maxBodyBytes);

  function emit(
    source: 'function' | 'extension' | 'platform',
    timeMs: number,
    observedMs: number,
    severityNumber: number,
    severityText: string,
    rawBody: unknown,
    requestId: string | null,
    extra: Readonly<Record<string, unknown>> | null,
  ): number {
    const body = values.fit(rawBody);
    const size = RECORD_OVERHEAD_BYTES + (typeof body === 'string' ? body.length : 0);
    const attributes: Attributes = {};
    let droppedAttributesCount = 0;
    if (extra !== null) {
      let count = 0;
      for (const key in extra) {
        if (key === '' || ++count > MAX_ATTRIBUTES) droppedAttributesCount++;
        else setField(attributes, key, values.fit(extra[key]));
      }
    }
    const cuts = values.takeCuts();
    if (cuts > 0) {
      attributes[ATTR_LAMBDA_OTEL_LOG_TRUNCATED] = true;
      attributes[ATTR_LAMBDA_OTEL_LOG_TRUNCATED_VALUES] = cuts;
      if (typeof rawBody === 'string' && body !== rawBody) attributes[ATTR_LAMBDA_OTEL_LOG_ORIGINAL_BYTES] = Buffer.byteLength(rawBody);
    }
    attributes[ATTR_AWS_LAMBDA_LOG_SOURCE] = source;
    let spanContext: SpanContext | undefined;
    if (requestId !== null) {
      attributes[ATTR_LEGACY_FAAS_INVOCATION_ID] = requestId;
      attributes[ATTR_FAAS_INVOCATION_ID] = requestId;
      spanContext = contexts.of(requestId, undefined).logContext;
    }
    const taken = options.emit({
      hrTime: millisToHrTime(timeMs),
      hrTimeObserved: millisToHrTime(observedMs),
      spanContext,
      severityNumber,
      severityText: severityText === '' ? undefined : severityText,
      body,
      resource,
      instrumentationScope: scope,
      attributes,
      droppedAttributesCount,
    });
    return taken ? size : 0;
  }

  return {
    record(event, activeRequestId) {
      const parsed = parseLogRecord(event.record);
      const observedMs = Date.parse(event.time);
      return emit(
        event.type,
        // time_unix_nano is unsigned: a line stamped before 1970 takes the time Lambda observed it.
        parsed.timeMs !== null && parsed.timeMs >= 0 ? parsed.timeMs : observedMs,
        observedMs,
        parsed.severityNumber,
        parsed.severityText,
        parsed.body,
        parsed.requestId ?? activeRequestId,
        parsed.attributes,
      );
    },

    platform(event) {
      const line = platformLine(event);
      if (line === null) return 0;
      const timeMs = Date.parse(event.time);
      const requestId = event.type === 'platform.start' || event.type === 'platform.runtimeDone' || event.type === 'platform.report' ? event.record.requestId : null;
      return emit('platform', timeMs, timeMs, SEVERITY.INFO, 'INFO', line, requestId, null);
    },
  };
}

/** The line CloudWatch shows for a platform event, or null for events without one. */
export function platformLine(event: TelemetryEvent): string | null {
  switch (event.type) {
    case 'platform.initStart': {
      const { runtimeVersion, runtimeVersionArn } = event.record;
      return `INIT_START${runtimeVersion ? ` Runtime Version: ${runtimeVersion}` : ''}${runtimeVersionArn ? `\tRuntime Version ARN: ${runtimeVersionArn}` : ''}`;
    }
    case 'platform.start':
      return `START RequestId: ${event.record.requestId}${event.record.version ? ` Version: ${event.record.version}` : ''}`;
    case 'platform.runtimeDone':
      return `END RequestId: ${event.record.requestId}`;
    case 'platform.report': {
      const { requestId, metrics: m, status, errorType } = event.record;
      let line = `REPORT RequestId: ${requestId}\tDuration: ${m.durationMs.toFixed(2)} ms`;
      if (m.billedDurationMs !== undefined) line += `\tBilled Duration: ${m.billedDurationMs} ms`;
      if (m.memorySizeMB !== undefined) line += `\tMemory Size: ${m.memorySizeMB} MB`;
      if (m.maxMemoryUsedMB !== undefined) line += `\tMax Memory Used: ${m.maxMemoryUsedMB} MB`;
      if (m.initDurationMs !== undefined) line += `\tInit Duration: ${m.initDurationMs.toFixed(2)} ms`;
      if (m.restoreDurationMs !== undefined) line += `\tRestore Duration: ${m.restoreDurationMs.toFixed(2)} ms`;
      if (status !== undefined && status !== 'success') line += `\tStatus: ${status}${errorType ? `\tError Type: ${errorType}` : ''}`;
      return line;
    }
    default:
      return null;
  }
}

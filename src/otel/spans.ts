/**
 * Turns joined invocation and phase records into spans: one SERVER span per invocation named
 * after the function, children for the platform's own spans (`responseLatency`,
 * `responseDuration`) and for the time extensions spent after the runtime, and `init` /
 * `restore` spans as children of the cold start they belong to.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context, Tracer } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { ATTR_CLOUD_RESOURCE_ID, ATTR_FAAS_COLDSTART, ATTR_FAAS_INVOCATION_ID } from '@opentelemetry/semantic-conventions/incubating';
import type { PlatformSpan, Status } from '../telemetry/events.ts';
import type { InvocationRecord, PhaseRecord } from '../telemetry/invocation.ts';
import type { PresetIdGenerator } from './id-generator.ts';
import type { InvocationContexts } from './invocation-context.ts';

/** Span names besides the function's own; the platform's span names are kept as Lambda sends them. */
export const SPAN_NAMES = { INIT: 'init', RESTORE: 'restore', POST_RUNTIME: 'postRuntimeExtensions' } as const;

/** `faas.invocation_id`, renamed `faas.invocation.id` in newer semantic conventions. */
export const LEGACY_FAAS_INVOCATION_ID = 'faas.invocation_id';

export interface SpanMapperOptions {
  readonly tracer: Tracer;
  readonly ids: PresetIdGenerator;
  readonly functionName: string;
  /** Ids of the invocation spans, decided when their platform.start arrived. */
  readonly contexts: InvocationContexts;
}

export interface SpanMapper {
  /** Creates and ends the spans of one invocation; `invokedFunctionArn` from its INVOKE event, when known. Returns the number of spans. */
  invocation(record: InvocationRecord, invokedFunctionArn?: string): number;
  /** Creates and ends the span of a phase that belongs to no invocation. */
  phase(record: PhaseRecord): number;
}

const ERROR_STATUSES: ReadonlySet<string> = new Set<Status>(['error', 'failure', 'timeout']);

export function createSpanMapper(options: SpanMapperOptions): SpanMapper {
  const { tracer, ids } = options;

  function children(spans: readonly PlatformSpan[] | undefined, parent: Context): number {
    let count = 0;
    for (const span of spans ?? []) {
      const startMs = Date.parse(span.start);
      if (Number.isNaN(startMs)) continue;
      tracer.startSpan(span.name, { kind: SpanKind.INTERNAL, startTime: startMs }, parent).end(startMs + span.durationMs);
      count++;
    }
    return count;
  }

  function phaseSpan(record: PhaseRecord, parent: Context, coldStart: boolean): number {
    const { start, runtimeDone, report } = record;
    const durationMs = report?.record.metrics?.durationMs;
    const startMs = phaseStartMs(record, durationMs);
    const endMs = durationMs !== undefined ? startMs + durationMs : runtimeDone !== null ? Date.parse(runtimeDone.time) : startMs;
    const status = report?.record.status ?? runtimeDone?.record.status;
    const errorType = report?.record.errorType || runtimeDone?.record.errorType || undefined;
    const init = start !== null && start.type === 'platform.initStart' ? start.record : null;
    const attributes: Attributes = {
      [ATTR_FAAS_COLDSTART]: coldStart,
      'aws.lambda.initialization_type': init?.initializationType,
      'aws.lambda.phase': init?.phase,
      'aws.lambda.status': status,
      'aws.lambda.runtime_version': start?.record.runtimeVersion,
      'aws.lambda.runtime_version_arn': start?.record.runtimeVersionArn,
      [record.kind === 'init' ? 'aws.lambda.init_duration_ms' : 'aws.lambda.restore_duration_ms']: durationMs,
    };
    if (record.completion !== 'complete') attributes['aws.lambda.completion'] = record.completion;
    const span = tracer.startSpan(record.kind === 'init' ? SPAN_NAMES.INIT : SPAN_NAMES.RESTORE, { kind: SpanKind.INTERNAL, startTime: startMs, attributes }, parent);
    setStatus(span, status, errorType);
    const own = trace.setSpan(ROOT_CONTEXT, span);
    const count = 1 + children(runtimeDone?.record.spans, own) + children(report?.record.spans, own);
    span.end(Math.max(endMs, startMs));
    return count;
  }

  return {
    invocation(record, invokedFunctionArn) {
      const { start, runtimeDone, report } = record;
      const context = options.contexts.of(record.requestId, start?.record.tracing ?? runtimeDone?.record.tracing ?? report?.record.tracing);
      if (!context.sampled) {
        // X-Ray does not sample this invocation, but its cold start still gets its own trace.
        let count = 0;
        for (const phase of record.phases) count += phaseSpan(phase, ROOT_CONTEXT, record.coldStart);
        return count;
      }
      const reportMs = report?.record.metrics.durationMs;
      const runtimeMs = runtimeDone?.record.metrics?.durationMs;
      const startMs =
        start !== null ? Date.parse(start.time)
        : report !== null && reportMs !== undefined ? Date.parse(report.time) - reportMs
        : runtimeDone !== null ? Date.parse(runtimeDone.time) - (runtimeMs ?? 0)
        : Date.now();
      // The report measures the whole invoke phase; without it, the runtime's own duration.
      const endMs = reportMs !== undefined ? startMs + reportMs : runtimeMs !== undefined ? startMs + runtimeMs : runtimeDone !== null ? Date.parse(runtimeDone.time) : startMs;
      const status = report?.record.status ?? runtimeDone?.record.status;
      const errorType = report?.record.errorType || runtimeDone?.record.errorType || undefined;
      const metrics = report?.record.metrics;
      const attributes: Attributes = {
        // The name most backends and the collector layer use, and the current semconv name.
        [LEGACY_FAAS_INVOCATION_ID]: record.requestId,
        [ATTR_FAAS_INVOCATION_ID]: record.requestId,
        [ATTR_FAAS_COLDSTART]: record.coldStart,
        [ATTR_CLOUD_RESOURCE_ID]: invokedFunctionArn,
        'aws.lambda.status': status,
        'aws.lambda.duration_ms': reportMs,
        'aws.lambda.billed_duration_ms': metrics?.billedDurationMs,
        'aws.lambda.memory_size_mb': metrics?.memorySizeMB,
        'aws.lambda.max_memory_used_mb': metrics?.maxMemoryUsedMB,
        'aws.lambda.init_duration_ms': metrics?.initDurationMs,
        'aws.lambda.restore_duration_ms': metrics?.restoreDurationMs,
        'aws.lambda.runtime_duration_ms': runtimeMs,
        'aws.lambda.produced_bytes': runtimeDone?.record.metrics?.producedBytes,
        'aws.lambda.function_version': start?.record.version,
      };
      if (record.completion !== 'complete') attributes['aws.lambda.completion'] = record.completion;
      ids.presetTraceId(context.traceId);
      ids.presetSpanId(context.spanId);
      const span = tracer.startSpan(options.functionName, { kind: SpanKind.SERVER, startTime: startMs, attributes, links: [...context.links] }, context.parent);
      ids.clear();
      setStatus(span, status, errorType);
      const own = trace.setSpan(ROOT_CONTEXT, span);
      let count = 1 + children(runtimeDone?.record.spans, own);
      if (runtimeMs !== undefined && reportMs !== undefined && reportMs > runtimeMs) {
        tracer.startSpan(SPAN_NAMES.POST_RUNTIME, { kind: SpanKind.INTERNAL, startTime: startMs + runtimeMs }, own).end(startMs + reportMs);
        count++;
      }
      for (const phase of record.phases) count += phaseSpan(phase, own, record.coldStart);
      span.end(Math.max(endMs, startMs));
      return count;
    },

    phase(record) {
      return phaseSpan(record, ROOT_CONTEXT, false);
    },
  };
}

/** When a phase began: its start event, else its report's time minus its duration, else its runtimeDone. */
function phaseStartMs({ start, runtimeDone, report }: PhaseRecord, durationMs: number | undefined): number {
  if (start !== null) return Date.parse(start.time);
  if (report !== null && durationMs !== undefined) return Date.parse(report.time) - durationMs;
  const known = runtimeDone ?? report;
  return known !== null ? Date.parse(known.time) : Date.now();
}

function setStatus(span: { setStatus(status: { code: SpanStatusCode; message?: string }): unknown; setAttribute(key: string, value: string): unknown }, status: string | undefined, errorType: string | undefined): void {
  if (status === undefined || !ERROR_STATUSES.has(status)) return;
  span.setAttribute(ATTR_ERROR_TYPE, errorType ?? status);
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorType ?? status });
}

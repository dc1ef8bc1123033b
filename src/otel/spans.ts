/**
 * Turns joined invocation and phase records into spans: one SERVER span per invocation named
 * after the function, children for the platform's own spans (`responseLatency`,
 * `responseDuration`) and for the time extensions spent after the runtime, and `init` /
 * `restore` spans as children of the cold start they belong to.
 *
 * The spans are built finished, in the SDK's export shape, with the ids decided when the
 * invocation started (see invocation-context.ts): everything about them is known once its
 * report arrives, and a tracer (meant for live work: start now, end later, ids of its own)
 * would only add cost.
 */
import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { Attributes, AttributeValue, Link, SpanContext, SpanStatus } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { RandomIdGenerator } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { ATTR_CLOUD_RESOURCE_ID, ATTR_FAAS_COLDSTART, ATTR_FAAS_INVOCATION_ID } from '@opentelemetry/semantic-conventions/incubating';
import type { PlatformSpan, Status } from '../telemetry/events.ts';
import type { InvocationRecord, PhaseRecord } from '../telemetry/invocation.ts';
import {
  ATTR_AWS_LAMBDA_BILLED_DURATION_MS,
  ATTR_AWS_LAMBDA_COMPLETION,
  ATTR_AWS_LAMBDA_DURATION_MS,
  ATTR_AWS_LAMBDA_FUNCTION_VERSION,
  ATTR_AWS_LAMBDA_INITIALIZATION_TYPE,
  ATTR_AWS_LAMBDA_INIT_DURATION_MS,
  ATTR_AWS_LAMBDA_MAX_MEMORY_USED_MB,
  ATTR_AWS_LAMBDA_MEMORY_SIZE_MB,
  ATTR_AWS_LAMBDA_PHASE,
  ATTR_AWS_LAMBDA_PRODUCED_BYTES,
  ATTR_AWS_LAMBDA_RESTORE_DURATION_MS,
  ATTR_AWS_LAMBDA_RUNTIME_DURATION_MS,
  ATTR_AWS_LAMBDA_RUNTIME_VERSION,
  ATTR_AWS_LAMBDA_RUNTIME_VERSION_ARN,
  ATTR_AWS_LAMBDA_STATUS,
  ATTR_LEGACY_FAAS_INVOCATION_ID,
} from './attributes.ts';
import type { InvocationContexts } from './invocation-context.ts';

/**
 * Names of the spans this extension names itself, besides the invocation's (the function name).
 * The spans Lambda sends keep Lambda's names: `SPAN_NAMES` in telemetry/constants.ts.
 */
export const OWN_SPAN_NAMES = { INIT: 'init', RESTORE: 'restore', POST_RUNTIME: 'postRuntimeExtensions' } as const;

export interface SpanMapperOptions {
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly functionName: string;
  /** Ids of the invocation spans, decided when their platform.start arrived. */
  readonly contexts: InvocationContexts;
  /** Receives every span built. */
  readonly emit: (span: ReadableSpan) => void;
}

export interface SpanMapper {
  /** Builds the spans of one invocation; `invokedFunctionArn` from its INVOKE event, when known. */
  invocation(record: InvocationRecord, invokedFunctionArn?: string): void;
  /** Builds the span of a phase that belongs to no invocation. */
  phase(record: PhaseRecord): void;
}

interface SpanFields {
  readonly name: string;
  readonly kind: SpanKind;
  readonly context: SpanContext;
  readonly parent: SpanContext | undefined;
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes?: Readonly<Record<string, AttributeValue | undefined>>;
  readonly links?: readonly Link[];
  readonly status?: SpanStatus;
}

const UNSET: SpanStatus = { code: SpanStatusCode.UNSET };

const ERROR_STATUSES: ReadonlySet<string> = new Set<Status>(['error', 'failure', 'timeout']);

export function createSpanMapper(options: SpanMapperOptions): SpanMapper {
  const { resource, scope, emit } = options;
  const random = new RandomIdGenerator();
  const childOf = (parent: SpanContext): SpanContext => ({ traceId: parent.traceId, spanId: random.generateSpanId(), traceFlags: TraceFlags.SAMPLED });

  function finish(fields: SpanFields): void {
    const startTime = millisToHrTime(fields.startMs);
    const endMs = Math.max(fields.endMs, fields.startMs);
    const { context } = fields;
    emit({
      name: fields.name,
      kind: fields.kind,
      spanContext: () => context,
      parentSpanContext: fields.parent,
      startTime,
      endTime: millisToHrTime(endMs),
      duration: millisToHrTime(endMs - fields.startMs),
      status: fields.status ?? UNSET,
      attributes: fields.attributes === undefined ? {} : defined(fields.attributes),
      links: fields.links === undefined ? [] : [...fields.links],
      events: [],
      ended: true,
      resource,
      instrumentationScope: scope,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    });
  }

  function children(spans: readonly PlatformSpan[] | undefined, parent: SpanContext): void {
    for (const span of spans ?? []) {
      const startMs = Date.parse(span.start);
      if (Number.isNaN(startMs)) continue;
      finish({ name: span.name, kind: SpanKind.INTERNAL, context: childOf(parent), parent, startMs, endMs: startMs + span.durationMs });
    }
  }

  function phaseSpan(record: PhaseRecord, parent: SpanContext | undefined, coldStart: boolean): void {
    const { start, runtimeDone, report } = record;
    const durationMs = report?.record.metrics?.durationMs;
    const startMs = phaseStartMs(record, durationMs);
    const endMs = durationMs !== undefined ? startMs + durationMs : runtimeDone !== null ? Date.parse(runtimeDone.time) : startMs;
    const status = report?.record.status ?? runtimeDone?.record.status;
    const errorType = report?.record.errorType || runtimeDone?.record.errorType || undefined;
    const init = start !== null && start.type === 'platform.initStart' ? start.record : null;
    const attributes: Record<string, AttributeValue | undefined> = {
      [ATTR_FAAS_COLDSTART]: coldStart,
      [ATTR_AWS_LAMBDA_INITIALIZATION_TYPE]: init?.initializationType,
      [ATTR_AWS_LAMBDA_PHASE]: init?.phase,
      [ATTR_AWS_LAMBDA_STATUS]: status,
      [ATTR_AWS_LAMBDA_RUNTIME_VERSION]: start?.record.runtimeVersion,
      [ATTR_AWS_LAMBDA_RUNTIME_VERSION_ARN]: start?.record.runtimeVersionArn,
      [record.kind === 'init' ? ATTR_AWS_LAMBDA_INIT_DURATION_MS : ATTR_AWS_LAMBDA_RESTORE_DURATION_MS]: durationMs,
    };
    if (record.completion !== 'complete') attributes[ATTR_AWS_LAMBDA_COMPLETION] = record.completion;
    const context = parent === undefined ? { traceId: random.generateTraceId(), spanId: random.generateSpanId(), traceFlags: TraceFlags.SAMPLED } : childOf(parent);
    finish({ name: record.kind === 'init' ? OWN_SPAN_NAMES.INIT : OWN_SPAN_NAMES.RESTORE, kind: SpanKind.INTERNAL, context, parent, startMs, endMs, attributes, status: errorStatus(attributes, status, errorType) });
    children(runtimeDone?.record.spans, context);
    children(report?.record.spans, context);
  }

  return {
    invocation(record, invokedFunctionArn) {
      const { start, runtimeDone, report } = record;
      const invocation = options.contexts.seal(record.requestId, start?.record.tracing ?? runtimeDone?.record.tracing ?? report?.record.tracing);
      if (!invocation.sampled) {
        // X-Ray does not sample this invocation, but its cold start still gets its own trace.
        for (const phase of record.phases) phaseSpan(phase, undefined, record.coldStart);
        return;
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
      const attributes: Record<string, AttributeValue | undefined> = {
        // The name most backends and the collector layer use, and the current semconv name.
        [ATTR_LEGACY_FAAS_INVOCATION_ID]: record.requestId,
        [ATTR_FAAS_INVOCATION_ID]: record.requestId,
        [ATTR_FAAS_COLDSTART]: record.coldStart,
        [ATTR_CLOUD_RESOURCE_ID]: invokedFunctionArn,
        [ATTR_AWS_LAMBDA_STATUS]: status,
        [ATTR_AWS_LAMBDA_DURATION_MS]: reportMs,
        [ATTR_AWS_LAMBDA_BILLED_DURATION_MS]: metrics?.billedDurationMs,
        [ATTR_AWS_LAMBDA_MEMORY_SIZE_MB]: metrics?.memorySizeMB,
        [ATTR_AWS_LAMBDA_MAX_MEMORY_USED_MB]: metrics?.maxMemoryUsedMB,
        [ATTR_AWS_LAMBDA_INIT_DURATION_MS]: metrics?.initDurationMs,
        [ATTR_AWS_LAMBDA_RESTORE_DURATION_MS]: metrics?.restoreDurationMs,
        [ATTR_AWS_LAMBDA_RUNTIME_DURATION_MS]: runtimeMs,
        [ATTR_AWS_LAMBDA_PRODUCED_BYTES]: runtimeDone?.record.metrics?.producedBytes,
        [ATTR_AWS_LAMBDA_FUNCTION_VERSION]: start?.record.version,
      };
      if (record.completion !== 'complete') attributes[ATTR_AWS_LAMBDA_COMPLETION] = record.completion;
      const context: SpanContext = { traceId: invocation.traceId, spanId: invocation.spanId, traceFlags: TraceFlags.SAMPLED };
      const spanStatus = errorStatus(attributes, status, errorType);
      finish({ name: options.functionName, kind: SpanKind.SERVER, context, parent: invocation.parent, startMs, endMs, attributes, links: invocation.links, status: spanStatus });
      // On-demand functions put them in runtimeDone, Managed Instances in the report (no runtimeDone there).
      children(runtimeDone?.record.spans ?? report?.record.spans, context);
      if (runtimeMs !== undefined && reportMs !== undefined && reportMs > runtimeMs) {
        finish({ name: OWN_SPAN_NAMES.POST_RUNTIME, kind: SpanKind.INTERNAL, context: childOf(context), parent: context, startMs: startMs + runtimeMs, endMs: startMs + reportMs });
      }
      for (const phase of record.phases) phaseSpan(phase, context, record.coldStart);
    },

    phase(record) {
      phaseSpan(record, undefined, false);
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

/** The span status for a failed invocation or phase (and its `error.type`), else unset. */
function errorStatus(attributes: Record<string, AttributeValue | undefined>, status: string | undefined, errorType: string | undefined): SpanStatus {
  if (status === undefined || !ERROR_STATUSES.has(status)) return UNSET;
  attributes[ATTR_ERROR_TYPE] = errorType ?? status;
  return { code: SpanStatusCode.ERROR, message: errorType ?? status };
}

/** The attributes with a value: the OTLP encoders would write an empty value for `undefined`. */
function defined(attributes: Readonly<Record<string, AttributeValue | undefined>>): Attributes {
  const out: Attributes = {};
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * Records each invocation's platform figures as metrics: per-invocation gauges under
 * `aws.lambda.*` (Lambda's own figures, one point per report), and the OpenTelemetry FaaS
 * semantic-convention counters and histograms compatible with the official collector layer.
 */
import type { Meter } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import {
  METRIC_FAAS_COLDSTARTS,
  METRIC_FAAS_ERRORS,
  METRIC_FAAS_INIT_DURATION,
  METRIC_FAAS_INVOCATIONS,
  METRIC_FAAS_INVOKE_DURATION,
  METRIC_FAAS_MEM_USAGE,
  METRIC_FAAS_TIMEOUTS,
} from '@opentelemetry/semantic-conventions/incubating';
import { SPAN_NAMES } from '../telemetry/constants.ts';
import type { LogsDroppedRecord } from '../telemetry/events.ts';
import type { InvocationRecord, PhaseRecord } from '../telemetry/invocation.ts';
import { createGaugeSeries } from './gauge-series.ts';
import type { GaugeDefinition, GaugeSeries } from './gauge-series.ts';
import { BYTES_PER_LAMBDA_MB } from './resource.ts';

/** Names of the gauges, each recorded once per invocation that reports it. */
export const GAUGES = {
  DURATION: 'aws.lambda.duration',
  BILLED_DURATION: 'aws.lambda.billed_duration',
  MAX_MEMORY_USED: 'aws.lambda.max_memory_used',
  MEMORY_SIZE: 'aws.lambda.memory_size',
  INIT_DURATION: 'aws.lambda.init_duration',
  RESTORE_DURATION: 'aws.lambda.restore_duration',
  RUNTIME_DURATION: 'aws.lambda.runtime_duration',
  PRODUCED_BYTES: 'aws.lambda.produced_bytes',
  RESPONSE_LATENCY: 'aws.lambda.response_latency',
  RESPONSE_DURATION: 'aws.lambda.response_duration',
} as const;

export const DROPPED = {
  RECORDS: 'aws.lambda.telemetry.dropped_records',
  BYTES: 'aws.lambda.telemetry.dropped_bytes',
} as const;

/** Bucket bounds in seconds for invoke and init durations (1 ms to 15 min). */
const DURATION_BUCKETS_S = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
/** Bucket bounds in bytes for memory used: Lambda's memory sizes, 128 MB to 10 GB. */
const MEMORY_BUCKETS_BY = [128, 256, 512, 1024, 2048, 3072, 4096, 6144, 8192, 10240].map((mb) => mb * BYTES_PER_LAMBDA_MB);

export type GaugeName = (typeof GAUGES)[keyof typeof GAUGES];

const GAUGE_DEFINITIONS: Readonly<Record<GaugeName, GaugeDefinition>> = {
  [GAUGES.DURATION]: { unit: 'ms', description: 'Duration of the invocation as platform.report measures it (runtime plus extensions).' },
  [GAUGES.BILLED_DURATION]: { unit: 'ms', description: 'Billed duration of the invocation.' },
  [GAUGES.MAX_MEMORY_USED]: { unit: 'By', description: 'Maximum memory used by the execution environment.' },
  [GAUGES.MEMORY_SIZE]: { unit: 'By', description: 'Memory configured for the function.' },
  [GAUGES.INIT_DURATION]: { unit: 'ms', description: 'Init duration reported with the first invocation after a cold start.' },
  [GAUGES.RESTORE_DURATION]: { unit: 'ms', description: 'SnapStart restore duration reported with the first invocation after a restore.' },
  [GAUGES.RUNTIME_DURATION]: { unit: 'ms', description: 'Time the runtime spent on the invocation (platform.runtimeDone).' },
  [GAUGES.PRODUCED_BYTES]: { unit: 'By', description: 'Bytes of the response the runtime produced.' },
  [GAUGES.RESPONSE_LATENCY]: { unit: 'ms', description: 'Time until the runtime started sending the response.' },
  [GAUGES.RESPONSE_DURATION]: { unit: 'ms', description: 'Time the runtime spent sending the response.' },
};

/** Where the per-invocation gauge points wait for the export. */
export function createInvocationGauges(): GaugeSeries<GaugeName> {
  return createGaugeSeries(GAUGE_DEFINITIONS);
}

export interface InvocationMetrics {
  /** Records one invocation. */
  invocation(record: InvocationRecord): void;
  /** Records a phase emitted on its own (a provisioned-concurrency init). */
  phase(record: PhaseRecord): void;
  logsDropped(record: LogsDroppedRecord): void;
}

/**
 * @param meter - for the counters and histograms
 * @param gauges - for the per-invocation points (see {@link createInvocationGauges})
 */
export function createInvocationMetrics(meter: Meter, gauges: GaugeSeries<GaugeName>): InvocationMetrics {
  const invocations = meter.createCounter(METRIC_FAAS_INVOCATIONS, { unit: '{invocation}', description: 'Number of invocations.' });
  const errors = meter.createCounter(METRIC_FAAS_ERRORS, { unit: '{error}', description: 'Number of invocations that ended with status error or failure.' });
  const timeouts = meter.createCounter(METRIC_FAAS_TIMEOUTS, { unit: '{timeout}', description: 'Number of invocations that timed out.' });
  const coldStarts = meter.createCounter(METRIC_FAAS_COLDSTARTS, { unit: '{coldstart}', description: 'Number of invocation cold starts.' });
  const invokeDuration = meter.createHistogram(METRIC_FAAS_INVOKE_DURATION, { unit: 's', description: 'Duration of the invocation.', advice: { explicitBucketBoundaries: DURATION_BUCKETS_S } });
  const initDuration = meter.createHistogram(METRIC_FAAS_INIT_DURATION, { unit: 's', description: 'Duration of the initialization (cold start).', advice: { explicitBucketBoundaries: DURATION_BUCKETS_S } });
  const memUsage = meter.createHistogram(METRIC_FAAS_MEM_USAGE, { unit: 'By', description: 'Maximum memory used per invocation.', advice: { explicitBucketBoundaries: MEMORY_BUCKETS_BY } });
  const droppedRecords = meter.createCounter(DROPPED.RECORDS, { unit: '{record}', description: 'Telemetry records Lambda dropped before delivering them (platform.logsDropped).' });
  const droppedBytes = meter.createCounter(DROPPED.BYTES, { unit: 'By', description: 'Bytes of telemetry Lambda dropped before delivering them (platform.logsDropped).' });

  return {
    invocation({ report, runtimeDone, coldStart, phases }) {
      // Each point carries the time of the report it comes from, so that every invocation's survives.
      const time = millisToHrTime(Date.parse((report ?? runtimeDone)?.time ?? '') || Date.now());
      const gauge = (name: GaugeName, value: number | undefined, scale = 1): void => {
        if (value !== undefined) gauges.record(name, value * scale, time);
      };
      const m = report?.record.metrics;
      gauge(GAUGES.DURATION, m?.durationMs);
      gauge(GAUGES.BILLED_DURATION, m?.billedDurationMs);
      gauge(GAUGES.MAX_MEMORY_USED, m?.maxMemoryUsedMB, BYTES_PER_LAMBDA_MB);
      gauge(GAUGES.MEMORY_SIZE, m?.memorySizeMB, BYTES_PER_LAMBDA_MB);
      gauge(GAUGES.INIT_DURATION, m?.initDurationMs);
      gauge(GAUGES.RESTORE_DURATION, m?.restoreDurationMs);
      gauge(GAUGES.RUNTIME_DURATION, runtimeDone?.record.metrics?.durationMs);
      gauge(GAUGES.PRODUCED_BYTES, runtimeDone?.record.metrics?.producedBytes);
      for (const span of runtimeDone?.record.spans ?? report?.record.spans ?? []) {
        if (span.name === SPAN_NAMES.RESPONSE_LATENCY) gauge(GAUGES.RESPONSE_LATENCY, span.durationMs);
        else if (span.name === SPAN_NAMES.RESPONSE_DURATION) gauge(GAUGES.RESPONSE_DURATION, span.durationMs);
      }

      const status = report?.record.status ?? runtimeDone?.record.status;
      invocations.add(1);
      if (status === 'error' || status === 'failure') errors.add(1);
      if (status === 'timeout') timeouts.add(1);
      if (coldStart) coldStarts.add(1);
      const durationMs = m?.durationMs ?? runtimeDone?.record.metrics?.durationMs;
      if (durationMs !== undefined) invokeDuration.record(durationMs / 1000);
      if (m?.maxMemoryUsedMB !== undefined) memUsage.record(m.maxMemoryUsedMB * BYTES_PER_LAMBDA_MB);
      const initMs = m?.initDurationMs ?? phases.find((p) => p.kind === 'init')?.report?.record.metrics?.durationMs;
      if (initMs !== undefined) initDuration.record(initMs / 1000);
    },

    phase(phase) {
      const durationMs = phase.report?.record.metrics?.durationMs;
      if (phase.kind === 'init' && durationMs !== undefined) initDuration.record(durationMs / 1000);
    },

    logsDropped({ droppedRecords: records, droppedBytes: bytes }) {
      droppedRecords.add(records);
      droppedBytes.add(bytes);
    },
  };
}

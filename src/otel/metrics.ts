/**
 * Records each invocation's platform figures as metrics: per-invocation gauges under
 * `aws.lambda.*` (Lambda's own figures, one point per report), and the OpenTelemetry FaaS
 * semantic-convention counters and histograms compatible with the official collector layer.
 */
import type { Meter } from '@opentelemetry/api';
import {
  METRIC_FAAS_COLDSTARTS,
  METRIC_FAAS_ERRORS,
  METRIC_FAAS_INIT_DURATION,
  METRIC_FAAS_INVOCATIONS,
  METRIC_FAAS_INVOKE_DURATION,
  METRIC_FAAS_MEM_USAGE,
  METRIC_FAAS_TIMEOUTS,
} from '@opentelemetry/semantic-conventions/incubating';
import { SPAN_NAMES as PLATFORM_SPANS } from '../telemetry/constants.ts';
import type { LogsDroppedRecord } from '../telemetry/events.ts';
import type { InvocationRecord, PhaseRecord } from '../telemetry/invocation.ts';
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

export interface InvocationMetrics {
  /** Records one invocation; returns how many gauge values it set (0: nothing to collect before the next). */
  invocation(record: InvocationRecord): number;
  /** Records a phase emitted on its own (a provisioned-concurrency init). */
  phase(record: PhaseRecord): void;
  logsDropped(record: LogsDroppedRecord): void;
}

/**
 * @param meter - for the counters and histograms
 * @param gaugeMeter - for the per-invocation gauges, collected after every invocation
 */
export function createInvocationMetrics(meter: Meter, gaugeMeter: Meter): InvocationMetrics {
  const gauge = (name: string, unit: string, description: string) => gaugeMeter.createGauge(name, { unit, description });
  const gauges = {
    duration: gauge(GAUGES.DURATION, 'ms', 'Duration of the invocation as platform.report measures it (runtime plus extensions).'),
    billedDuration: gauge(GAUGES.BILLED_DURATION, 'ms', 'Billed duration of the invocation.'),
    maxMemoryUsed: gauge(GAUGES.MAX_MEMORY_USED, 'By', 'Maximum memory used by the execution environment.'),
    memorySize: gauge(GAUGES.MEMORY_SIZE, 'By', 'Memory configured for the function.'),
    initDuration: gauge(GAUGES.INIT_DURATION, 'ms', 'Init duration reported with the first invocation after a cold start.'),
    restoreDuration: gauge(GAUGES.RESTORE_DURATION, 'ms', 'SnapStart restore duration reported with the first invocation after a restore.'),
    runtimeDuration: gauge(GAUGES.RUNTIME_DURATION, 'ms', 'Time the runtime spent on the invocation (platform.runtimeDone).'),
    producedBytes: gauge(GAUGES.PRODUCED_BYTES, 'By', 'Bytes of the response the runtime produced.'),
    responseLatency: gauge(GAUGES.RESPONSE_LATENCY, 'ms', 'Time until the runtime started sending the response.'),
    responseDuration: gauge(GAUGES.RESPONSE_DURATION, 'ms', 'Time the runtime spent sending the response.'),
  };
  const invocations = meter.createCounter(METRIC_FAAS_INVOCATIONS, { unit: '{invocation}', description: 'Number of invocations.' });
  const errors = meter.createCounter(METRIC_FAAS_ERRORS, { unit: '{error}', description: 'Number of invocations that ended with status error or failure.' });
  const timeouts = meter.createCounter(METRIC_FAAS_TIMEOUTS, { unit: '{timeout}', description: 'Number of invocations that timed out.' });
  const coldStarts = meter.createCounter(METRIC_FAAS_COLDSTARTS, { unit: '{coldstart}', description: 'Number of invocation cold starts.' });
  const invokeDuration = meter.createHistogram(METRIC_FAAS_INVOKE_DURATION, { unit: 's', description: 'Duration of the invocation.', advice: { explicitBucketBoundaries: DURATION_BUCKETS_S } });
  const initDuration = meter.createHistogram(METRIC_FAAS_INIT_DURATION, { unit: 's', description: 'Duration of the initialization (cold start).', advice: { explicitBucketBoundaries: DURATION_BUCKETS_S } });
  const memUsage = meter.createHistogram(METRIC_FAAS_MEM_USAGE, { unit: 'By', description: 'Maximum memory used per invocation.', advice: { explicitBucketBoundaries: MEMORY_BUCKETS_BY } });
  const droppedRecords = meter.createCounter(DROPPED.RECORDS, { unit: '{record}', description: 'Telemetry records Lambda dropped before delivering them (platform.logsDropped).' });
  const droppedBytes = meter.createCounter(DROPPED.BYTES, { unit: 'By', description: 'Bytes of telemetry Lambda dropped before delivering them (platform.logsDropped).' });

  let set = 0;
  const record = (instrument: { record(value: number): void }, value: number | undefined, scale = 1): void => {
    if (value === undefined) return;
    instrument.record(value * scale);
    set++;
  };

  return {
    invocation({ report, runtimeDone, coldStart, phases }) {
      set = 0;
      const m = report?.record.metrics;
      record(gauges.duration, m?.durationMs);
      record(gauges.billedDuration, m?.billedDurationMs);
      record(gauges.maxMemoryUsed, m?.maxMemoryUsedMB, BYTES_PER_LAMBDA_MB);
      record(gauges.memorySize, m?.memorySizeMB, BYTES_PER_LAMBDA_MB);
      record(gauges.initDuration, m?.initDurationMs);
      record(gauges.restoreDuration, m?.restoreDurationMs);
      record(gauges.runtimeDuration, runtimeDone?.record.metrics?.durationMs);
      record(gauges.producedBytes, runtimeDone?.record.metrics?.producedBytes);
      for (const span of runtimeDone?.record.spans ?? []) {
        if (span.name === PLATFORM_SPANS.RESPONSE_LATENCY) record(gauges.responseLatency, span.durationMs);
        else if (span.name === PLATFORM_SPANS.RESPONSE_DURATION) record(gauges.responseDuration, span.durationMs);
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
      return set;
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

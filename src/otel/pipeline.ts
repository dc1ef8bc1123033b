/**
 * The OpenTelemetry side of the layer, wired: joins platform events into invocations, maps them
 * and the log lines to spans, metrics and log records with the OpenTelemetry SDK, and exports
 * them over OTLP/HTTP by the flush policy, at the buffer thresholds, and at SHUTDOWN inside the
 * deadline. Each of those jobs has a module of its own; this one builds them, connects them and
 * routes each batch of events. Loaded lazily, after the first `event/next`, so that the SDK does
 * not delay the cold start.
 */
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { DEFAULT_BUFFERING } from '../lambda/telemetry-api.ts';
import type { OtelConfig } from './config.ts';
import type { Registration } from '../lambda/extensions-api.ts';
import type { InvokeEvent } from '../lambda/types.ts';
import type { Logger } from '../util/logger.ts';
import type { IntakeStats } from '../lambda/listener.ts';
import { createCorrelator } from '../telemetry/correlator.ts';
import type { TelemetryEvent } from '../telemetry/events.ts';
import type { InvocationRecord } from '../telemetry/invocation.ts';
import { createBackPressure } from './back-pressure.ts';
import { createBackendHealth } from './backend-health.ts';
import { createDelivery } from './delivery.ts';
import { createExporters } from './exporters.ts';
import type { Exporters } from './exporters.ts';
import { createFlushPolicy, managedInstancesMode } from './flush-policy.ts';
import { createInvocationContexts } from './invocation-context.ts';
import { createLogAttribution } from './log-attribution.ts';
import { createLogMapper } from './logs.ts';
import { createInvocationGauges, createInvocationMetrics } from './metrics.ts';
import { createOwnLogFilter } from './own-log-filter.ts';
import { buildResource, functionNameOf } from './resource.ts';
import { createRuntimeDoneWait } from './runtime-done-wait.ts';
import { createSelfMetrics } from './self-metrics.ts';
import { createSerialFlush } from './serial-flush.ts';
import { exportAtShutdown } from './shutdown-export.ts';
import { createSpanMapper } from './spans.ts';
import { createRelay } from './relay.ts';
import type { Relay } from './relay.ts';
import { createRelayExporters } from './relay-exporter.ts';
import type { RelayExporters } from './relay-exporter.ts';
import type { OtlpRequest, OtlpResult, OtlpSignal } from '../otlp/codec.ts';
import type { OtlpCodec } from '../otlp/lazy-codec.ts';
import type { ReceiverStats } from '../otlp/receiver.ts';

export interface PipelineContext {
  readonly registration: Pick<Registration, 'extensionName' | 'functionName' | 'functionVersion' | 'accountId'>;
  readonly config: OtelConfig;
  readonly logger: Logger;
  /** Whether the subscription includes `platform` (end mode waits for runtimeDone only then). */
  readonly platformSubscribed: boolean;
  /** The subscription's buffering `timeoutMs`: Lambda delivers what it holds at least this often. Default: the extension's default. */
  readonly bufferingTimeoutMs?: number;
  /**
   * Lambda Managed Instances: no INVOKE, no freeze, concurrent invocations. Exports run on a
   * timer (see {@link managedInstancesMode}), and log lines are attributed only by their own
   * request id.
   */
  readonly managedInstances?: boolean;
  /** `instanceMaxMemory` of the environment's `platform.initStart` (bytes), for `faas.max_memory`. */
  readonly instanceMaxMemoryBytes?: number;
  /** For tests: exporters to use instead of the OTLP ones. */
  readonly exporters?: Exporters;
  /** The listener's counters, for the extension's own metrics. */
  readonly intake?: () => IntakeStats;
  /** The local OTLP receiver's counters, once it listens. */
  readonly receiver?: () => ReceiverStats | null;
}

export interface OtelPipeline {
  /** Maps a batch; returns a promise (back-pressure) while an export queue is more than an eighth full. */
  process(events: readonly TelemetryEvent[]): void | Promise<void>;
  invoke(event: InvokeEvent): Promise<void>;
  /** Takes one request the function sent to the local OTLP receiver (relay.ts); answers at once. */
  relay(signal: OtlpSignal, request: OtlpRequest, protobuf: Uint8Array | null, codec: OtlpCodec): OtlpResult;
  /**
   * Waits (bounded) for owed reports, exports everything, and resolves before `deadlineMs`.
   * `closeIntake` (the local receiver's close) is awaited, within the deadline, just before the
   * final export, so that what it took until then is in it.
   */
  shutdown(deadlineMs: number, closeIntake?: () => Promise<void>): Promise<void>;
}

const SCOPE = { name: 'lambda-telemetry-otel' } as const;
/** Invoked function ARNs remembered per request id, for `cloud.resource_id`. */
const MAX_REMEMBERED_ARNS = 64;
/**
 * Added to the buffering timeout for the quiet-stream bound of the runtimeDone wait: Lambda's
 * delivery, our listener and a scheduling hiccup at 128 MB (7 % of a vCPU).
 */
export const RUNTIME_DONE_GRACE_MS = 200;

export function createOtelPipeline(context: PipelineContext): OtelPipeline {
  const { config, logger } = context;
  diag.setLogger(
    { error: (m) => logger.error(m), warn: (m) => logger.warn(m), info: (m) => logger.debug(m), debug: () => {}, verbose: () => {} },
    DiagLogLevel.INFO,
  );
  const resource = buildResource({ registration: context.registration, lambda: config.lambda, serviceName: config.serviceName, instanceMaxMemoryBytes: context.instanceMaxMemoryBytes });
  const health = createBackendHealth({
    onChange: (signal, failing, error) =>
      failing
        ? logger.warn('backend not taking exports; invocations no longer wait for it, exports retry in the background with backoff', { signal, cause: error })
        : logger.info('backend takes exports again', { signal }),
  });
  const given = context.exporters ?? createExporters(config);
  const exporters = { traces: health.watch('traces', given.traces), metrics: health.watch('metrics', given.metrics), logs: health.watch('logs', given.logs) };
  const gauges = createInvocationGauges();
  const delivery = createDelivery({ config, exporters, gauges, gaugeScope: SCOPE, logger });
  const { spans: spansOut, logRecords: logsOut } = delivery;
  const meterProvider = new MeterProvider({ resource, readers: [delivery.metrics.reader] });
  const functionName = functionNameOf(context.registration, config.lambda);
  const contexts = createInvocationContexts({ xrayContext: config.xrayContext, xrayRespectSampled: config.xrayRespectSampled, maxEntries: config.maxInFlight * 2 });
  const metrics = createInvocationMetrics(meterProvider.getMeter(SCOPE.name), gauges);
  const spans = createSpanMapper({ resource, scope: SCOPE, functionName, contexts, emit: (span) => void spansOut.queue.push(span) });
  // The same backend: a failure of the function's exports backs off every flush, and SHUTDOWN retries it.
  const watchedRelay = (relayExporters: RelayExporters): RelayExporters => ({
    traces: health.watch('traces', relayExporters.traces),
    metrics: health.watch('metrics', relayExporters.metrics),
    logs: health.watch('logs', relayExporters.logs),
  });
  // Made on the first request of the function: a function that sends nothing costs nothing.
  let relay: Relay | null = null;
  const relayOf = (): Relay =>
    (relay ??= createRelay({
      exporters: watchedRelay(given.relay ?? createRelayExporters({ traces: config.tracesProtocol, metrics: config.metricsProtocol, logs: config.logsProtocol })),
      contexts,
      joinTraces: config.relayJoinTraces,
      onAccepted: () => {
        dirty = true;
      },
    }));
  const self = createSelfMetrics(meterProvider.getMeter(SCOPE.name), {
    intake: context.intake ?? (() => ({ batches: 0, events: 0, rejected: 0 })),
    spans: () => spansOut.exporter.stats(),
    spansRefusedQueueFull: () => spansOut.queue.dropped(),
    logRecords: () => logsOut.exporter.stats(),
    logRecordsRefusedQueueFull: () => logsOut.queue.dropped(),
    metricPointsDropped: () => delivery.metrics.dropped(),
    relay: () => relay,
    receiver: context.receiver ?? (() => null),
  });
  const logs = createLogMapper({ resource, scope: SCOPE, contexts, maxBodyBytes: config.logMaxBodyBytes, emit: (record) => logsOut.queue.push(record) });
  const ownLines = createOwnLogFilter(context.registration.extensionName);
  const attribution = createLogAttribution({ concurrent: context.managedInstances === true, maxInFlight: config.maxInFlight });
  /** Set when telemetry arrived since the last export: idle environments (Managed Instances) send nothing. */
  let dirty = false;
  const arns = new Map<string, string>();
  const runtimeDone = createRuntimeDoneWait({
    quietMs: (context.bufferingTimeoutMs ?? DEFAULT_BUFFERING.timeoutMs) + RUNTIME_DONE_GRACE_MS,
    // The runtime was still running when the wait ended; the environment is not frozen yet.
    onLateRuntimeDone: () => void flushIfDue(),
    onUnreliable: (misses) =>
      logger.warn('platform.runtimeDone missing for several invocations in a row; no longer waiting for it, exporting in the background', { invocations: misses }),
  });
  // A burst faster than the backend: Lambda's next batch waits until the queues drained.
  // Quiet while held is not quiet on Lambda's side: the stream resumes from the answer.
  const backPressure = createBackPressure([spansOut.queue, logsOut.queue], () => runtimeDone.activity());

  const handleInvocation = (record: InvocationRecord): void => {
    spans.invocation(record, arns.get(record.requestId));
    arns.delete(record.requestId);
    metrics.invocation(record);
    // The span and log queues export by themselves once a batch is full; points and bytes are the pipeline's.
    if (delivery.metrics.pendingPoints() >= config.flushPoints || delivery.pendingBytes() >= config.flushBytes) void flushIfDue();
  };
  const correlator = createCorrelator({
    maxInFlight: config.maxInFlight,
    maxAgeMs: config.invocationMaxAgeMs,
    initializationType: config.lambda.initializationType,
    onInvocation: (record) => {
      try {
        handleInvocation(record);
      } catch (error) {
        logger.error('mapping an invocation failed', { cause: String(error) });
      }
    },
    onPhase: (record) => {
      spans.phase(record);
      metrics.phase(record);
    },
  });

  async function exportAll(): Promise<void> {
    const startedMs = performance.now();
    dirty = false;
    await Promise.all([delivery.exportAll(), relay?.flush()]);
    self.flushed(performance.now() - startedMs);
  }
  const exportFailed = (error: unknown): void => logger.warn('export failed', { cause: String(error) });
  const serial = createSerialFlush(exportAll, exportFailed);

  /** Every flush but SHUTDOWN's: while the backend fails, only when its backoff allows. */
  function flushIfDue(): Promise<void> {
    return health.attemptDue() && (dirty || health.failing()) ? serial.flush() : Promise.resolve();
  }

  const policy = createFlushPolicy({
    mode: context.managedInstances === true ? managedInstancesMode(config.flush) : config.flush,
    flushTimeoutMs: config.flushTimeoutMs,
    flush: flushIfDue,
    waitForRuntimeDone: (requestId, maxMs) => (context.platformSubscribed ? runtimeDone.wait(requestId, maxMs) : Promise.resolve()),
    onFlushTimeout: () => {
      if (!health.failing()) logger.warn('backend did not answer within the flush budget; invocations no longer wait for it until it does', { flushTimeoutMs: config.flushTimeoutMs });
      health.timedOut();
    },
    backendFailing: health.failing,
    runtimeDoneUnreliable: runtimeDone.unreliable,
  });

  return {
    process(events) {
      dirty = true;
      runtimeDone.observe(events);
      for (const event of events) {
        if (event.type === 'function' || event.type === 'extension') {
          if (event.type !== 'extension' || !ownLines.isOwn(event.record)) delivery.addLogBytes(logs.record(event, attribution.fallback()));
          continue;
        }
        correlator.add(event);
        if (config.platformLogs) delivery.addLogBytes(logs.platform(event));
        if (event.type === 'platform.start') {
          attribution.started(event.record.requestId);
          contexts.of(event.record.requestId, event.record.tracing);
        } else if (event.type === 'platform.runtimeDone' || event.type === 'platform.report') {
          attribution.ended(event.record.requestId);
        } else if (event.type === 'platform.logsDropped') metrics.logsDropped(event.record);
      }
      correlator.endBatch();
      if (delivery.pendingBytes() >= config.flushBytes) void flushIfDue();
      return backPressure.hold();
    },

    relay(signal, request, protobuf, codec) {
      return relayOf().accept(signal, request, protobuf, codec);
    },

    invoke(event) {
      if (arns.size >= MAX_REMEMBERED_ARNS) arns.delete(arns.keys().next().value!);
      arns.set(event.requestId, event.invokedFunctionArn);
      return policy.onInvoke(event);
    },

    // run() has already waited (bounded) for the report of every INVOKE it saw.
    async shutdown(deadlineMs, closeIntake) {
      policy.stop();
      await exportAtShutdown(
        {
          logger,
          correlator,
          flushesSettled: serial.settled,
          exportAll: () => exportAll().catch(exportFailed),
          retryInMs: health.retryInMs,
          delivery,
          relay: () => relay,
          closeIntake,
          ownLogLinesSkipped: ownLines.skipped,
        },
        deadlineMs,
      );
      // Last: a Retry-After answered during SHUTDOWN still counts.
      health.close();
    },
  };
}

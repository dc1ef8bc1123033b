/**
 * The layer's processor: resolves and validates the OpenTelemetry configuration at init (so that
 * a bad value of the extension's own fails the init visibly, and one of the function's is a
 * warning), then loads the OpenTelemetry pipeline lazily on the first
 * INVOKE, after the first `event/next`: the SDK never delays the cold start. Telemetry that
 * arrives before the pipeline is loaded (init events) is held, up to a bound, and handed over.
 * With it starts the local OTLP receiver the function's own SDK exports to.
 */
import { loadOtelConfig } from '../otel/config.ts';
import type { OtelConfig } from '../otel/config.ts';
import { applyOtelEnv, resolveOtelEnv } from '../otel/otel-env.ts';
import type { OtelPipeline } from '../otel/pipeline.ts';
import { RELAY_MAX_HELD_BYTES, signalsExportingTo } from '../otel/receiver-config.ts';
import { startOtlpReceiver } from '../otlp/receiver.ts';
import type { OtlpReceiver } from '../otlp/receiver.ts';
import type { OtlpResult } from '../otlp/codec.ts';
import type { Processor, RunContext } from '../lifecycle/run.ts';
import type { TelemetryEvent } from '../telemetry/events.ts';

/** Events held before the pipeline is loaded (init telemetry is a handful). */
const MAX_HELD_EVENTS = 10_000;
/** Largest request the local OTLP receiver takes, compressed or inflated: well above an SDK's batch of 512 spans. */
export const RELAY_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Requests of the function held until the pipeline is loaded (during its init and first invocation); beyond, refused as a partial success. */
const MAX_HELD_RELAY_REQUESTS = 16;
/** And their bytes (protobuf) at most, as the relay holds per signal: 16 bodies of 4 MiB would be half of a 128 MB function. */
const MAX_HELD_RELAY_BYTES = RELAY_MAX_HELD_BYTES;
/** At SHUTDOWN, how long requests of the function already under way may take before the final export. */
const RECEIVER_CLOSE_GRACE_MS = 100;

type RelayRequest = Parameters<OtelPipeline['relay']>;

/**
 * The layer's OpenTelemetry pipeline as a {@link Processor}: spans, metrics and logs over
 * OTLP/HTTP, configured by the `OTEL_*` and `LAMBDA_OTEL_*` variables (a `LAMBDA_OTEL_*` form of
 * a standard variable is the extension's own and wins over the one shared with the function's
 * SDK). Compose it to filter or enrich events before they become telemetry.
 * @param env - where to read the configuration; at init, the standard `OTEL_*` variables the
 * OpenTelemetry exporters read are set in `process.env` to the values resolved from it
 * @example
 * const otel = createOtelProcessor();
 * await run({ ...otel, process: (events) => otel.process(events.filter((e) => e.type !== 'function')) }, { extensionName: 'my-otel' });
 */
export function createOtelProcessor(env: Readonly<Record<string, string | undefined>> = process.env): Processor {
  let context: RunContext | null = null;
  let otelConfig: OtelConfig | null = null;
  let pipeline: OtelPipeline | null = null;
  let loading: Promise<OtelPipeline> | null = null;
  let receiver: OtlpReceiver | null = null;
  let held: TelemetryEvent[] = [];
  let heldRelay: RelayRequest[] = [];
  let heldRelayBytes = 0;
  let droppedBeforeLoad = 0;
  // What arrived, by event type: logged at SHUTDOWN (info) to tell "not sent" from "not mapped".
  const received = new Map<string, number>();

  // The receiver listens from init on (a listening socket, nothing more, before the first
  // `event/next`): the function's first export, during its init or early in its first
  // invocation, must not find the port closed (its SDK would retry after a second, billed to
  // the function). What comes before the pipeline is loaded is held.
  const relay = (...request: RelayRequest): OtlpResult => {
    if (pipeline !== null) return pipeline.relay(...request);
    const [signal, decoded, protobuf, codec] = request;
    // A JSON request is encoded once here, to weigh it; the relay then takes those bytes as it would protobuf's.
    const bytes = protobuf ?? codec.encode(signal, decoded);
    if (heldRelay.length < MAX_HELD_RELAY_REQUESTS && heldRelayBytes + bytes.byteLength <= MAX_HELD_RELAY_BYTES) {
      heldRelay.push([signal, decoded, bytes, codec]);
      heldRelayBytes += bytes.byteLength;
      return { rejected: 0 };
    }
    return { rejected: codec.countItems(signal, decoded), errorMessage: 'the extension is still starting; these items were dropped' };
  };

  const load = (): Promise<OtelPipeline> => {
    loading ??= import('../otel/pipeline.ts').then(({ createOtelPipeline }) => {
      const ctx = context!;
      pipeline = createOtelPipeline({
        registration: ctx.registration,
        config: otelConfig!,
        logger: ctx.logger,
        platformSubscribed: ctx.config.telemetryTypes.includes('platform'),
        managedInstances: ctx.managedInstances,
        instanceMaxMemoryBytes: instanceMaxMemoryOf(held),
        bufferingTimeoutMs: ctx.config.buffering.timeoutMs,
        intake: ctx.intake,
        receiver: () => receiver?.stats() ?? null,
      });
      for (const request of heldRelay) pipeline.relay(...request);
      heldRelay = [];
      heldRelayBytes = 0;
      if (held.length > 0) pipeline.process(held);
      held = [];
      if (droppedBeforeLoad > 0) ctx.logger.warn('events dropped before the pipeline loaded', { events: droppedBeforeLoad });
      return pipeline;
    });
    return loading;
  };

  async function startReceiver(ctx: Pick<RunContext, 'logger'>): Promise<void> {
    const address = otelConfig!.receiver;
    if (address === null) return;
    const looping = signalsExportingTo(address, process.env);
    if (looping.length > 0) {
      ctx.logger.warn(
        'local OTLP receiver off: the extension itself exports to its address, where it would receive its own exports; set LAMBDA_OTEL_EXPORTER_OTLP_ENDPOINT to the backend to relay the function\'s telemetry',
        { address: `${address.host}:${address.port}`, signals: looping },
      );
      return;
    }
    receiver = await startOtlpReceiver({
      ...address,
      maxBodyBytes: RELAY_MAX_BODY_BYTES,
      logger: ctx.logger,
      onRequest: relay,
    });
  }

  return {
    init(runContext) {
      context = runContext;
      const otelEnv = resolveOtelEnv(env);
      for (const notice of otelEnv.notices) runContext.logger[notice.level](notice.msg);
      otelConfig = loadOtelConfig(otelEnv);
      // The SDK's exporters and resource detector read process.env when the pipeline loads.
      applyOtelEnv(otelEnv, process.env);
      void startReceiver(runContext).catch((error: unknown) => runContext.logger.warn('local OTLP receiver not started', { cause: String(error) }));
    },
    process(events) {
      for (const event of events) received.set(event.type, (received.get(event.type) ?? 0) + 1);
      if (pipeline !== null) return pipeline.process(events);
      // No INVOKE on Managed Instances: the first invocation's start comes after init is over.
      if (context?.managedInstances === true && events.some((e) => e.type === 'platform.start')) void load();
      const room = MAX_HELD_EVENTS - held.length;
      for (let i = 0; i < events.length && i < room; i++) held.push(events[i]!);
      droppedBeforeLoad += Math.max(0, events.length - room);
    },
    async invoke(event) {
      return (await load()).invoke(event);
    },
    async shutdown(reason, deadlineMs) {
      const loaded = await load();
      // The receiver closes just before the final export: nothing answered 200 is left behind.
      await loaded.shutdown(deadlineMs, async () => receiver?.close(RECEIVER_CLOSE_GRACE_MS));
      context?.logger.info('telemetry received', { reason, byType: Object.fromEntries(received) });
    },
  };
}

/** Managed Instances tell the environment's memory in `platform.initStart` (bytes). */
function instanceMaxMemoryOf(events: readonly TelemetryEvent[]): number | undefined {
  for (const event of events) if (event.type === 'platform.initStart' && event.record.instanceMaxMemory !== undefined) return event.record.instanceMaxMemory;
  return undefined;
}

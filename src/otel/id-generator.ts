/**
 * Random ids, except where Lambda already named them: the X-Ray root of a trace without a
 * parent, and the `spanId` Lambda gives the invocation. The next id to use is set right before
 * the one `startSpan` call it belongs to; the SDK calls the generator synchronously inside it.
 */
import { RandomIdGenerator } from '@opentelemetry/sdk-trace';
import type { IdGenerator } from '@opentelemetry/sdk-trace';

export interface PresetIdGenerator extends IdGenerator {
  /** The next generated trace id is `traceId` (32 hex). */
  presetTraceId(traceId: string): void;
  /** The next generated span id is `spanId` (16 hex). */
  presetSpanId(spanId: string): void;
  /** Forgets presets a `startSpan` did not consume (e.g. a span that was not sampled). */
  clear(): void;
}

export function createPresetIdGenerator(): PresetIdGenerator {
  const random = new RandomIdGenerator();
  let nextTraceId: string | null = null;
  let nextSpanId: string | null = null;
  return {
    generateTraceId() {
      const id = nextTraceId ?? random.generateTraceId();
      nextTraceId = null;
      return id;
    },
    generateSpanId() {
      const id = nextSpanId ?? random.generateSpanId();
      nextSpanId = null;
      return id;
    },
    presetTraceId(traceId) {
      nextTraceId = traceId;
    },
    presetSpanId(spanId) {
      nextSpanId = spanId;
    },
    clear() {
      nextTraceId = null;
      nextSpanId = null;
    },
  };
}

/**
 * Records every event the sandbox produces and fans it out to the subscribers' queues. A
 * late subscriber first gets the past events of its types, because Lambda buffers init
 * telemetry until extensions subscribe.
 */
import { Agent } from 'node:http';
import { EVENT_TYPES } from '../telemetry/constants.ts';
import type { TelemetryEvent, TelemetryType } from '../telemetry/events.ts';
import { createDeliveryQueue } from './delivery-queue.ts';
import type { BatchOutcome, DeliveryQueue } from './delivery-queue.ts';
import { logsDroppedEvent } from './event-factory.ts';
import type { Subscription } from './subscription.ts';

/** A batch without an answer after this much thawed time is dropped. */
export const DELIVERY_TIMEOUT_MS = 5000;
/** Queued bytes per subscriber, as a multiple of its `maxBytes`, before events are dropped. */
const QUEUE_CAP_BATCHES = 4;
/** Events kept for the report; later ones are counted, not kept. */
export const MAX_RECORDED_EVENTS = 200_000;
/**
 * Characters of text log records kept for the report. Lines reach 256 KiB each, so the event
 * count alone would let an extension that logs in a loop hold gigabytes; beyond this budget
 * text records are counted, not kept.
 */
export const MAX_RECORDED_TEXT_CHARS = 64 * 1024 * 1024;

/** Receives a subscriber's delivery results. */
export interface SubscriberListener {
  onBatch(outcome: BatchOutcome): void;
  onOverflow(): void;
  onClosed(undeliveredEvents: number): void;
}

/** The event recorder and fan-out. */
export interface TelemetryHub {
  /** Records and fans out `event`; false once the hub is closed (the event went nowhere). */
  produce(event: TelemetryEvent): boolean;
  /** Adds (or replaces) the subscription of `name`; only a first one gets past events. */
  subscribe(name: string, subscription: Subscription, listener: SubscriberListener): void;
  pause(): void;
  resume(): void;
  /** Stops every queue; idempotent. */
  close(): void;
  events(): readonly TelemetryEvent[];
  /** Events produced beyond the recording cap. */
  omitted(): number;
}

interface Subscriber {
  readonly types: readonly TelemetryType[];
  readonly queue: DeliveryQueue;
  readonly listener: SubscriberListener;
}

function streamOf(type: TelemetryEvent['type']): TelemetryType {
  if (type === EVENT_TYPES.FUNCTION) return 'function';
  if (type === EVENT_TYPES.EXTENSION_LOG) return 'extension';
  return 'platform';
}

function accepts(subscriber: { readonly types: readonly TelemetryType[] }, event: TelemetryEvent): boolean {
  return subscriber.types.includes(streamOf(event.type));
}

/** Creates the hub, delivering (not paused). */
export function createTelemetryHub(): TelemetryHub {
  // No keep-alive: a listener thawed after a freeze may have closed the idle socket.
  const agent = new Agent({ keepAlive: false });
  const recorded: TelemetryEvent[] = [];
  const subscribers = new Map<string, Subscriber>();
  let omitted = 0;
  let recordedTextChars = 0;
  let paused = false;
  let closed = false;
  const record = (event: TelemetryEvent): void => {
    const chars = typeof event.record === 'string' ? event.record.length : 0;
    if (recorded.length < MAX_RECORDED_EVENTS && recordedTextChars + chars <= MAX_RECORDED_TEXT_CHARS) {
      recorded.push(event);
      recordedTextChars += chars;
    } else {
      omitted += 1;
    }
  };
  return {
    produce(event) {
      if (closed) return false;
      record(event);
      for (const subscriber of subscribers.values()) {
        if (accepts(subscriber, event)) subscriber.queue.push(event);
      }
      return true;
    },
    subscribe(name, subscription, listener) {
      if (closed) return;
      const previous = subscribers.get(name);
      if (previous !== undefined) previous.listener.onClosed(previous.queue.close());
      const queue = createDeliveryQueue({
        uri: subscription.uri,
        buffering: subscription.buffering,
        agent,
        requestTimeoutMs: DELIVERY_TIMEOUT_MS,
        maxQueuedBytes: subscription.buffering.maxBytes * QUEUE_CAP_BATCHES,
        makeDroppedEvent: (droppedRecords, droppedBytes) => {
          const event = logsDroppedEvent(droppedRecords, droppedBytes);
          record(event);
          return event;
        },
        onBatch: (outcome) => listener.onBatch(outcome),
        onOverflow: () => listener.onOverflow(),
      });
      if (paused) queue.pause();
      const subscriber: Subscriber = { types: subscription.types, queue, listener };
      if (previous === undefined) {
        for (const event of recorded) {
          // logsDropped events belong to the subscriber they were made for.
          if (event.type !== EVENT_TYPES.LOGS_DROPPED && accepts(subscriber, event)) queue.push(event);
        }
      }
      subscribers.set(name, subscriber);
    },
    pause() {
      paused = true;
      for (const subscriber of subscribers.values()) subscriber.queue.pause();
    },
    resume() {
      paused = false;
      for (const subscriber of subscribers.values()) subscriber.queue.resume();
    },
    close() {
      if (closed) return;
      closed = true;
      for (const subscriber of subscribers.values()) subscriber.listener.onClosed(subscriber.queue.close());
      agent.destroy();
    },
    events: () => recorded.slice(),
    omitted: () => omitted,
  };
}

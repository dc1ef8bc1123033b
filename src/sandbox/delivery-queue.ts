/**
 * Telemetry delivery to one subscriber with the Telemetry API's buffering: a batch goes out
 * when `maxItems` or `maxBytes` is reached, or `timeoutMs` after the first queued event; one
 * POST in flight at a time. Paused while the environment is frozen, because Lambda's own
 * agent is frozen with it. A failed batch is dropped and announced later with
 * `platform.logsDropped`, as Lambda does.
 */
import { Buffer } from 'node:buffer';
import type { Agent } from 'node:http';
import type { TelemetryEvent } from '../telemetry/events.ts';
import { postBatch } from './post-batch.ts';
import type { PostHandle, PostOutcome } from './post-batch.ts';
import type { Buffering } from './subscription.ts';

/** Outcome of one POSTed batch. */
export interface BatchOutcome {
  readonly ok: boolean;
  readonly events: number;
  readonly bytes: number;
  readonly statusCode: number | null;
  readonly error: string | null;
}

/** Options of {@link createDeliveryQueue}. */
export interface DeliveryQueueOptions {
  readonly uri: URL;
  readonly buffering: Buffering;
  readonly agent: Agent;
  /** A batch without an answer after this much thawed time fails. */
  readonly requestTimeoutMs: number;
  /** Queued bytes beyond which new events are dropped. */
  readonly maxQueuedBytes: number;
  /** Builds (and records) the `platform.logsDropped` event for the drops so far. */
  readonly makeDroppedEvent: (droppedRecords: number, droppedBytes: number) => TelemetryEvent;
  readonly onBatch: (outcome: BatchOutcome) => void;
  /** Called for each event dropped because the queue was full. */
  readonly onOverflow: () => void;
}

/** A subscriber's queue. */
export interface DeliveryQueue {
  push(event: TelemetryEvent): void;
  pause(): void;
  resume(): void;
  /** Stops delivery; returns how many events were never delivered. Idempotent. */
  close(): number;
}

interface Item {
  readonly json: string;
  readonly bytes: number;
}

interface InFlight {
  readonly handle: PostHandle;
  readonly events: number;
  timer: NodeJS.Timeout | null;
}

class DeliveryQueueImpl implements DeliveryQueue {
  readonly #o: DeliveryQueueOptions;
  readonly #items: Item[] = [];
  #queuedBytes = 0;
  #timer: NodeJS.Timeout | null = null;
  #timerArmedAt = 0;
  #timerForMs = 0;
  /** Time left on the buffering timer while paused; null when none was running. */
  #timerLeftMs: number | null = null;
  #timerExpired = false;
  #paused = false;
  #closed = false;
  #inFlight: InFlight | null = null;
  #droppedRecords = 0;
  #droppedBytes = 0;

  constructor(options: DeliveryQueueOptions) {
    this.#o = options;
  }

  push(event: TelemetryEvent): void {
    if (this.#closed) return;
    const json = JSON.stringify(event);
    const bytes = Buffer.byteLength(json);
    if (this.#queuedBytes + bytes > this.#o.maxQueuedBytes) {
      this.#droppedRecords += 1;
      this.#droppedBytes += bytes;
      this.#o.onOverflow();
    } else {
      this.#items.push({ json, bytes });
      this.#queuedBytes += bytes;
    }
    this.#ensureTimer();
    this.#maybeSend();
  }

  pause(): void {
    if (this.#paused || this.#closed) return;
    this.#paused = true;
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
      this.#timerLeftMs = Math.max(0, this.#timerForMs - (performance.now() - this.#timerArmedAt));
    }
    if (this.#inFlight?.timer) {
      clearTimeout(this.#inFlight.timer);
      this.#inFlight.timer = null;
    }
  }

  resume(): void {
    if (!this.#paused || this.#closed) return;
    this.#paused = false;
    if (this.#timerLeftMs !== null) {
      const left = this.#timerLeftMs;
      this.#timerLeftMs = null;
      this.#armTimer(left);
    }
    if (this.#inFlight !== null && this.#inFlight.timer === null) this.#armRequestTimer(this.#inFlight);
    this.#maybeSend();
  }

  close(): number {
    if (this.#closed) return 0;
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const undelivered = this.#items.length + (this.#inFlight?.events ?? 0);
    if (this.#inFlight !== null) {
      if (this.#inFlight.timer !== null) clearTimeout(this.#inFlight.timer);
      this.#inFlight.handle.abort('sandbox closed');
      this.#inFlight = null;
    }
    this.#items.length = 0;
    return undelivered;
  }

  #hasTimer(): boolean {
    return this.#timer !== null || this.#timerLeftMs !== null || this.#timerExpired;
  }

  #ensureTimer(): void {
    if (!this.#hasTimer()) this.#armTimer(this.#o.buffering.timeoutMs);
  }

  #armTimer(ms: number): void {
    if (this.#paused) {
      this.#timerLeftMs = ms;
      return;
    }
    this.#timerArmedAt = performance.now();
    this.#timerForMs = ms;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#timerExpired = true;
      this.#maybeSend();
    }, ms);
    this.#timer.unref();
  }

  #armRequestTimer(flight: InFlight): void {
    flight.timer = setTimeout(() => flight.handle.abort(`no answer within ${this.#o.requestTimeoutMs} ms`), this.#o.requestTimeoutMs);
    flight.timer.unref();
  }

  #maybeSend(): void {
    if (this.#closed || this.#paused || this.#inFlight !== null) return;
    if (this.#items.length === 0 && this.#droppedRecords === 0) return;
    const { maxItems, maxBytes } = this.#o.buffering;
    const full = this.#items.length >= maxItems || this.#queuedBytes >= maxBytes;
    if (full || this.#timerExpired) this.#send();
  }

  #send(): void {
    const { maxItems, maxBytes } = this.#o.buffering;
    const parts: string[] = [];
    let bytes = 2;
    if (this.#droppedRecords > 0) {
      const dropped = JSON.stringify(this.#o.makeDroppedEvent(this.#droppedRecords, this.#droppedBytes));
      this.#droppedRecords = 0;
      this.#droppedBytes = 0;
      parts.push(dropped);
      bytes += Buffer.byteLength(dropped);
    }
    let taken = 0;
    while (taken < this.#items.length && parts.length < maxItems) {
      const item = this.#items[taken] as Item;
      const added = item.bytes + (parts.length > 0 ? 1 : 0);
      if (parts.length > 0 && bytes + added > maxBytes) break;
      parts.push(item.json);
      bytes += added;
      this.#queuedBytes -= item.bytes;
      taken += 1;
    }
    this.#items.splice(0, taken);
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerExpired = false;
    this.#timerLeftMs = null;
    if (this.#items.length > 0) this.#armTimer(this.#o.buffering.timeoutMs);
    const handle = postBatch(this.#o.uri, `[${parts.join(',')}]`, this.#o.agent);
    const flight: InFlight = { handle, events: parts.length, timer: null };
    this.#inFlight = flight;
    this.#armRequestTimer(flight);
    // `done` never rejects (see postBatch).
    void handle.done.then((outcome) => this.#onDone(flight, outcome, bytes));
  }

  #onDone(flight: InFlight, outcome: PostOutcome, bytes: number): void {
    if (flight.timer !== null) clearTimeout(flight.timer);
    if (this.#closed || this.#inFlight !== flight) return;
    this.#inFlight = null;
    const ok = outcome.kind === 'delivered';
    if (!ok) {
      this.#droppedRecords += flight.events;
      this.#droppedBytes += bytes;
      // Announce the drop even if nothing else gets queued.
      this.#ensureTimer();
    }
    this.#o.onBatch({
      ok,
      events: flight.events,
      bytes,
      statusCode: outcome.kind === 'failed' ? null : outcome.statusCode,
      error: outcome.kind === 'failed' ? outcome.reason : ok ? null : `HTTP ${outcome.statusCode}`,
    });
    this.#maybeSend();
  }
}

/** Creates a subscriber queue. */
export function createDeliveryQueue(options: DeliveryQueueOptions): DeliveryQueue {
  return new DeliveryQueueImpl(options);
}

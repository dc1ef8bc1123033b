/**
 * Splits an extension's stdout or stderr into the lines Lambda turns into `extension`
 * telemetry events: one event per line, without the `\n` (or `\r\n`), and a line longer than
 * {@link MAX_LINE_BYTES} cut into pieces of at most that size, because Lambda caps a log
 * event at 256 KB.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api.html
 */
import { Buffer } from 'node:buffer';

/** Largest line piece, in UTF-8 bytes; longer lines become several events. */
export const MAX_LINE_BYTES = 256 * 1024;
/** Longest UTF-8 sequence, so a cut backs up at most this far to keep characters whole. */
const MAX_UTF8_SEQUENCE_BYTES = 4;
const LF = 0x0a;
const CR = 0x0d;

/** Receives one line (or piece of a long line) and the epoch ms its first byte arrived. */
export type LineListener = (line: string, atEpochMs: number) => void;

/** Splitter of one output stream. */
export interface LineSplitter {
  /** Feeds bytes read at `atEpochMs`. */
  push(chunk: Buffer, atEpochMs: number): void;
  /** The stream ended: emits a last line that had no newline. Idempotent. */
  end(): void;
}

/** True for a UTF-8 continuation byte (10xxxxxx). */
function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

class LineSplitterImpl implements LineSplitter {
  readonly #onLine: LineListener;
  /** Bytes of the current line so far; never more than MAX_LINE_BYTES plus one chunk. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #pendingSinceEpochMs = 0;
  /** The current line already had a piece cut off. */
  #continued = false;
  #ended = false;

  constructor(onLine: LineListener) {
    this.#onLine = onLine;
  }

  push(chunk: Buffer, atEpochMs: number): void {
    if (this.#ended) return;
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(LF, start);
      const end = newline === -1 ? chunk.length : newline;
      if (end > start) this.#append(chunk.subarray(start, end), atEpochMs);
      if (newline === -1) return;
      if (this.#pendingBytes === 0) this.#pendingSinceEpochMs = atEpochMs;
      this.#flushLine();
      start = newline + 1;
    }
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#pendingBytes > 0) this.#flushLine();
  }

  #append(piece: Buffer, atEpochMs: number): void {
    if (this.#pendingBytes === 0) this.#pendingSinceEpochMs = atEpochMs;
    this.#pending.push(piece);
    this.#pendingBytes += piece.length;
    while (this.#pendingBytes > MAX_LINE_BYTES) {
      const all = Buffer.concat(this.#pending, this.#pendingBytes);
      // Cut before a character, not inside it.
      let cut = MAX_LINE_BYTES;
      while (cut > MAX_LINE_BYTES - MAX_UTF8_SEQUENCE_BYTES && isContinuation(all[cut])) cut -= 1;
      this.#onLine(all.toString('utf8', 0, cut), this.#pendingSinceEpochMs);
      const rest = all.subarray(cut);
      this.#pending = [rest];
      this.#pendingBytes = rest.length;
      this.#pendingSinceEpochMs = atEpochMs;
      this.#continued = true;
    }
  }

  #flushLine(): void {
    const line = this.#pending.length === 1 ? (this.#pending[0] as Buffer) : Buffer.concat(this.#pending, this.#pendingBytes);
    const length = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
    // A cut that left only the `\r` of a `\r\n` has no text left to report.
    if (!(this.#continued && length === 0)) this.#onLine(line.toString('utf8', 0, length), this.#pendingSinceEpochMs);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#continued = false;
  }
}

/** Creates a splitter calling `onLine` for each complete line, in order. */
export function createLineSplitter(onLine: LineListener): LineSplitter {
  return new LineSplitterImpl(onLine);
}

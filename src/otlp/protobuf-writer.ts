/**
 * A protobuf writer for the export hot path, in one pass over a growing Buffer. Strings go
 * through Buffer's native UTF-8 writer (a JavaScript loop only for short ASCII ones, where a
 * native call costs more than it saves); a message's length is written in front of it when it
 * ends, by moving the message when its length takes more or fewer bytes than were reserved.
 */

/** Wire types. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LEN = 2;
export const FIXED32 = 5;

/** Strings up to this length cannot take more than 127 bytes in UTF-8: a one-byte length. */
const SHORT_STRING = 42;
const TWO_POW_32 = 4_294_967_296;
/** A buffer grown past this for one large message is let go after it: memory is the function's too. */
const MAX_KEPT_BYTES = 1024 * 1024;
const NANOS_PER_SECOND = 1_000_000_000;
const NANOS_LOW_16 = NANOS_PER_SECOND & 0xffff;
const NANOS_HIGH_16 = Math.floor(NANOS_PER_SECOND / 65_536);

/**
 * Buffer's own UTF-8 writer, which `buffer.write(string, offset, 'utf8')` calls after sorting
 * out its optional arguments (a tenth of this writer's time on log lines); `write` where a
 * node lacks it.
 */
const utf8Write: (this: Buffer, value: string, offset: number, length: number) => number =
  (Buffer.prototype as Buffer & { utf8Write?: (value: string, offset: number, length: number) => number }).utf8Write ??
  function (this: Buffer, value: string, offset: number, length: number): number {
    return this.write(value, offset, length, 'utf8');
  };

function varintSize(value: number): number {
  if (value < 0) return 10;
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

export class ProtobufWriter {
  private buffer: Buffer;
  private readonly initialBytes: number;
  pos = 0;
  private readonly lastTraceId = { hex: '', bytes: new Uint8Array(16) };
  private readonly lastSpanId = { hex: '', bytes: new Uint8Array(8) };

  constructor(initialBytes = 64 * 1024) {
    this.initialBytes = initialBytes;
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  private ensure(bytes: number): void {
    const needed = this.pos + bytes;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.pos);
    this.buffer = grown;
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  /** An unsigned varint, or a negative integer as int64 (ten bytes, two's complement). */
  varint(value: number): void {
    this.ensure(10);
    if (value >= 0 && value < TWO_POW_32) {
      this.pos = this.uint32VarintAt(this.pos, value >>> 0);
      return;
    }
    const buffer = this.buffer;
    const magnitude = Math.abs(value);
    let low = magnitude >>> 0;
    let high = Math.floor(magnitude / TWO_POW_32) >>> 0;
    if (value < 0) {
      low = (~low + 1) >>> 0;
      high = (~high + (low === 0 ? 1 : 0)) >>> 0;
    }
    while (high > 0 || low > 127) {
      buffer[this.pos++] = (low & 127) | 128;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buffer[this.pos++] = low;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.uint32(value >>> 0);
  }

  /** Writes `value` as a varint at `at`, in room already there; returns where it ends. */
  private uint32VarintAt(at: number, value: number): number {
    const buffer = this.buffer;
    while (value > 127) {
      buffer[at++] = (value & 127) | 128;
      value >>>= 7;
    }
    buffer[at++] = value;
    return at;
  }

  private uint32(value: number): void {
    const buffer = this.buffer;
    buffer[this.pos++] = value & 255;
    buffer[this.pos++] = (value >>> 8) & 255;
    buffer[this.pos++] = (value >>> 16) & 255;
    buffer[this.pos++] = value >>> 24;
  }

  /** An HrTime ([seconds, nanoseconds]) as fixed64 nanoseconds, exactly, without BigInt. */
  hrTime(time: readonly [number, number]): void {
    const [seconds, nanos] = time;
    // seconds × 10⁹ in 16-bit halves: every partial product stays below 2⁵³.
    const secondsLow = seconds % 65_536;
    const secondsHigh = Math.floor(seconds / 65_536);
    const middle = secondsHigh * NANOS_LOW_16 + secondsLow * NANOS_HIGH_16;
    const low = secondsLow * NANOS_LOW_16 + (middle % 65_536) * 65_536 + nanos;
    const high = secondsHigh * NANOS_HIGH_16 + Math.floor(middle / 65_536) + Math.floor(low / TWO_POW_32);
    this.ensure(8);
    this.uint32(low >>> 0);
    this.uint32(high >>> 0);
  }

  double(value: number): void {
    this.ensure(8);
    this.buffer.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** A length-delimited UTF-8 string. */
  string(value: string): void {
    const length = value.length;
    this.ensure(5 + length * 3);
    const buffer = this.buffer;
    const start = this.pos;
    if (length <= SHORT_STRING) {
      let pos = start + 1;
      for (let i = 0; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code > 127) {
          buffer[start] = utf8Write.call(buffer, value, start + 1, length * 3);
          this.pos = start + 1 + buffer[start]!;
          return;
        }
        buffer[pos++] = code;
      }
      buffer[start] = length;
      this.pos = pos;
      return;
    }
    // Room for the length as if every character took one byte (ASCII, the usual case), moved
    // when it did not; one native call either way.
    const reserve = varintSize(length);
    const bytes = utf8Write.call(buffer, value, start + reserve, length * 3);
    const size = varintSize(bytes);
    if (size !== reserve) buffer.copyWithin(start + size, start + reserve, start + reserve + bytes);
    this.uint32VarintAt(start, bytes);
    this.pos = start + size + bytes;
  }

  /** Length-delimited bytes. */
  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.raw(value);
  }

  /** Bytes already encoded (a field, a message, a tag). */
  raw(value: Uint8Array): void {
    const length = value.length;
    this.ensure(length);
    if (length > 32) {
      this.buffer.set(value, this.pos);
      this.pos += length;
      return;
    }
    // Cheaper than a native copy at this size: keys, tags, short fields.
    const buffer = this.buffer;
    for (let i = 0; i < length; i++) buffer[this.pos++] = value[i]!;
  }

  /**
   * A hex id (trace id, span id) as length-delimited bytes, two digits a byte. Digits other
   * than 0-9 and a-f are read as A-F would be, as the SDK's encoder reads them. The records of
   * one invocation carry the same ids one after the other: the last trace id and the last span
   * id are kept decoded.
   */
  hexBytes(hex: string): void {
    const length = hex.length >>> 1;
    const last = length === 16 ? this.lastTraceId : length === 8 ? this.lastSpanId : null;
    this.varint(length);
    this.ensure(length);
    const buffer = this.buffer;
    if (last !== null && last.hex === hex) {
      for (let i = 0; i < length; i++) buffer[this.pos++] = last.bytes[i]!;
      return;
    }
    for (let i = 0; i < length; i++) buffer[this.pos++] = (hexDigit(hex.charCodeAt(2 * i)) << 4) | hexDigit(hex.charCodeAt(2 * i + 1));
    if (last !== null) {
      last.hex = hex;
      for (let i = 0; i < length; i++) last.bytes[i] = buffer[this.pos - length + i]!;
    }
  }

  /**
   * Starts a length-delimited message, keeping `reserve` bytes for its length (the varint size
   * its length usually takes); returns where it starts, for {@link end}.
   */
  begin(reserve = 1): number {
    this.ensure(reserve);
    const start = this.pos;
    this.pos += reserve;
    return start;
  }

  /** Ends the message begun at `start` with the same `reserve`, writing its length in front of it. */
  end(start: number, reserve = 1): void {
    const length = this.pos - start - reserve;
    const size = varintSize(length);
    if (size !== reserve) {
      this.ensure(size - reserve);
      this.buffer.copyWithin(start + size, start + reserve, this.pos);
      this.pos += size - reserve;
    }
    // The length goes in the room just made for it: nothing to grow.
    this.uint32VarintAt(start, length);
  }

  /** Drops what was written since the last {@link finish} (an encode that threw left it half done). */
  reset(): void {
    this.pos = 0;
  }

  /** The bytes written, as a copy of their own; the writer starts again, keeping its buffer up to a size. */
  finish(): Uint8Array {
    const out = Buffer.allocUnsafeSlow(this.pos);
    this.buffer.copy(out, 0, 0, this.pos);
    this.pos = 0;
    if (this.buffer.length > MAX_KEPT_BYTES) this.buffer = Buffer.allocUnsafe(this.initialBytes);
    return out;
  }
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return code - 55;
}

/**
 * Reads the X-Ray trace header Lambda puts in `tracing.value`, e.g.
 * `Root=1-5e1b4151-5ac6c58f5b5dbd6a3ba0f9c4;Parent=53995c3f42cd8ad8;Sampled=1`.
 * Scanned with indexOf/slice, no regex or split; bad input yields null, never an exception.
 *
 * Not `@opentelemetry/propagator-aws-xray` (3.0.0): its `extract()` yields no span context at all
 * for a header without `Sampled` (a deferred decision) or without `Parent`, losing the trace id;
 * this parser keeps the trace id and tells "not sampled" from "not decided", so that
 * `xrayRespectSampled` drops only `Sampled=0`.
 * @see https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader
 */

/** The W3C form of an X-Ray trace context. */
export interface XrayContext {
  /** 32 lowercase hex digits: the 8 after `1-` followed by the 24 after the second dash. */
  readonly traceId: string;
  /** 16 hex digits of `Parent`, or null when the header has none. */
  readonly parentId: string | null;
  /** `Sampled=1`; null when the header does not say (a deferred decision). */
  readonly sampled: boolean | null;
}

const ROOT = 'Root=';
const PARENT = 'Parent=';
const SAMPLED = 'Sampled=';
const VERSION_PREFIX = '1-';
const EPOCH_HEX_LENGTH = 8;
const UNIQUE_HEX_LENGTH = 24;
const ROOT_LENGTH = VERSION_PREFIX.length + EPOCH_HEX_LENGTH + 1 + UNIQUE_HEX_LENGTH;
const SPAN_ID_LENGTH = 16;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

/** Parses the header value; null when it has no valid `Root`. */
export function parseXrayHeader(header: string): XrayContext | null {
  let traceId: string | null = null;
  let parentId: string | null = null;
  let sampled: boolean | null = null;
  let position = 0;
  while (position < header.length) {
    let end = header.indexOf(';', position);
    if (end === -1) end = header.length;
    const part = header.slice(position, end).trim();
    position = end + 1;
    if (part.startsWith(ROOT)) traceId = rootToTraceId(part.slice(ROOT.length));
    else if (part.startsWith(PARENT)) parentId = spanIdOrNull(part.slice(PARENT.length));
    else if (part.startsWith(SAMPLED)) {
      const flag = part.slice(SAMPLED.length);
      sampled = flag === '1' ? true : flag === '0' ? false : null;
    }
  }
  return traceId === null ? null : { traceId, parentId, sampled };
}

/** A 16-hex span id (lowercased), or null when `value` is not one. */
export function spanIdOrNull(value: string): string | null {
  if (value.length !== SPAN_ID_LENGTH || !isHex(value)) return null;
  const id = value.toLowerCase();
  return id === INVALID_SPAN_ID ? null : id;
}

function rootToTraceId(root: string): string | null {
  if (root.length !== ROOT_LENGTH || !root.startsWith(VERSION_PREFIX) || root[VERSION_PREFIX.length + EPOCH_HEX_LENGTH] !== '-') return null;
  const epoch = root.slice(VERSION_PREFIX.length, VERSION_PREFIX.length + EPOCH_HEX_LENGTH);
  const unique = root.slice(ROOT_LENGTH - UNIQUE_HEX_LENGTH);
  const traceId = (epoch + unique).toLowerCase();
  return isHex(traceId) && traceId !== INVALID_TRACE_ID ? traceId : null;
}

function isHex(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const digit = c >= 48 && c <= 57;
    const lower = c >= 97 && c <= 102;
    const upper = c >= 65 && c <= 70;
    if (!digit && !lower && !upper) return false;
  }
  return true;
}

/**
 * decode(), property-based (fast-check): any body never throws and accounts for every array
 * item exactly once; any well-formed event (built from the documented schema) decodes to itself;
 * one corrupted required field rejects exactly that item as `invalid-record`, one corrupted
 * optional field drops only that field (or the optional object holding it) and keeps the event;
 * huge strings and deep nesting pass. Table cases of the same rules live in decode.test.ts.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EVENT_TYPES, INITIALIZATION_TYPES, PHASES, SPAN_NAMES, STATUSES, TRACE_CONTEXT_TYPE } from '../../src/telemetry/constants.ts';
import { decode } from '../../src/telemetry/decode.ts';
import type { DecodeResult } from '../../src/telemetry/decode.ts';
import type { TelemetryEventType } from '../../src/telemetry/events.ts';
import { plain } from './support.ts';

/** Runs per property: enough to find shape bugs, few enough to keep this file at a few seconds. */
const RUNS = 300;
/** Runs of the properties that build megabyte strings or 10 000-level nesting. */
const HEAVY_RUNS = 15;
const MIB = 1024 * 1024;
const DEPTH = 10_000;

type Item = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Arbitraries of the documented schema
// ---------------------------------------------------------------------------------------------

const MIN_MS = Date.UTC(1970, 0, 1);
const MAX_MS = Date.UTC(2100, 0, 1);
const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, a real instant written in its own zone. */
const isoTime: fc.Arbitrary<string> = fc
  .record({
    ms: fc.integer({ min: MIN_MS, max: MAX_MS }),
    fraction: fc.option(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 9 }), { nil: undefined }),
    offsetMin: fc.option(fc.integer({ min: -14 * 60, max: 14 * 60 }), { nil: undefined }),
    lowerCase: fc.boolean(),
  })
  .map(({ ms, fraction, offsetMin, lowerCase }) => {
    const local = new Date(ms + (offsetMin ?? 0) * 60_000);
    const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
    const clock = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
    let zone = lowerCase ? 'z' : 'Z';
    if (offsetMin !== undefined) {
      const abs = Math.abs(offsetMin);
      zone = `${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
    }
    return `${date}${lowerCase ? 't' : 'T'}${clock}${fraction === undefined ? '' : `.${fraction}`}${zone}`;
  });

/** Any text, including astral characters and lone surrogates. */
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 40 }));
const nonEmptyText = fc.oneof(fc.uuid(), fc.string({ minLength: 1 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }));
const finite = fc.oneof(fc.integer(), fc.nat({ max: 10_000_000 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
const status = fc.constantFrom(...STATUSES);
const initializationType = fc.oneof(fc.constantFrom(...INITIALIZATION_TYPES), text);
const phase = fc.oneof(fc.constantFrom(...PHASES), text);
const tracing = fc.record(
  { type: fc.oneof(fc.constant(TRACE_CONTEXT_TYPE), text), value: text, spanId: text },
  { requiredKeys: ['type', 'value'] },
);
const span = fc.record({ name: fc.oneof(fc.constantFrom(...Object.values(SPAN_NAMES)), text), start: isoTime, durationMs: finite });
const spans = fc.array(span, { maxLength: 4 });
const runtimeInfo = {
  runtimeVersion: text,
  runtimeVersionArn: text,
  functionName: text,
  functionVersion: text,
  instanceId: text,
  instanceMaxMemory: finite,
};
const phaseMetrics = fc.record({ durationMs: finite, billedDurationMs: finite }, { requiredKeys: ['durationMs'] });
const jsonObject = fc.dictionary(text, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
const jsonLogRecord = fc.record(
  {
    timestamp: isoTime,
    level: fc.constantFrom('TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'),
    requestId: nonEmptyText,
    message: fc.oneof(text, fc.jsonValue({ maxDepth: 2 })),
    errorType: text,
    stackTrace: fc.array(text, { maxLength: 3 }),
  },
  { requiredKeys: [] },
);
const logRecord = fc.oneof(text, jsonObject, jsonLogRecord);

/** The record arbitrary of every event type; optional fields are present or absent. */
const RECORDS: { readonly [T in TelemetryEventType]: fc.Arbitrary<unknown> } = {
  'platform.initStart': fc.record({ initializationType, phase, ...runtimeInfo, tracing }, { requiredKeys: [] }),
  'platform.initRuntimeDone': fc.record(
    { initializationType, phase, status, errorType: text, spans, tracing },
    { requiredKeys: ['status'] },
  ),
  'platform.initReport': fc.record(
    { initializationType, phase, status, errorType: text, metrics: phaseMetrics, spans, tracing },
    { requiredKeys: ['metrics'] },
  ),
  'platform.start': fc.record({ requestId: nonEmptyText, version: text, tenantId: text, tracing }, { requiredKeys: ['requestId'] }),
  'platform.runtimeDone': fc.record(
    {
      requestId: nonEmptyText,
      status,
      errorType: text,
      tenantId: text,
      metrics: fc.record({ durationMs: finite, producedBytes: finite }, { requiredKeys: ['durationMs'] }),
      spans,
      tracing,
    },
    { requiredKeys: ['requestId', 'status'] },
  ),
  'platform.report': fc.record(
    {
      requestId: nonEmptyText,
      status,
      errorType: text,
      tenantId: text,
      metrics: fc.record(
        {
          durationMs: finite,
          billedDurationMs: finite,
          memorySizeMB: finite,
          maxMemoryUsedMB: finite,
          initDurationMs: finite,
          restoreDurationMs: finite,
          billedRestoreDurationMs: finite,
        },
        { requiredKeys: ['durationMs'] },
      ),
      spans,
      tracing,
    },
    { requiredKeys: ['requestId', 'metrics'] },
  ),
  'platform.restoreStart': fc.record(runtimeInfo, { requiredKeys: [] }),
  'platform.restoreRuntimeDone': fc.record({ status, errorType: text, spans }, { requiredKeys: ['status'] }),
  'platform.restoreReport': fc.record({ status, errorType: text, metrics: phaseMetrics, spans }, { requiredKeys: [] }),
  'platform.extension': fc.record(
    { name: text, state: text, events: fc.array(fc.constantFrom('INVOKE', 'SHUTDOWN'), { maxLength: 2 }), errorType: text },
    { requiredKeys: ['name', 'state', 'events'] },
  ),
  'platform.telemetrySubscription': fc.record({ name: text, state: text, types: fc.array(text, { maxLength: 3 }) }),
  'platform.logsDropped': fc.record({ reason: text, droppedRecords: finite, droppedBytes: finite }),
  function: logRecord,
  extension: logRecord,
};

const ALL_TYPES = Object.values(EVENT_TYPES);

function eventOf(type: TelemetryEventType): fc.Arbitrary<Item> {
  return fc.record({ time: isoTime, type: fc.constant(type), record: RECORDS[type] });
}

const anyEvent: fc.Arbitrary<Item> = fc.oneof(...ALL_TYPES.map(eventOf));

// ---------------------------------------------------------------------------------------------
// Corruptions: one field of a record set to a value the schema forbids
// ---------------------------------------------------------------------------------------------

const notString = fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'string');
const notFiniteNumber = fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'number');
const notStatus = fc.oneof(notString, fc.string().filter((s) => !(STATUSES as readonly string[]).includes(s)), fc.constantFrom('Success', 'ERROR', 'ok'));
const notRequestId = fc.oneof(fc.constant(''), notString);
const notObject = fc.jsonValue({ maxDepth: 2 }).filter((v) => v === null || typeof v !== 'object' || Array.isArray(v));
const notStringArray = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).filter((v) => !Array.isArray(v)),
  fc.tuple(fc.array(fc.string(), { maxLength: 2 }), notString, fc.array(fc.string(), { maxLength: 2 })).map(([a, bad, b]) => [...a, bad, ...b]),
);
const notLogRecord = fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'string' && (v === null || typeof v !== 'object' || Array.isArray(v)));
/** Marks a field deleted rather than set. */
const DELETE = Symbol('delete');
const deleted = fc.constant(DELETE);

/**
 * A field path below `record` ('' is the record itself; `spans.*` is a span appended to the
 * list), what breaks it, and, when the field is optional, the path the decoder drops: the
 * field itself, or the optional object it is required in (`tracing` for `tracing.value`).
 * Without a dropped path the event is rejected.
 */
type Corruption = readonly [path: string, bad: fc.Arbitrary<unknown>, dropped?: string];

const TRACING: readonly Corruption[] = [
  ['tracing', notObject, 'tracing'],
  ['tracing.type', notString, 'tracing'],
  ['tracing.type', deleted, 'tracing'],
  ['tracing.value', notString, 'tracing'],
  ['tracing.value', deleted, 'tracing'],
  ['tracing.spanId', notString, 'tracing.spanId'],
];
const SPANS: readonly Corruption[] = [
  ['spans', fc.jsonValue({ maxDepth: 2 }).filter((v) => !Array.isArray(v)), 'spans'],
  ['spans.*', notObject, 'spans.*'],
  ['spans.*.name', notString, 'spans.*'],
  ['spans.*.start', deleted, 'spans.*'],
  ['spans.*.durationMs', notFiniteNumber, 'spans.*'],
];
const RUNTIME_INFO: readonly Corruption[] = [
  ['runtimeVersion', notString, 'runtimeVersion'],
  ['runtimeVersionArn', notString, 'runtimeVersionArn'],
  ['functionName', notString, 'functionName'],
  ['functionVersion', notString, 'functionVersion'],
  ['instanceId', notString, 'instanceId'],
  ['instanceMaxMemory', notFiniteNumber, 'instanceMaxMemory'],
];
const PLATFORM_RECORD: readonly Corruption[] = [
  ['', notObject],
  ['', deleted],
];
/** `metrics` of init reports (required) and restore reports (optional: dropped whole). */
const phaseMetricsCorruptions = (required: boolean): readonly Corruption[] => {
  const whole = required ? undefined : 'metrics';
  return [
    ['metrics', notObject, whole],
    ['metrics.durationMs', notFiniteNumber, whole],
    ['metrics.durationMs', deleted, whole],
    ['metrics.billedDurationMs', notFiniteNumber, 'metrics.billedDurationMs'],
  ];
};

const CORRUPTIONS: { readonly [T in TelemetryEventType]: readonly Corruption[] } = {
  'platform.initStart': [
    ...PLATFORM_RECORD,
    ['initializationType', notString, 'initializationType'],
    ['phase', notString, 'phase'],
    ...RUNTIME_INFO,
    ...TRACING,
  ],
  'platform.initRuntimeDone': [
    ...PLATFORM_RECORD,
    ['initializationType', notString, 'initializationType'],
    ['phase', notString, 'phase'],
    ['status', notStatus],
    ['status', deleted],
    ['errorType', notString, 'errorType'],
    ...SPANS,
    ...TRACING,
  ],
  'platform.initReport': [
    ...PLATFORM_RECORD,
    ['status', notStatus, 'status'],
    ['errorType', notString, 'errorType'],
    ['metrics', deleted],
    ...phaseMetricsCorruptions(true),
    ...SPANS,
    ...TRACING,
  ],
  'platform.start': [
    ...PLATFORM_RECORD,
    ['requestId', notRequestId],
    ['requestId', deleted],
    ['version', notString, 'version'],
    ['tenantId', notString, 'tenantId'],
    ...TRACING,
  ],
  'platform.runtimeDone': [
    ...PLATFORM_RECORD,
    ['requestId', notRequestId],
    ['status', notStatus],
    ['status', deleted],
    ['errorType', notString, 'errorType'],
    ['tenantId', notString, 'tenantId'],
    ['metrics', notObject, 'metrics'],
    ['metrics.durationMs', notFiniteNumber, 'metrics'],
    ['metrics.durationMs', deleted, 'metrics'],
    ['metrics.producedBytes', notFiniteNumber, 'metrics.producedBytes'],
    ...SPANS,
    ...TRACING,
  ],
  'platform.report': [
    ...PLATFORM_RECORD,
    ['requestId', notRequestId],
    ['requestId', deleted],
    ['status', notStatus, 'status'],
    ['errorType', notString, 'errorType'],
    ['tenantId', notString, 'tenantId'],
    ['metrics', deleted],
    ['metrics', notObject],
    ['metrics.durationMs', deleted],
    ['metrics.durationMs', notFiniteNumber],
    ...['billedDurationMs', 'memorySizeMB', 'maxMemoryUsedMB', 'initDurationMs', 'restoreDurationMs', 'billedRestoreDurationMs'].map(
      (key): Corruption => [`metrics.${key}`, notFiniteNumber, `metrics.${key}`],
    ),
    ...SPANS,
    ...TRACING,
  ],
  'platform.restoreStart': [...PLATFORM_RECORD, ...RUNTIME_INFO],
  'platform.restoreRuntimeDone': [...PLATFORM_RECORD, ['status', notStatus], ['status', deleted], ['errorType', notString, 'errorType'], ...SPANS],
  'platform.restoreReport': [
    ...PLATFORM_RECORD,
    ['status', notStatus, 'status'],
    ['errorType', notString, 'errorType'],
    ...phaseMetricsCorruptions(false),
    ...SPANS,
  ],
  'platform.extension': [
    ...PLATFORM_RECORD,
    ['name', notString],
    ['state', deleted],
    ['events', notStringArray],
    ['events', deleted],
    ['errorType', notString, 'errorType'],
  ],
  'platform.telemetrySubscription': [...PLATFORM_RECORD, ['name', deleted], ['state', notString], ['types', notStringArray]],
  'platform.logsDropped': [
    ...PLATFORM_RECORD,
    ['reason', notString],
    ['droppedRecords', notFiniteNumber],
    ['droppedBytes', notFiniteNumber],
    ['droppedBytes', deleted],
  ],
  function: [
    ['', notLogRecord],
    ['', deleted],
  ],
  extension: [
    ['', notLogRecord],
    ['', deleted],
  ],
};

/** Valid parents created when a corrupted path runs through an absent optional object. */
const VALID_PARENTS: Readonly<Record<string, () => unknown>> = {
  tracing: () => ({ type: TRACE_CONTEXT_TYPE, value: 'Root=1-67d3f1a2-9c4e2b7a1f0d3e5c8b6a4d21' }),
  metrics: () => ({ durationMs: 1 }),
};

interface Corrupted {
  readonly item: Item;
  /** The field `detail` must name, e.g. `record.spans[2].durationMs`. */
  readonly field: string;
  /** The path the decoder must drop, e.g. `record.spans[2]`; null when it must reject the item. */
  readonly dropped: string | null;
}

/** A copy of `event` with the field at `path` set to `bad` (or deleted); `dropped` as in {@link Corruption}. */
function corrupt(event: Item, path: string, bad: unknown, dropped?: string): Corrupted {
  const item = plain(event) as Item;
  if (path === '') {
    if (bad === DELETE) delete item.record;
    else item.record = bad;
    return { item, field: 'record', dropped: null };
  }
  const keys = path.split('.');
  const droppedDepth = dropped === undefined ? 0 : dropped.split('.').length;
  /** The field path (as the decoder writes it) after each key. */
  const fields: string[] = [];
  const result = (): Corrupted => ({ item, field: fields.at(-1)!, dropped: droppedDepth === 0 ? null : fields[droppedDepth - 1]! });
  let node = item.record as Record<string, unknown>;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i]!;
    const parent = fields.at(-1) ?? 'record';
    if (key === 'spans') {
      const list = Array.isArray(node.spans) ? (node.spans as unknown[]) : [];
      node.spans = list;
      list.push({ name: SPAN_NAMES.RESPONSE_LATENCY, start: '2025-03-14T09:26:53.589Z', durationMs: 1 });
      fields.push(`${parent}.spans`, `${parent}.spans[${list.length - 1}]`);
      i++; // the '*' that names the appended span
      if (i === keys.length - 1) {
        list[list.length - 1] = bad;
        return result();
      }
      node = list[list.length - 1] as Record<string, unknown>;
      continue;
    }
    if (node[key] === undefined) node[key] = VALID_PARENTS[key]!();
    node = node[key] as Record<string, unknown>;
    fields.push(`${parent}.${key}`);
  }
  const last = keys[keys.length - 1]!;
  if (bad === DELETE) delete node[last];
  else node[last] = bad;
  fields.push(`${fields.at(-1) ?? 'record'}.${last}`);
  return result();
}

/** A copy of `item` without the field at a decoder path such as `record.spans[2]` or `record.tracing`. */
function without(item: Item, path: string): Item {
  const copy = plain(item) as Item;
  const keys = path.split('.');
  let node = copy as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = keys.at(-1)!;
  const open = last.indexOf('[');
  if (open === -1) delete node[last];
  else (node[last.slice(0, open)] as unknown[]).splice(Number(last.slice(open + 1, -1)), 1);
  return copy;
}

/** An event of any type with one of its corruptions applied. */
const corruptedEvent: fc.Arbitrary<Corrupted> = fc.oneof(
  ...ALL_TYPES.flatMap((type) =>
    CORRUPTIONS[type].map(([path, bad, dropped]) =>
      fc.tuple(eventOf(type), bad).map(([event, value]) => corrupt(event, path, value, dropped)),
    ),
  ),
);

/**
 * Checks the decoding of a batch holding one corrupted item at `index`: rejected alone when a
 * required field was corrupted, else kept without the dropped field and that one field listed.
 */
function assertCorruptedAt(result: DecodeResult, good: readonly Item[], bad: Corrupted, index: number, form: string): void {
  assert.equal(result.batchError, null, form);
  if (bad.dropped === null) {
    assert.deepEqual(plain(result.events), plain(good), form);
    assert.deepEqual(result.dropped, [], form);
    assert.equal(result.rejected.length, 1, form);
    const [rejected] = result.rejected;
    assert.equal(rejected?.index, index, form);
    assert.equal(rejected?.reason, 'invalid-record', form);
    assert.ok(rejected?.detail.startsWith(`${bad.field} must `), `${form}: ${rejected?.detail} names ${bad.field}`);
    assert.deepEqual(plain(rejected.value), plain(bad.item), form);
    return;
  }
  const expected = [...good.slice(0, index), without(bad.item, bad.dropped), ...good.slice(index)];
  assert.deepEqual(result.rejected, [], `${form}: ${result.rejected[0]?.detail}`);
  assert.deepEqual(plain(result.events), plain(expected), form);
  assert.deepEqual(
    result.dropped.map((d) => [d.index, d.type, d.path, d.detail.startsWith(`${bad.field} must `)]),
    [[index, bad.item.type, bad.dropped, true]],
    `${form}: ${result.dropped.map((d) => d.detail).join('; ')}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Shared checks
// ---------------------------------------------------------------------------------------------

/** The three shapes a body reaches `decode` in, made from a JSON-able value. */
function forms(value: unknown): ReadonlyArray<readonly [string, unknown]> {
  const body = JSON.stringify(value);
  return [
    ['string', body],
    ['Buffer', Buffer.from(body, 'utf8')],
    ['parsed', value],
  ];
}

/**
 * Every item of an array body is accounted for exactly once: events + rejected = length,
 * rejected indexes unique, ascending and in range, each rejected value the item as received,
 * and each accepted item decoding alone to the event in its place.
 * @param items - the array as decode saw it; `sameObjects` when decode was given these very objects
 */
function assertAccounted(result: DecodeResult, items: readonly unknown[], sameObjects: boolean): void {
  assert.equal(result.batchError, null);
  assert.equal(result.events.length + result.rejected.length, items.length);
  const rejectedAt = new Set<number>();
  for (const r of result.rejected) rejectedAt.add(r.index);
  let previousDrop = -1;
  for (const d of result.dropped) {
    assert.ok(d.index >= previousDrop && d.index < items.length && !rejectedAt.has(d.index), `dropped index ${d.index}`);
    previousDrop = d.index;
  }
  let previous = -1;
  for (const r of result.rejected) {
    assert.ok(Number.isInteger(r.index) && r.index > previous && r.index < items.length, `rejected index ${r.index}`);
    previous = r.index;
    if (sameObjects) assert.equal(r.value, items[r.index]);
    else assert.deepEqual(r.value, items[r.index]);
    assert.equal(typeof r.detail, 'string');
  }
  let k = 0;
  for (let i = 0; i < items.length; i++) {
    if (rejectedAt.has(i)) continue;
    const alone = decode([items[i]]);
    assert.equal(alone.events.length, 1, `item ${i} is accepted alone too`);
    assert.deepEqual(alone.events[0], result.events[k], `event ${k} is item ${i}`);
    k++;
  }
}

/** Decodes `body` (any value) and checks it was refused whole or accounted for item by item. */
function assertDecodesAny(body: unknown): void {
  const result = decode(body);
  assert.ok(Array.isArray(result.events) && Array.isArray(result.rejected));
  if (result.batchError !== null) {
    assert.deepEqual([result.events, result.rejected, result.dropped], [[], [], []]);
    return;
  }
  if (Array.isArray(body)) return assertAccounted(result, body, true);
  const json = Buffer.isBuffer(body) ? body.toString('utf8') : String(body);
  assertAccounted(result, JSON.parse(json) as unknown[], false);
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('decode (property): any body', () => {
  it('never throws on any JSON value, as a string, a Buffer or parsed, and accounts for every item', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 30 })), (value) => {
        for (const [, body] of forms(value)) assertDecodesAny(body);
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on any JavaScript value given parsed (maps, typed arrays, sparse arrays, null prototypes)', () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
    });
    fc.assert(
      fc.property(fc.oneof(anything, fc.array(anything, { maxLength: 20 }), fc.sparseArray(anything, { maxLength: 20 })), (value) => {
        assertDecodesAny(value);
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on arbitrary text or bytes: refused as a batch, or accounted item by item', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a))), (body) => {
        assertDecodesAny(body);
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on a valid body cut short or with one character changed', () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { minLength: 1, maxLength: 8 }), fc.nat(), fc.oneof(fc.constant(''), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), (batch, at, replacement) => {
        const body = JSON.stringify(batch);
        const cut = at % body.length;
        const broken = `${body.slice(0, cut)}${replacement}${replacement === '' ? '' : body.slice(cut + 1)}`;
        assertDecodesAny(broken);
        assertDecodesAny(Buffer.from(broken, 'utf8'));
      }),
      { numRuns: RUNS },
    );
  });

  it('accounts for every item of a batch of event-like items with odd envelope and record values', () => {
    const keys = ['requestId', 'status', 'metrics', 'spans', 'tracing', 'name', 'state', 'events', 'types', 'reason', 'droppedRecords', 'droppedBytes', 'durationMs', 'phase'];
    const fieldValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...STATUSES), finite, isoTime);
    const recordLike = fc.dictionary(fc.constantFrom(...keys), fc.oneof(fieldValue, fc.dictionary(fc.constantFrom(...keys), fieldValue, { maxKeys: 4 })), {
      maxKeys: 8,
    });
    const eventLike = fc.record(
      {
        time: fc.oneof(isoTime, fc.jsonValue({ maxDepth: 1 })),
        type: fc.oneof(fc.constantFrom(...ALL_TYPES), fc.jsonValue({ maxDepth: 1 })),
        record: fc.oneof(recordLike, fc.jsonValue({ maxDepth: 2 })),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(eventLike, anyEvent, fc.jsonValue({ maxDepth: 1 })), { maxLength: 40 }), (batch) => {
        for (const [, body] of forms(batch)) assertDecodesAny(body);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('decode (property): well-formed events', () => {
  it('decodes any batch of well-formed events of every type to exactly those events', () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { maxLength: 25 }), (batch) => {
        const expected = plain(batch);
        for (const [form, body] of forms(batch)) {
          const result = decode(body);
          assert.equal(result.batchError, null, form);
          assert.deepEqual(result.rejected, [], form);
          assert.deepEqual(result.dropped, [], form);
          assert.deepEqual(plain(result.events), expected, form);
        }
      }),
      { numRuns: RUNS },
    );
  });

  for (const type of ALL_TYPES) {
    it(`decodes any well-formed ${type} event to itself`, () => {
      fc.assert(
        fc.property(eventOf(type), (event) => {
          for (const [form, body] of forms([event])) {
            const result = decode(body);
            assert.deepEqual(result.rejected, [], form);
            assert.deepEqual(result.dropped, [], form);
            assert.equal(result.events[0]?.type, type, form);
            assert.deepEqual(plain(result.events), plain([event]), form);
          }
        }),
        { numRuns: 100 },
      );
    });
  }
});

describe('decode (property): one corrupted field', () => {
  it('rejects the event at its index over a required field, else keeps it without the optional one, and keeps the others', () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { maxLength: 12 }), corruptedEvent, fc.nat(), (good, bad, at) => {
        const index = at % (good.length + 1);
        const batch: unknown[] = [...good.slice(0, index), bad.item, ...good.slice(index)];
        for (const [form, body] of forms(batch)) assertCorruptedAt(decode(body), good, bad, index, form);
      }),
      { numRuns: RUNS },
    );
  });

  it('every type has corruptions of its record, and each one is rejected or dropped alone, as listed', () => {
    for (const type of ALL_TYPES) {
      assert.ok(CORRUPTIONS[type].length >= 2, type);
      for (const [path, bad, dropped] of CORRUPTIONS[type]) {
        fc.assert(
          fc.property(eventOf(type), bad, (event, value) => {
            const corrupted = corrupt(event, path, value, dropped);
            assertCorruptedAt(decode(JSON.stringify([corrupted.item])), [], corrupted, 0, `${type} ${path}`);
          }),
          { numRuns: 10 },
        );
      }
    }
  });
});

describe('decode (property): huge strings and deep nesting', () => {
  /** Replaces one string leaf of `value` (chosen by `pick`) with `replacement`; null when it has none. */
  function replaceStringLeaf(value: Item, pick: number, replacement: unknown): Item | null {
    const copy = plain(value) as Item;
    const leaves: Array<[Record<string, unknown> | unknown[], string | number]> = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach((v, i) => (typeof v === 'string' ? leaves.push([node, i]) : walk(v)));
      else if (typeof node === 'object' && node !== null) {
        for (const [k, v] of Object.entries(node)) {
          // status is the one enum among the strings: any other string field takes any string.
          if (typeof v === 'string' && k !== 'status') leaves.push([node as Record<string, unknown>, k]);
          else walk(v);
        }
      }
    };
    walk(copy.record);
    if (copy.type === 'function' || copy.type === 'extension') {
      if (typeof copy.record === 'string') return { ...copy, record: replacement };
    }
    if (leaves.length === 0) return null;
    const [parent, key] = leaves[pick % leaves.length]!;
    (parent as Record<string | number, unknown>)[key] = replacement;
    return copy;
  }

  it('decodes a 1 MiB string in any string field of any well-formed event to that event', () => {
    const huge = 'λ'.repeat(MIB / 2); // 1 MiB of UTF-8
    fc.assert(
      fc.property(anyEvent, fc.nat(), fc.array(anyEvent, { maxLength: 3 }), (event, pick, others) => {
        const item = replaceStringLeaf(event, pick, huge);
        fc.pre(item !== null);
        const batch = [...others, item];
        for (const [form, body] of forms(batch)) {
          const result = decode(body);
          assert.equal(result.batchError, null, form);
          assert.deepEqual(result.rejected, [], form);
          assert.equal(result.events.length, batch.length, form);
          assert.deepEqual(plain(result.events.at(-1)), plain(item), form);
        }
      }),
      { numRuns: HEAVY_RUNS },
    );
  });

  it('never throws on a 1 MiB string in place of any field, time or type', () => {
    const huge = 'x'.repeat(MIB);
    const hugeTime = `2025-03-14T09:26:53.${'9'.repeat(MIB)}Z`;
    fc.assert(
      fc.property(anyEvent, fc.constantFrom('time', 'type', 'record', 'leaf'), fc.constantFrom(huge, hugeTime), fc.nat(), (event, where, value, pick) => {
        const item = where === 'leaf' ? (replaceStringLeaf(event, pick, value) ?? event) : { ...event, [where]: value };
        for (const [, body] of forms([item, event])) {
          const result = decode(body);
          if (Array.isArray(body)) assertAccounted(result, body, true);
          else assertAccounted(result, JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : String(body)) as unknown[], false);
          assert.ok(result.events.length >= 1, 'the untouched event survives');
        }
      }),
      { numRuns: HEAVY_RUNS },
    );
  });

  /** `levels` of nested objects or arrays around `inner`, as JSON text (JSON.stringify would overflow the stack). */
  function nestedJson(levels: number, kind: 'object' | 'array', inner: string): string {
    return kind === 'object' ? `${'{"a":'.repeat(levels)}${inner}${'}'.repeat(levels)}` : `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;
  }

  /** The same nesting built as a value, iteratively. */
  function nestedValue(levels: number, kind: 'object' | 'array', inner: unknown): unknown {
    let node = inner;
    for (let i = 0; i < levels; i++) node = kind === 'object' ? { a: node } : [node];
    return node;
  }

  it(`never throws on ${DEPTH}-level nesting in any slot of any event, and keeps the other events`, () => {
    const slots = ['item', 'time', 'type', 'record', 'record.requestId', 'record.metrics', 'record.tracing', 'record.spans', 'record.payload'] as const;
    fc.assert(
      fc.property(anyEvent, fc.constantFrom(...slots), fc.constantFrom('object' as const, 'array' as const), (event, slot, kind) => {
        const good = JSON.stringify(event);
        const rest = JSON.stringify({ ...event, record: undefined }).slice(1, -1);
        const deep = nestedJson(DEPTH, kind, '1');
        let bad: string;
        if (slot === 'item') bad = deep;
        else if (slot === 'time' || slot === 'type' || slot === 'record') bad = `{${rest},${JSON.stringify(slot)}:${deep}}`;
        else {
          const record = typeof event.record === 'object' && event.record !== null ? JSON.stringify(event.record).slice(1, -1) : '';
          const key = JSON.stringify(slot.slice('record.'.length));
          bad = `{${rest},"record":{${record}${record === '' ? '' : ','}${key}:${deep}}}`;
        }
        const body = `[${good},${bad},${good}]`;
        for (const input of [body, Buffer.from(body)]) {
          const result = decode(input);
          assert.equal(result.batchError, null);
          assert.equal(result.events.length + result.rejected.length, 3);
          assert.ok(result.events.length >= 2, 'the events around the deep one survive');
          assert.deepEqual(plain([result.events[0], result.events.at(-1)]), plain([event, event]));
          assert.ok(result.rejected.every((r) => r.index === 1));
        }
      }),
      { numRuns: HEAVY_RUNS },
    );
  });

  it(`passes ${DEPTH}-level nesting in a JSON-log record through, given as text or parsed`, () => {
    fc.assert(
      fc.property(isoTime, fc.constantFrom('function' as const, 'extension' as const), fc.constantFrom('object' as const, 'array' as const), (time, type, kind) => {
        const body = `[{"time":${JSON.stringify(time)},"type":"${type}","record":{"level":"INFO","payload":${nestedJson(DEPTH, kind, '"leaf"')}}}]`;
        const parsed = [{ time, type, record: { level: 'INFO', payload: nestedValue(DEPTH, kind, 'leaf') } }];
        for (const input of [body, Buffer.from(body), parsed]) {
          const result = decode(input);
          assert.equal(result.rejected.length, 0);
          assert.equal(result.events.length, 1);
          let node = (result.events[0]?.record as { payload: unknown }).payload;
          let levels = 0;
          while (typeof node === 'object' && node !== null) {
            node = Array.isArray(node) ? node[0] : (node as { a: unknown }).a;
            levels++;
          }
          assert.deepEqual([levels, node], [DEPTH, 'leaf']);
        }
      }),
      { numRuns: HEAVY_RUNS },
    );
  });
});

describe('decode: parsed values that throw while being read', () => {
  it('turns a throwing time or type getter into a rejected item', () => {
    const item = { get time(): string { throw new Error('boom'); }, type: 'function', record: 'x' };
    const { events, rejected } = decode([item, { time: '2026-01-01T00:00:00.000Z', type: 'function', record: 'kept' }]);
    assert.equal(events.length, 1);
    assert.equal(rejected[0]?.reason, 'invalid-record');
    assert.match(rejected[0]!.detail, /boom/);
  });

  it('treats an array whose length throws as not an array', () => {
    const hostile = new Proxy([], { get: (target, key) => { if (key === 'length') throw new Error('no'); return Reflect.get(target, key); } });
    assert.equal(decode(hostile).batchError, 'not-an-array');
  });
});

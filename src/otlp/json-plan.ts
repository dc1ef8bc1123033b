/**
 * What OTLP/JSON reading and writing need to know of each message type, taken once per type
 * from the protobufjs reflection: each field's JSON kind, and which bytes fields are trace or
 * span ids (hex in OTLP/JSON, base64 for every other bytes field). Internal to src/otlp.
 */
import type protobuf from 'protobufjs/light.js';

/** How a field's value is written in OTLP/JSON. */
export type JsonKind = 'message' | 'enum' | 'string' | 'bool' | 'bytes' | 'id' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'double';

export interface FieldPlan {
  /** The lowerCamelCase name, the JSON key and the message property. */
  readonly name: string;
  readonly kind: JsonKind;
  readonly repeated: boolean;
  /**
   * Whether the field tracks presence (a oneof member or a proto3 `optional`): set when present
   * even at its default. Other fields at their default are absent, as protobuf encodes them.
   */
  readonly presence: boolean;
  /** The message type of a `message` field. */
  readonly messageType: protobuf.Type | null;
  /** Name to number, for an `enum` field. */
  readonly enumValues: Readonly<Record<string, number>> | null;
  /** The byte length of an `id` field: 16 for a trace id, 8 for a span id. */
  readonly idBytes: number;
}

export interface TypePlan {
  readonly fields: readonly FieldPlan[];
  /** The member names of each oneof, for types that have one (at most one member may be set). */
  readonly oneofs: readonly (readonly string[])[];
  /** A new, empty message of the type. */
  create(): Record<string, unknown>;
}

// The OTLP/JSON exception to proto3's JSON mapping: these bytes fields (in Span, Span.Link,
// LogRecord and Exemplar) are hex strings, not base64.
const ID_BYTES: Readonly<Record<string, number>> = { traceId: 16, spanId: 8, parentSpanId: 8 };

const SCALAR_KINDS: Readonly<Record<string, JsonKind>> = {
  double: 'double', float: 'double',
  int32: 'int32', sint32: 'int32', sfixed32: 'int32',
  uint32: 'uint32', fixed32: 'uint32',
  int64: 'int64', sint64: 'int64', sfixed64: 'int64',
  uint64: 'uint64', fixed64: 'uint64',
  bool: 'bool', string: 'string', bytes: 'bytes',
};

function fieldPlan(field: protobuf.Field): FieldPlan {
  field.resolve();
  const resolved = field.resolvedType;
  let kind: JsonKind;
  let messageType: protobuf.Type | null = null;
  let enumValues: Record<string, number> | null = null;
  if (resolved === null) {
    const scalar = SCALAR_KINDS[field.type];
    if (scalar === undefined) throw new Error(`otlp: field ${field.fullName} has type ${field.type}, which OTLP/JSON does not map`);
    kind = scalar === 'bytes' && ID_BYTES[field.name] !== undefined ? 'id' : scalar;
  } else if ('fieldsArray' in resolved) {
    kind = 'message';
    messageType = resolved;
  } else {
    kind = 'enum';
    enumValues = resolved.values;
  }
  return { name: field.name, kind, repeated: field.repeated, presence: field.hasPresence, messageType, enumValues, idBytes: kind === 'id' ? ID_BYTES[field.name]! : 0 };
}

const plans = new Map<protobuf.Type, TypePlan>();

/** The plan of `type`, made on first use. */
export function planOf(type: protobuf.Type): TypePlan {
  let plan = plans.get(type);
  if (plan === undefined) {
    const Message = type.ctor as new () => Record<string, unknown>;
    plan = {
      fields: type.fieldsArray.map(fieldPlan),
      oneofs: type.oneofsArray.map((oneof) => oneof.oneof),
      create: () => new Message(),
    };
    plans.set(type, plan);
  }
  return plan;
}

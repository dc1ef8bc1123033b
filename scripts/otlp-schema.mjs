#!/usr/bin/env node
// Writes src/otlp/schema.ts: the protobufjs JSON descriptor of the OTLP/HTTP export messages, so
// that the layer decodes and encodes them with protobufjs/light (reflection, no .proto parser)
// and ships no .proto file. It keeps only what the three Export<Signal>ServiceRequest and
// Export<Signal>ServiceResponse messages reach, plus google.rpc.Status for error bodies.
// Input: the official .proto files that scripts/otlp-protos.sh puts in .cache/otlp-proto (or
// OTLP_PROTO_DIR), with their upstream version in VERSION beside them.
//   bash scripts/otlp-protos.sh && node scripts/otlp-schema.mjs
// test/otlp/schema.test.ts regenerates the text and compares it with the committed file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA_PATH = join(root, 'src/otlp/schema.ts');

const SERVICE_FILES = [
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
];
const SEEDS = ['trace', 'metrics', 'logs'].flatMap((signal) => {
  const name = { trace: 'Trace', metrics: 'Metrics', logs: 'Logs' }[signal];
  const pkg = `opentelemetry.proto.collector.${signal}.v1`;
  return [`${pkg}.Export${name}ServiceRequest`, `${pkg}.Export${name}ServiceResponse`];
}).concat(['google.rpc.Status']);

// Debian's opentelemetry-proto has no google/rpc/status.proto (it belongs to googleapis), and
// error bodies need only its wire shape: these are its field numbers and types.
const RPC_STATUS_PROTO = `syntax = "proto3";
package google.protobuf;
message Any { string type_url = 1; bytes value = 2; }
package google.rpc;
message Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
`;

/** The upstream opentelemetry-proto version of the files in `dir`, from its VERSION file. */
function protoVersion(dir) {
  const file = join(dir, 'VERSION');
  if (!existsSync(file)) throw new Error(`otlp-schema: no ${file}; run scripts/otlp-protos.sh, or write the opentelemetry-proto version of ${dir} into it`);
  const version = readFileSync(file, 'utf8').trim();
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`otlp-schema: ${file} holds "${version}", not a version like 1.11.0`);
  return version;
}

function loadRoot(dir) {
  const result = new protobuf.Root();
  result.resolvePath = (_origin, target) => join(dir, target);
  result.loadSync(SERVICE_FILES);
  // Two packages in one text: protobufjs's parser takes the later `package` for what follows.
  const [anyPart, statusPart] = RPC_STATUS_PROTO.split(/(?=package google\.rpc;)/);
  protobuf.parse(anyPart, result);
  protobuf.parse(`syntax = "proto3";\n${statusPart}`, result);
  result.resolveAll();
  return result;
}

/** Full names (without the leading dot) of the seeds and every type and enum their fields reach. */
function reachable(fullRoot) {
  const seen = new Set();
  const visit = (type) => {
    const name = type.fullName.slice(1);
    if (seen.has(name)) return;
    seen.add(name);
    if (!(type instanceof protobuf.Type)) return;
    for (const field of type.fieldsArray) if (field.resolvedType !== null) visit(field.resolvedType);
  };
  for (const seed of SEEDS) visit(fullRoot.lookupType(seed));
  return seen;
}

/** A type's descriptor less the fields' `protoName`, which protobufjs/light neither types nor reads. */
function withoutProtoNames(value) {
  if (value.fields === undefined) return value;
  const fields = Object.fromEntries(Object.entries(value.fields).map(([name, { protoName: _unused, ...field }]) => [name, field]));
  return { ...value, fields };
}

/** The descriptor's `nested` map less what `keep` does not name; namespaces lose their file options. */
function prune(nested, prefix, keep) {
  const out = {};
  for (const [name, value] of Object.entries(nested)) {
    const full = prefix === '' ? name : `${prefix}.${name}`;
    const isType = 'fields' in value || 'values' in value;
    if (isType && !keep.has(full)) continue;
    const inner = value.nested === undefined ? undefined : prune(value.nested, full, keep);
    if (isType) {
      const { nested: _dropped, ...rest } = withoutProtoNames(value);
      out[name] = inner === undefined || Object.keys(inner).length === 0 ? rest : { ...rest, nested: inner };
    } else if (inner !== undefined && Object.keys(inner).length > 0) {
      out[name] = { nested: inner };
    }
  }
  return out;
}

/** Namespaces one per line, indented; each type or enum on one line of JSON. */
function format(nested, indent) {
  const pad = '  '.repeat(indent);
  const lines = Object.entries(nested).map(([name, value]) => {
    const isType = 'fields' in value || 'values' in value;
    if (isType) return `${pad}${JSON.stringify(name)}: ${JSON.stringify(value)},`;
    return `${pad}${JSON.stringify(name)}: {\n${pad}  nested: {\n${format(value.nested, indent + 2)}\n${pad}  },\n${pad}},`;
  });
  return lines.join('\n');
}

/** The text of src/otlp/schema.ts generated from the .proto files in `dir`. */
export function generateSchema(dir) {
  const version = protoVersion(dir);
  const fullRoot = loadRoot(dir);
  const nested = prune(fullRoot.toJSON().nested, '', reachable(fullRoot));
  return `// Generated by scripts/otlp-schema.mjs from opentelemetry-proto (Apache-2.0) version ${version}, do not edit.
// google.rpc.Status and google.protobuf.Any are the generator's own definitions of their wire shape.
import type { INamespace } from 'protobufjs/light.js';

/** The opentelemetry-proto version the schema was generated from. */
export const OTLP_PROTO_VERSION = '${version}';

/** The protobufjs JSON descriptor (\`Root.toJSON()\`), pruned to what the export messages reach. */
export const OTLP_SCHEMA: INamespace = {
  nested: {
${format(nested, 2)}
  },
};
`;
}

const proto = process.env.OTLP_PROTO_DIR || join(root, '.cache/otlp-proto');
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_PATH, generateSchema(proto));
  console.log(`otlp-schema: wrote ${SCHEMA_PATH} from ${proto}`);
}

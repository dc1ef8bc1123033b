/**
 * The deployment templates under deploy/ parse with real parsers, deploy the zips that
 * npm run build:standalone writes (the Node layer and the two standalone layers), and configure
 * the extension with variables the README documents.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, it } from 'node:test';
import { DEPLOY, LAYER_ARCHITECTURES, LAYER_RUNTIMES, LAYER_ZIP, REQUIRED_ENV, ROOT, STANDALONE_ARCHITECTURES, STANDALONE_RUNTIMES, standaloneZipPath } from './layer-spec.ts';
import { at, block, documentedEnvVars, readTerraform, readYaml, record } from './templates.ts';

const COMPOSE = join(DEPLOY, 'docker-compose.yaml');
const SAM_TEMPLATE = join(DEPLOY, 'sam', 'template.yaml');
const TERRAFORM = join(DEPLOY, 'terraform');
const SAMPLE_SOURCE = join(DEPLOY, 'sam', 'src');
const PYTHON_SOURCE = join(DEPLOY, 'sam', 'python');
// Not among the README's prerequisites: without it, the one check that runs the Python handler
// is skipped and says why.
const PYTHON = process.env.PYTHON ?? 'python3';
const PYTHON_MISSING = spawnSync(PYTHON, ['--version']).error === undefined ? false : `${PYTHON} is not installed: the Python handler is not run`;

/** "4318:4318" and { published, target } alike, as [host, container] port strings. */
function portPairs(ports: unknown): Array<[string, string]> {
  assert.ok(Array.isArray(ports));
  return ports.map((port) => {
    if (typeof port === 'object' && port !== null) return [String(at(port, 'published')), String(at(port, 'target'))];
    const parts = String(port).split(':');
    return [parts.at(-2) ?? '', parts.at(-1) ?? ''];
  });
}

describe('deploy/docker-compose.yaml', () => {
  const compose = readYaml(COMPOSE);
  const services = record(compose, 'services');

  it('pins every image to a version tag', () => {
    for (const [name, service] of Object.entries(services)) {
      const image = String(at(service, 'image'));
      assert.match(image, /^[\w./-]+:\d+\.\d+\.\d+$/, `${name}: ${image} is pinned`);
    }
    assert.match(String(at(services, 'otel-collector', 'image')), /^otel\/opentelemetry-collector-contrib:/);
    assert.match(String(at(services, 'jaeger', 'image')), /^jaegertracing\/(jaeger|all-in-one):/);
  });

  it("mounts the repository's collector-config.yaml where the collector reads its config", () => {
    const collector = record(services, 'otel-collector');
    const volume = record(collector, 'volumes', 0);
    assert.equal(volume.type, 'bind');
    assert.equal(resolve(dirname(COMPOSE), String(volume.source)), join(ROOT, 'collector-config.yaml'));
    assert.ok(existsSync(join(ROOT, 'collector-config.yaml')));
    assert.deepEqual(at(collector, 'command'), [`--config=${String(volume.target)}`]);
  });

  it('publishes OTLP 4317 and 4318 from the collector and the Jaeger UI on 16686', () => {
    const collectorPorts = portPairs(at(services, 'otel-collector', 'ports'));
    assert.deepEqual(collectorPorts, [['4317', '4317'], ['4318', '4318']]);
    const jaegerPorts = portPairs(at(services, 'jaeger', 'ports'));
    assert.deepEqual(jaegerPorts, [['16686', '16686']], 'Jaeger publishes only its UI: the host OTLP ports are the collector\'s');
    assert.ok((at(services, 'jaeger', 'expose') as unknown[]).map(String).includes('4318'), 'Jaeger takes OTLP/HTTP inside the network');
  });

  it("sends the collector's traces to Jaeger, on a port Jaeger listens on inside the network", () => {
    const config = readYaml(join(ROOT, 'collector-config.yaml'));
    const exporters = record(config, 'exporters');
    const targets = new Map<string, URL>();
    for (const [name, exporter] of Object.entries(exporters)) {
      const endpoint = typeof exporter === 'object' && exporter !== null ? (exporter as { endpoint?: unknown }).endpoint : undefined;
      if (typeof endpoint === 'string') targets.set(name, new URL(endpoint.includes('://') ? endpoint : `http://${endpoint}`));
    }
    // Every exporter that points into the compose network names a service and a port it has.
    for (const [name, url] of targets) {
      const service = services[url.hostname] as { expose?: unknown[]; ports?: unknown[] } | undefined;
      if (service === undefined) continue;
      const listening = [...(service.expose ?? []).map(String), ...portPairs(service.ports ?? []).map(([, container]) => container)];
      assert.ok(listening.includes(url.port), `${name} sends to ${url.hostname}:${url.port}, which the service listens on`);
    }
    const tracesExporters = at(config, 'service', 'pipelines', 'traces', 'exporters') as string[];
    assert.ok(tracesExporters.some((name) => targets.get(name)?.hostname === 'jaeger'), `traces go to jaeger: ${tracesExporters.join(', ')}`);
  });
});

describe('deploy/sam/template.yaml', () => {
  const template = readYaml(SAM_TEMPLATE, { cloudFormation: true });
  const resources = record(template, 'Resources');
  const parameters = record(template, 'Parameters');
  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => at(resource, 'Type') === type);

  it('is a SAM template whose every Ref names a parameter, a resource or a pseudo parameter', () => {
    assert.equal(at(template, 'Transform'), 'AWS::Serverless-2016-10-31');
    const refs = [...JSON.stringify(template).matchAll(/\{"Ref":"([^"]+)"\}/g)].map((match) => match[1]!);
    assert.ok(refs.length > 0);
    for (const ref of refs) assert.ok(ref in parameters || ref in resources || ref.startsWith('AWS::'), `Ref ${ref} resolves`);
  });

  const layerWithZip = (zip: string): [string, Record<string, unknown>] => {
    const found = ofType('AWS::Serverless::LayerVersion').filter(([, layer]) => resolve(dirname(SAM_TEMPLATE), String(at(layer, 'Properties', 'ContentUri'))) === zip);
    assert.equal(found.length, 1, `one layer deploys ${zip}`);
    return [found[0]![0], record(found[0]![1], 'Properties')];
  };
  const functionWithRuntime = (runtime: string): Record<string, unknown> => {
    const found = ofType('AWS::Serverless::Function').filter(([, fn]) => at(fn, 'Properties', 'Runtime') === runtime);
    assert.equal(found.length, 1, `one ${runtime} function`);
    return record(found[0]![1], 'Properties');
  };

  it('deploys the three built layer zips: the Node layer and one standalone layer per architecture', () => {
    assert.equal(ofType('AWS::Serverless::LayerVersion').length, 1 + STANDALONE_ARCHITECTURES.length);
    const [, node] = layerWithZip(LAYER_ZIP);
    assert.deepEqual(node.CompatibleRuntimes, LAYER_RUNTIMES);
    assert.deepEqual(node.CompatibleArchitectures, LAYER_ARCHITECTURES);
    for (const architecture of STANDALONE_ARCHITECTURES) {
      const [, standalone] = layerWithZip(standaloneZipPath(architecture));
      assert.deepEqual(standalone.CompatibleRuntimes, STANDALONE_RUNTIMES, `${architecture}: the AL2023 runtimes`);
      assert.deepEqual(standalone.CompatibleArchitectures, [architecture]);
      assert.equal(standalone.LayerName, `lambda-telemetry-otel-standalone-${architecture}`);
    }
  });

  it('runs the sample function on nodejs22.x arm64 with the Node layer', () => {
    const [layerId] = layerWithZip(LAYER_ZIP);
    assert.equal(ofType('AWS::Serverless::Function').length, 2);
    const properties = functionWithRuntime('nodejs22.x');
    assert.deepEqual(properties.Architectures, ['arm64']);
    assert.deepEqual(properties.Layers, [{ Ref: layerId }]);
    assert.equal(resolve(dirname(SAM_TEMPLATE), String(properties.CodeUri)), SAMPLE_SOURCE);
    assert.equal(properties.Handler, 'index.handler');
  });

  it('runs a sample Python function on an AL2023 Python runtime with the standalone layer of its architecture', () => {
    const pythonFunctions = ofType('AWS::Serverless::Function').filter(([, fn]) => String(at(fn, 'Properties', 'Runtime')).startsWith('python'));
    assert.equal(pythonFunctions.length, 1);
    const properties = record(pythonFunctions[0]![1], 'Properties');
    assert.ok(STANDALONE_RUNTIMES.includes(String(properties.Runtime)), `${String(properties.Runtime)} is an AL2023 runtime the standalone layer lists`);
    const architectures = properties.Architectures as string[];
    assert.equal(architectures.length, 1);
    const [layerId] = layerWithZip(standaloneZipPath(architectures[0]!));
    assert.deepEqual(properties.Layers, [{ Ref: layerId }]);
    assert.equal(resolve(dirname(SAM_TEMPLATE), String(properties.CodeUri)), PYTHON_SOURCE);
    assert.equal(properties.Handler, 'app.handler');
    assert.ok(existsSync(join(PYTHON_SOURCE, 'app.py')));
  });

  it('outputs every layer version and function it deploys', () => {
    const outputs = Object.values(record(template, 'Outputs')).map((output) => JSON.stringify(at(output, 'Value')));
    for (const [id] of [...ofType('AWS::Serverless::LayerVersion'), ...ofType('AWS::Serverless::Function')]) {
      assert.ok(outputs.includes(JSON.stringify({ Ref: id })), `${id} is an output`);
    }
  });

  it('sets the OTLP endpoint and headers from parameters, the headers one NoEcho and optional', () => {
    const [first, ...others] = ofType('AWS::Serverless::Function').map(([, fn]) => record(fn, 'Properties', 'Environment', 'Variables'));
    const variables = first!;
    for (const name of REQUIRED_ENV) assert.ok(name in variables, `${name} is set`);
    for (const other of others) {
      for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS', 'LAMBDA_OTEL_FLUSH']) assert.deepEqual(other[name], variables[name], `${name} as on the first function`);
      assert.ok('OTEL_SERVICE_NAME' in other);
    }
    const endpointParameter = String(at(variables, 'OTEL_EXPORTER_OTLP_ENDPOINT', 'Ref'));
    assert.equal(record(parameters, endpointParameter).Default, undefined, 'the endpoint has no default: a deployment must choose one');
    const [condition, whenSet, whenEmpty] = at(variables, 'OTEL_EXPORTER_OTLP_HEADERS', 'Fn::If') as [string, unknown, unknown];
    assert.ok(condition in record(template, 'Conditions'));
    assert.deepEqual(whenEmpty, { Ref: 'AWS::NoValue' });
    const headersParameter = record(parameters, String(at(whenSet, 'Ref')));
    assert.equal(headersParameter.NoEcho, true);
    assert.equal(headersParameter.Default, '');
  });

  it('sets only variables the README documents', () => {
    const documented = documentedEnvVars();
    for (const [id, fn] of ofType('AWS::Serverless::Function')) {
      const variables = record(fn, 'Properties', 'Environment', 'Variables');
      for (const name of Object.keys(variables)) assert.ok(documented.has(name), `${id}: ${name} is in README.md`);
    }
  });

  it('ships a sample handler that logs and returns', async () => {
    const { handler } = (await import(pathToFileURL(join(SAMPLE_SOURCE, 'index.mjs')).href)) as {
      handler: (event: unknown, context: { awsRequestId: string }) => Promise<unknown>;
    };
    const info = console.info;
    const lines: unknown[][] = [];
    console.info = (...args: unknown[]) => void lines.push(args);
    try {
      assert.deepEqual(await handler({ orderId: 1 }, { awsRequestId: 'req-1' }), { ok: true, requestId: 'req-1' });
    } finally {
      console.info = info;
    }
    assert.equal(lines.length, 1);
  });
  it('ships a sample Python handler that logs and returns', { skip: PYTHON_MISSING }, () => {
    const script = [
      'import json, logging, sys',
      'logging.basicConfig(stream=sys.stderr, level=logging.INFO)',
      `sys.path.insert(0, ${JSON.stringify(PYTHON_SOURCE)})`,
      'import app',
      'class Context: aws_request_id = "req-1"',
      'print(json.dumps(app.handler({"orderId": 1}, Context())))',
    ].join('\n');
    const result = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { ok: true, requestId: 'req-1' });
    assert.match(result.stderr, /sample invoked \{"keys": \["orderId"\]\}/);
  });
});

describe('deploy/terraform', () => {
  let tf: Record<string, unknown>;
  before(async () => {
    tf = await readTerraform(TERRAFORM);
  });
  const modulePath = (expression: unknown) => resolve(TERRAFORM, String(expression).replace('${path.module}', '.'));

  it('publishes the built layer zip, hashed so a rebuild publishes a new version', () => {
    const layer = block(tf, 'resource', 'aws_lambda_layer_version', 'telemetry');
    assert.equal(layer.filename, '${local.layer_zip}');
    assert.equal(layer.source_code_hash, '${filebase64sha256(local.layer_zip)}');
    assert.equal(modulePath(block(tf, 'locals').layer_zip), LAYER_ZIP);
    assert.deepEqual(layer.compatible_runtimes, LAYER_RUNTIMES);
    assert.deepEqual(layer.compatible_architectures, LAYER_ARCHITECTURES);
  });

  it('publishes each standalone zip for its own architecture and the AL2023 runtimes, hashed likewise', () => {
    const standalone = block(tf, 'resource', 'aws_lambda_layer_version', 'standalone');
    assert.equal(standalone.for_each, '${local.standalone_zips}');
    const zips = record(block(tf, 'locals'), 'standalone_zips');
    assert.deepEqual(Object.keys(zips).sort(), [...STANDALONE_ARCHITECTURES].sort());
    for (const architecture of STANDALONE_ARCHITECTURES) assert.equal(modulePath(zips[architecture]), standaloneZipPath(architecture));
    assert.equal(standalone.filename, '${each.value}');
    assert.equal(standalone.source_code_hash, '${filebase64sha256(each.value)}');
    assert.deepEqual(standalone.compatible_architectures, ['${each.key}']);
    assert.equal(standalone.compatible_runtimes, '${local.standalone_runtimes}');
    assert.deepEqual(block(tf, 'locals').standalone_runtimes, STANDALONE_RUNTIMES);
    assert.equal(standalone.layer_name, '${var.layer_name}-standalone-${each.key}');
  });

  it('zips the SAM sample handler for a nodejs22.x arm64 function that uses the layer', () => {
    const archive = block(tf, 'data', 'archive_file', 'sample');
    assert.equal(modulePath(archive.source_dir), SAMPLE_SOURCE);
    const fn = block(tf, 'resource', 'aws_lambda_function', 'sample');
    assert.equal(fn.runtime, 'nodejs22.x');
    assert.deepEqual(fn.architectures, ['arm64']);
    assert.equal(fn.handler, 'index.handler');
    assert.deepEqual(fn.layers, ['${aws_lambda_layer_version.telemetry.arn}']);
    assert.equal(fn.filename, '${data.archive_file.sample.output_path}');
    assert.equal(fn.source_code_hash, '${data.archive_file.sample.output_base64sha256}');
  });

  it('gives the function a role with only the basic execution policy', () => {
    const fn = block(tf, 'resource', 'aws_lambda_function', 'sample');
    assert.equal(fn.role, '${aws_iam_role.sample.arn}');
    const attachment = block(tf, 'resource', 'aws_iam_role_policy_attachment', 'basic_execution');
    assert.equal(attachment.role, '${aws_iam_role.sample.name}');
    assert.match(String(attachment.policy_arn), /:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole$/);
  });

  it('sets the documented variables from Terraform variables, the headers one sensitive', () => {
    const fn = block(tf, 'resource', 'aws_lambda_function', 'sample');
    const variables = record(block(fn, 'environment'), 'variables');
    const documented = documentedEnvVars();
    for (const name of REQUIRED_ENV) assert.ok(name in variables, `${name} is set`);
    for (const name of Object.keys(variables)) assert.ok(documented.has(name), `${name} is in README.md`);
    assert.equal(variables.OTEL_EXPORTER_OTLP_ENDPOINT, '${var.otlp_endpoint}');
    assert.equal(block(tf, 'variable', 'otlp_endpoint').default, undefined, 'the endpoint has no default');
    assert.equal(variables.OTEL_EXPORTER_OTLP_HEADERS, '${var.otlp_headers}');
    assert.equal(block(tf, 'variable', 'otlp_headers').sensitive, true);
  });

  it('declares every variable it uses and uses every variable it declares', () => {
    const declared = Object.keys(record(tf, 'variable')).sort();
    const used = new Set<string>();
    for (const file of ['main.tf', 'outputs.tf']) {
      for (const match of readFileSync(join(TERRAFORM, file), 'utf8').matchAll(/\bvar\.([a-z_][a-z0-9_]*)/g)) used.add(match[1]!);
    }
    assert.deepEqual([...used].sort(), declared);
  });

  it('outputs the layer version ARNs, the standalone ones by architecture', () => {
    assert.equal(block(tf, 'output', 'layer_version_arn').value, '${aws_lambda_layer_version.telemetry.arn}');
    assert.equal(block(tf, 'output', 'standalone_layer_version_arns').value, '${{ for arch, layer in aws_lambda_layer_version.standalone : arch => layer.arn }}');
  });
});

/**
 * The npm package as users import it: the `exports` map (self-reference by package name, so
 * the built dist/lib and dist/types are what is tested), the public surface, and the examples.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import * as api from 'lambda-telemetry-otel';
import { decode, EVENT_TYPES, ExtensionError } from 'lambda-telemetry-otel';
import type { Processor, ReportEvent, TelemetryEvent } from 'lambda-telemetry-otel';
import { runScenario, startSandbox } from 'lambda-telemetry-otel/sandbox';
import { freePort } from '../e2e/support.ts';

const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}/extensions/${name}`, import.meta.url));

describe('npm package', () => {
  it('exports exactly the documented public surface', () => {
    assert.deepEqual(Object.keys(api).sort(), [
      'BUFFERING_LIMITS',
      'ERROR_TYPES',
      'EVENT_TYPES',
      'ExtensionError',
      'INITIALIZATION_TYPES',
      'LOG_LEVELS',
      'PHASES',
      'SCHEMA_VERSIONS',
      'SPAN_NAMES',
      'STATUSES',
      'TELEMETRY_TYPES',
      'TRACE_CONTEXT_TYPE',
      'createOtelProcessor',
      'decode',
      'run',
    ]);
    assert.equal(typeof startSandbox, 'function');
    assert.equal(typeof runScenario, 'function');
  });

  it('decode() gives typed events, narrowed by type, and never throws', () => {
    const { events, rejected, batchError } = decode('[{"time":"2026-01-01T00:00:00.000Z","type":"platform.report","record":{"requestId":"r","metrics":{"durationMs":12.5}}},42]');
    assert.equal(batchError, null);
    const report = events.find((e): e is ReportEvent => e.type === EVENT_TYPES.REPORT);
    assert.equal(report?.record.metrics.durationMs, 12.5);
    assert.deepEqual(rejected.map((r) => r.reason), ['not-an-object']);
    assert.equal(decode('not json').batchError, 'invalid-json');
    const kept = decode([{ time: '2026-01-01T00:00:00.000Z', type: 'platform.start', record: { requestId: 'r', tracing: { type: 'X-Amzn-Trace-Id' } } }]);
    assert.deepEqual([kept.events.length, kept.dropped.map((d) => d.path)], [1, ['record.tracing']]);
  });

  it('a Processor composes the OTel processor (type-level and at run time)', () => {
    const otel = api.createOtelProcessor({});
    const seen: TelemetryEvent[] = [];
    const filtered: Processor = { ...otel, process: (events) => void seen.push(...events.filter((e) => e.type !== 'function')) };
    filtered.process([{ time: '2026-01-01T00:00:00.000Z', type: 'function', record: 'x' }]);
    assert.deepEqual(seen, []);
    assert.ok(new ExtensionError('Extension.Mine', 'no') instanceof Error);
  });

  it('example log-every-event prints every event it receives', async () => {
    const report = await runScenario({
      extensions: [example('log-every-event')],
      env: { LAMBDA_OTEL_LISTENER_PORT: String(await freePort()) },
      scenario: { invocations: [{ logs: ['hello'] }, { logs: ['again'] }] },
    });
    const extension = report.extensions[0]!;
    assert.equal(extension.exit?.code, 0, extension.stderr);
    for (const invocation of report.invocations) {
      for (const type of ['platform.start', 'platform.runtimeDone', 'platform.report']) {
        assert.match(extension.stdout, new RegExp(`${type.replace('.', '\\.')} \\{"requestId":"${invocation.requestId}"`), `${type} of ${invocation.requestId}`);
      }
    }
    assert.match(extension.stdout, / function "hello"/);
  });

  it('example forward-report-metrics posts every report, and refuses to start without a destination', async () => {
    const received: Array<{ requestId: string; durationMs: number }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk));
      req.on('end', () => {
        received.push(...(JSON.parse(body) as Array<{ requestId: string; durationMs: number }>));
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = server.address() as { port: number };
      const report = await runScenario({
        extensions: [example('forward-report-metrics')],
        env: { LAMBDA_OTEL_LISTENER_PORT: String(await freePort()), REPORT_METRICS_URL: `http://127.0.0.1:${address.port}/reports` },
        scenario: { invocations: [{}, {}, {}] },
      });
      assert.equal(report.extensions[0]!.exit?.code, 0, report.extensions[0]!.stderr);
      assert.deepEqual(received.map((r) => r.requestId).sort(), report.invocations.map((i) => i.requestId).sort());
      assert.ok(received.every((r) => r.durationMs > 0));
    } finally {
      server.close();
    }
    const refused = await runScenario({ extensions: [example('forward-report-metrics')], env: { LAMBDA_OTEL_LISTENER_PORT: String(await freePort()) }, scenario: { invocations: [{}] } });
    assert.equal(refused.extensions[0]!.initError?.errorType, 'Extension.ConfigInvalid');
    assert.equal(refused.extensions[0]!.exit?.code, 1);
  });
});

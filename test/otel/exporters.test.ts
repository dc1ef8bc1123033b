/**
 * The exporters the pipeline builds send one request per export, against a real HTTP server
 * answering 503: the SDK's own retries (5 more requests over its 10 s timeout) are unwrapped,
 * since the pipeline retains and re-sends failed exports itself. Fails if an SDK upgrade
 * changes the shape single-attempt.ts relies on.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { createExporters } from '../../src/otel/exporters.ts';
import { sendOncePerExport } from '../../src/otel/single-attempt.ts';
import { isRetainable } from '../../src/otel/retaining-exporter.ts';

describe('exporters: one request per export', () => {
  let requests = 0;
  /** Answers 503 to the first request after a reset, then 200. */
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => res.writeHead(requests === 1 ? 503 : 200).end());
  });
  let url = '';
  const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = url;
  });
  after(() => {
    if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
    server.close();
  });

  it('unwraps the SDK exporter of every signal and protocol', () => {
    for (const protocol of ['http/protobuf', 'http/json'] as const) {
      const exporters = createExporters({ tracesProtocol: protocol, metricsProtocol: protocol, logsProtocol: protocol });
      for (const exporter of Object.values(exporters)) assert.equal(sendOncePerExport(exporter), false, 'already unwrapped: nothing left to unwrap');
    }
    assert.equal(sendOncePerExport(new OTLPLogExporter({ url: `${url}/v1/logs` })), true, "a fresh SDK exporter has the retrying transport single-attempt.ts expects");
    assert.equal(sendOncePerExport({}), false);
  });

  const record = async () => ({
      hrTime: [1_700_000_000, 0],
      hrTimeObserved: [1_700_000_000, 0],
      body: 'x',
      attributes: {},
      droppedAttributesCount: 0,
      resource: (await import('@opentelemetry/resources')).resourceFromAttributes({}),
      instrumentationScope: { name: 'test' },
  });
  const exportOne = async (exporter: OTLPLogExporter | ReturnType<typeof createExporters>['logs']): Promise<ExportResult> => {
    const item = await record();
    requests = 0;
    return new Promise<ExportResult>((resolve) => exporter.export([item as never], resolve));
  };

  it('a 503 fails the export after one request, as a failure the pipeline retains', async () => {
    const { logs } = createExporters({ tracesProtocol: 'http/protobuf', metricsProtocol: 'http/protobuf', logsProtocol: 'http/protobuf' });
    const result = await exportOne(logs);
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.ok(isRetainable(result), String(result.error));
    assert.equal(requests, 1);
  });

  it('control: the SDK exporter as shipped retries the 503 within the same export', async () => {
    const result = await exportOne(new OTLPLogExporter({ url: `${url}/v1/logs` }));
    assert.equal(result.code, ExportResultCode.SUCCESS);
    assert.equal(requests, 2);
  });
});

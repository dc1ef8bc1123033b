/**
 * Load and leaks: 100 000 invocations of the built layer in the sandbox (freeze off for speed).
 * Live memory stays flat, no state is left pending, and every invocation is exported exactly once.
 * Run by `npm run test:load` (CI runs it); not part of `npm test`, which must stay fast.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../../src/sandbox/index.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { EXTENSION, assertLayerBuilt, freePort, logLines, only } from '../e2e/support.ts';

const INVOCATIONS = Number(process.env.LOAD_INVOCATIONS ?? 100_000);
const WARM_UP = 1_000;
/**
 * Growth allowed in live JavaScript memory (V8 heap in use after a full GC) between the
 * 1 000th and the last invocation: the leak signal. RSS is reported, not asserted: it follows
 * how much heap V8 keeps reserved and what the allocator keeps, which moves by tens of MiB
 * between runs with no change in live memory (see BENCHMARKS.md, memory growth).
 */
const MAX_HEAP_GROWTH_BYTES = 4 * 1024 * 1024;
/** Preloaded into the extension: on SIGUSR2, a full GC and a memory report on stderr. */
const GC_HOOK = fileURLToPath(new URL('../../scripts/bench/gc-on-signal.mjs', import.meta.url));

/** A receiver that only counts invocation spans by request id (OTLP/JSON), to keep up. */
async function countingReceiver(): Promise<{ server: Server; url: string; exported: Map<string, number> }> {
  const exported = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const request = JSON.parse(body.toString()) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<{ kind?: number; attributes?: Array<{ key: string; value: { stringValue?: string } }> }> }> }> };
        for (const rs of request.resourceSpans ?? []) {
          for (const ss of rs.scopeSpans ?? []) {
            for (const span of ss.spans ?? []) {
              if (span.kind !== 2) continue;
              const id = span.attributes?.find((a) => a.key === 'faas.invocation_id')?.value.stringValue ?? '';
              exported.set(id, (exported.get(id) ?? 0) + 1);
            }
          }
        }
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, exported };
}

interface MemoryReading {
  readonly rss: number;
  readonly heapUsed: number;
}

/** Asks the extension for a full GC and its memory figures, and waits for the answer. */
async function memoryAfterGc(sandbox: Sandbox, pid: number): Promise<MemoryReading> {
  const before = sandbox.report().extensions[0]!.stderr.length;
  process.kill(pid, 'SIGUSR2');
  for (let waitedMs = 0; waitedMs < 5000; waitedMs += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const line = /BENCH_MEMORY (\{.*\})/.exec(sandbox.report().extensions[0]!.stderr.slice(before))?.[1];
    if (line !== undefined) return JSON.parse(line) as MemoryReading;
  }
  throw new Error('the extension did not report its memory');
}

it(`${INVOCATIONS} invocations: flat live memory, nothing pending, each exported exactly once`, { timeout: 20 * 60_000 }, async () => {
  assertLayerBuilt();
  const receiver = await countingReceiver();
  try {
    const sandbox = await startSandbox({
      extensions: [EXTENSION],
      freeze: false,
      env: {
        LAMBDA_OTEL_LISTENER_PORT: String(await freePort()), LAMBDA_OTEL_RECEIVER: String(await freePort()),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        LAMBDA_OTEL_FLUSH: 'periodic,1000',
        LAMBDA_OTEL_LOG_LEVEL: 'info',
        // The launcher starts node without the function's NODE_OPTIONS; this is the extension's own.
        LAMBDA_OTEL_NODE_OPTIONS: `--expose-gc --import=${GC_HOOK}`,
      },
    });
    const pid = sandbox.report().extensions[0]!.pid!;
    const ids = new Set<string>();
    let afterWarmUp: MemoryReading | null = null;
    for (let i = 0; i < INVOCATIONS; i++) {
      ids.add((await sandbox.invoke({ durationMs: 0 })).requestId);
      if (i + 1 === WARM_UP) afterWarmUp = await memoryAfterGc(sandbox, pid);
    }
    const atEnd = await memoryAfterGc(sandbox, pid);
    const report = await sandbox.shutdown();
    const extension = only(report);
    assert.equal(extension.exit?.code, 0);

    const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
    process.stdout.write(`# after a full GC, invocation ${WARM_UP} -> ${INVOCATIONS}: V8 heap in use ${mib(afterWarmUp!.heapUsed)} -> ${mib(atEnd.heapUsed)} MiB, RSS ${mib(afterWarmUp!.rss)} -> ${mib(atEnd.rss)} MiB\n`);
    assert.ok(atEnd.heapUsed - afterWarmUp!.heapUsed < MAX_HEAP_GROWTH_BYTES, `live memory grew by ${mib(atEnd.heapUsed - afterWarmUp!.heapUsed)} MiB`);

    const done = logLines(extension).find((l) => l.msg === 'shutdown export done');
    assert.deepEqual(done && [done.pendingAtShutdown, done.evicted, done.late], [0, 0, 0], JSON.stringify(done));
    assert.ok(!logLines(extension).some((l) => l.msg === 'telemetry lost'));

    assert.equal(receiver.exported.size, INVOCATIONS, 'every invocation exported');
    const twice = [...receiver.exported].filter(([, n]) => n !== 1);
    assert.deepEqual(twice, [], 'each exactly once');
    assert.ok([...ids].every((id) => receiver.exported.get(id) === 1));
  } finally {
    receiver.server.close();
  }
});

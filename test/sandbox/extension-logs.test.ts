import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startSandbox } from '../../src/sandbox/index.ts';
import { MAX_LINE_BYTES } from '../../src/sandbox/line-splitter.ts';
import type { ExtensionReport, SandboxReport } from '../../src/sandbox/index.ts';
import type { TelemetryEvent } from '../../src/telemetry/events.ts';
import { fixture, readRecords, receivedEvents, tempDir } from './helpers.ts';
import type { RecordLine } from './helpers.ts';

/** Lines the chatty extension writes with 2 invocations: 3 at init, 3 per invoke, 1 at exit. */
const CHATTY_LINES_FOR_TWO_INVOCATIONS = 10;

function logRecords(events: readonly TelemetryEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'extension' && typeof event.record === 'string' ? [event.record] : []));
}

function extension(report: SandboxReport, name: string): ExtensionReport {
  const found = report.extensions.find((ext) => ext.name === name);
  assert.ok(found !== undefined, `extension ${name} in the report`);
  return found;
}

function said(records: readonly RecordLine[], stream?: 'stdout' | 'stderr'): RecordLine[] {
  return records.filter((line) => line.kind === 'said' && (stream === undefined || line.stream === stream));
}

describe('extension log lines as `extension` events', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('produces each stdout and stderr line, in order per stream, timed when written, delivered in batches', async () => {
    const record = dir.file('chatty.jsonl');
    const sandbox = await startSandbox({ extensions: [fixture('chatty-extension.mjs')], env: { RECORD_FILE: record } });
    await sandbox.invoke({ durationMs: 20 });
    await sandbox.invoke({ durationMs: 20 });
    const report = await sandbox.shutdown({ shutdownMs: 2000 });

    const records = readRecords(record);
    const produced = logRecords(report.events);
    const ext = extension(report, 'chatty-extension.mjs');
    assert.equal(said(records).length, CHATTY_LINES_FOR_TWO_INVOCATIONS);
    assert.deepEqual(produced.slice().sort(), said(records).map((line) => line.text).sort(), 'exactly the lines written');
    for (const stream of ['stdout', 'stderr'] as const) {
      const texts = said(records, stream).map((line) => line.text);
      assert.deepEqual(produced.filter((text) => texts.includes(text)), texts, `${stream} in order`);
    }
    assert.ok(produced.includes('init out 2'), '\\r\\n stripped');
    assert.ok(produced.includes('invoke 1 split line'), 'a line written in two parts is one event');
    assert.equal(produced.at(-1), 'bye without newline', 'the last line without newline comes at the end of the stream');
    for (const line of said(records)) {
      const event = report.events.find((e) => e.type === 'extension' && e.record === line.text);
      const atMs = Date.parse(event?.time ?? '');
      assert.ok(atMs >= line.atEpochMs && atMs - line.atEpochMs < 1000, `time of "${line.text}" plausible`);
    }
    assert.equal(ext.logEvents, CHATTY_LINES_FOR_TWO_INVOCATIONS);
    assert.match(ext.stdout, /^init out 1\ninit out 2\r\n/, 'stdout still captured');

    // Delivered through the hub like other events: init lines from before the subscription
    // are replayed to it, and every line the extension wrote before exiting reached it.
    const received = receivedEvents(records);
    assert.deepEqual(logRecords(received), produced.slice(0, -1));
    assert.ok(received.some((event) => event.type === 'platform.report'));
    assert.equal(ext.delivery.events, received.length);
  });

  it('survives an extension echoing its own `extension` stream, and the loop stays finite', async (t) => {
    const record = dir.file('echo-chatty.jsonl');
    const started = performance.now();
    const sandbox = await startSandbox({
      extensions: [fixture('echo-extension.mjs'), fixture('chatty-extension.mjs')],
      env: { RECORD_FILE: record, ECHO_LINGER_MS: '300' },
    });
    await sandbox.invoke({ durationMs: 20 });
    await sandbox.invoke({ durationMs: 20 });
    const report = await sandbox.shutdown({ shutdownMs: 1000 });
    const elapsedMs = performance.now() - started;

    const echo = extension(report, 'echo-extension.mjs');
    const chatty = extension(report, 'chatty-extension.mjs');
    t.diagnostic(
      `echo loop: ${echo.logEvents} echo events, ${echo.delivery.batches} batches to the echo, ` +
        `${report.events.length} events in all, ${Math.round(elapsedMs)} ms`,
    );
    assert.ok(elapsedMs < 5000, 'the sandbox finished');
    assert.equal(echo.exit?.code, 0);
    assert.equal(echo.exit?.beforeDeadline, true);
    // Frozen between invocations the loop pauses: it runs only while thawed, one line per
    // batch, at most one batch per timeoutMs (25 ms).
    assert.ok(echo.logEvents > 3, `the loop ran (${echo.logEvents} events)`);
    assert.ok(echo.logEvents < 200, `the loop stayed small (${echo.logEvents} events)`);
    assert.equal(chatty.logEvents, CHATTY_LINES_FOR_TWO_INVOCATIONS, 'the well-behaved extension logs only what it meant to');
    assert.equal(logRecords(report.events).length, echo.logEvents + chatty.logEvents);
    assert.equal(report.eventsOmitted, 0);
  });

  it('caps an amplifying loop with the subscriber queue: drops, then platform.logsDropped', async (t) => {
    const sandbox = await startSandbox({
      extensions: [fixture('echo-extension.mjs')],
      freeze: false,
      env: { ECHO_LINES_PER_EVENT: '10', ECHO_LINGER_MS: '100' },
    });
    await sandbox.invoke({ durationMs: 20 });
    await sandbox.idle(250);
    const report = await sandbox.shutdown({ shutdownMs: 1000 });

    const echo = extension(report, 'echo-extension.mjs');
    t.diagnostic(`amplifying echo: ${echo.logEvents} events, delivery ${JSON.stringify(echo.delivery)}`);
    assert.equal(echo.exit?.beforeDeadline, true);
    // Each batch of up to 1000 events brings 10 lines per event: the queue (4 x maxBytes)
    // fills within a few rounds and drops what does not fit, announced in the next batch.
    const dropped = report.events.filter((event) => event.type === 'platform.logsDropped');
    assert.ok(dropped.length > 0, 'platform.logsDropped was sent');
    assert.ok(echo.delivery.droppedEvents > echo.delivery.failures * 1000, 'the subscriber queue overflowed');
    assert.ok(echo.logEvents <= report.events.length + report.eventsOmitted);
  });

  it('bounds a tight write loop: long lines cut at 256 KiB, subscriber queue and capture capped', async () => {
    // Enough to overflow the subscriber queue (4 x 256 KiB) several times over; the report's
    // own caps are covered by telemetry-hub.test.ts.
    const lines = 100_000;
    const sandbox = await startSandbox({
      extensions: [fixture('flood-extension.mjs')],
      env: { FLOOD_LINES: String(lines), FLOOD_LONG_BYTES: String(600 * 1024) },
    });
    await sandbox.invoke({ durationMs: 10 });
    const report = await sandbox.shutdown({ shutdownMs: 1000 });

    const flood = extension(report, 'flood-extension.mjs');
    assert.equal(flood.logEvents, lines + 3);
    const long = logRecords(report.events).filter((text) => text.startsWith('x'));
    assert.deepEqual(
      long.map((text) => text.length),
      [MAX_LINE_BYTES, MAX_LINE_BYTES, 600 * 1024 - 2 * MAX_LINE_BYTES],
    );
    assert.equal(logRecords(report.events).length, flood.logEvents);
    // A failed batch drops at most maxItems (1000) events; the rest overflowed the queue.
    assert.ok(flood.delivery.droppedEvents > flood.delivery.failures * 1000, 'the subscriber queue overflowed');
    assert.match(flood.stdout, /\[output truncated\]\n$/);
  });

  it('produces no `extension` events with extensionLogs: false', async () => {
    const record = dir.file('quiet.jsonl');
    const sandbox = await startSandbox({
      extensions: [fixture('chatty-extension.mjs')],
      env: { RECORD_FILE: record, CHATTY_DRAIN_MS: '200' },
      extensionLogs: false,
    });
    await sandbox.invoke({ durationMs: 20 });
    const report = await sandbox.shutdown({ shutdownMs: 1000 });

    const ext = extension(report, 'chatty-extension.mjs');
    assert.deepEqual(logRecords(report.events), []);
    assert.deepEqual(logRecords(receivedEvents(readRecords(record))), []);
    assert.equal(ext.logEvents, 0);
    assert.match(ext.stdout, /^init out 1\n/);
    assert.match(ext.stderr, /^init err 1\n/);
  });
});

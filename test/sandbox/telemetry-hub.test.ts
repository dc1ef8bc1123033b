import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extensionLogEvent, startEvent } from '../../src/sandbox/event-factory.ts';
import { MAX_LINE_BYTES } from '../../src/sandbox/line-splitter.ts';
import { MAX_RECORDED_EVENTS, MAX_RECORDED_TEXT_CHARS, createTelemetryHub } from '../../src/sandbox/telemetry-hub.ts';

describe('telemetry hub recording', () => {
  it('keeps MAX_RECORDED_EVENTS events and counts the later ones as omitted', () => {
    const hub = createTelemetryHub();
    const time = Date.now();
    for (let i = 0; i < MAX_RECORDED_EVENTS + 5; i += 1) hub.produce(extensionLogEvent(`line ${i}`, time));

    assert.equal(hub.events().length, MAX_RECORDED_EVENTS);
    assert.equal(hub.events().at(-1)?.record, `line ${MAX_RECORDED_EVENTS - 1}`);
    assert.equal(hub.omitted(), 5);
    hub.close();
  });

  it('stops keeping text log records beyond the character budget, but keeps counting them', () => {
    const hub = createTelemetryHub();
    const line = 'x'.repeat(MAX_LINE_BYTES);
    const fitting = MAX_RECORDED_TEXT_CHARS / MAX_LINE_BYTES;
    for (let i = 0; i < fitting + 10; i += 1) assert.equal(hub.produce(extensionLogEvent(line, Date.now())), true);
    // Platform records are small and stay within the event-count cap only.
    hub.produce(startEvent(Date.now(), 'r1', '$LATEST', null));

    assert.equal(hub.events().length, fitting + 1);
    assert.equal(hub.events().at(-1)?.type, 'platform.start');
    assert.equal(hub.omitted(), 10);
    hub.close();
    assert.equal(hub.produce(extensionLogEvent('late', Date.now())), false, 'nothing after close');
  });
});

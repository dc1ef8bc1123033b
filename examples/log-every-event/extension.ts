/**
 * The first extension most people write: print every Telemetry API event to stdout, which
 * Lambda sends to the function's CloudWatch log. (Do not subscribe this one to the `extension`
 * stream: it would receive and print its own lines, forever.)
 */
import { run } from 'lambda-telemetry-otel';
import type { Processor } from 'lambda-telemetry-otel';

const logEveryEvent: Processor = {
  process(events) {
    for (const event of events) console.log(`${event.time} ${event.type} ${JSON.stringify(event.record)}`);
  },
};

const result = await run(logEveryEvent, { extensionName: 'log-every-event', telemetryTypes: ['platform', 'function'] });
process.exit(result.exitCode);

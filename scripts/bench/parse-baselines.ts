/**
 * The throughput baselines, run as a child process on the node being measured and in the
 * same memory cgroup as the layer (the young generation, hence GC work, follows the limit):
 * JSON.parse of the bodies (what any consumer must pay), the project's decode() (JSON.parse
 * plus validation) and decode() plus the correlator, the hot paths before the OpenTelemetry
 * SDK. Median of 7 passes each; CPU from process.cpuUsage() (every thread, GC included).
 *
 *   node --import tsx scripts/bench/parse-baselines.ts <file of bodies, one per line>
 * prints `{"jsonParse":{wallMs,cpuMs},"decode":{...},"decodeCorrelate":{...}}` on stdout.
 */
import { readFileSync } from 'node:fs';
import { createCorrelator } from '../../src/telemetry/correlator.ts';
import { decode } from '../../src/telemetry/decode.ts';
import { median } from './stats.ts';

export interface InProcessTiming {
  readonly wallMs: number;
  readonly cpuMs: number;
}

export interface ParseBaselines {
  readonly jsonParse: InProcessTiming;
  readonly decode: InProcessTiming;
  /** decode() and every event through a fresh correlator (records go nowhere). */
  readonly decodeCorrelate: InProcessTiming;
}

const PASSES = 7;

function time(bodies: readonly Buffer[], work: (body: Buffer) => unknown, beforePass: () => void = () => undefined): InProcessTiming {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let pass = 0; pass < PASSES; pass++) {
    beforePass();
    const cpuBefore = process.cpuUsage();
    const before = performance.now();
    for (const body of bodies) work(body);
    walls.push(performance.now() - before);
    const cpu = process.cpuUsage(cpuBefore);
    cpus.push((cpu.user + cpu.system) / 1000);
  }
  return { wallMs: median(walls), cpuMs: median(cpus) };
}

const noop = (): undefined => undefined;

function decodeAndCorrelate(bodies: readonly Buffer[]): InProcessTiming {
  let correlator = createCorrelator({ onInvocation: noop, onPhase: noop });
  // A fresh correlator per pass, so that no pass sees the previous one's request ids as late.
  return time(
    bodies,
    (body) => {
      for (const event of decode(body).events) correlator.add(event);
    },
    () => {
      correlator = createCorrelator({ onInvocation: noop, onPhase: noop });
    },
  );
}

const file = process.argv[2];
if (file === undefined) throw new Error('usage: parse-baselines.ts <file of bodies, one per line>');
const text = readFileSync(file);
const bodies: Buffer[] = [];
for (let at = 0; at < text.length; ) {
  const end = text.indexOf(0x0a, at);
  bodies.push(text.subarray(at, end === -1 ? text.length : end));
  at = end === -1 ? text.length : end + 1;
}
const baselines: ParseBaselines = {
  jsonParse: time(bodies, (body) => JSON.parse(body.toString('utf8'))),
  decode: time(bodies, (body) => decode(body)),
  decodeCorrelate: decodeAndCorrelate(bodies),
};
process.stdout.write(JSON.stringify(baselines));

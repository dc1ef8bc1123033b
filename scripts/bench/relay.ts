/**
 * (5) Relay of the function's own spans (issue 17): what the local OTLP receiver costs the
 * function (the wall time of its export, p50 / p99, the first one apart) and the layer (CPU per
 * relayed span, private memory). Per repetition, two runs of the built layer in the sandbox
 * (freeze off, `periodic,10000` as in (2), the local sink as backend), each in a fresh 128 MB
 * memory cgroup shared with a simulated function (relay-function.ts: the real SDK and OTLP
 * exporter), as on Lambda, where the function and its extensions share one memory limit.
 * `SIZES.relayInvocations` invocations run back to back; in each the function builds one
 * request's spans (a SERVER root with `faas.invocation_id` and its children) and exports them
 * with `forceFlush()` before the next invocation starts: in the relay run to the layer's
 * receiver, in the baseline run to a minimal receiver (minimal-otlp-receiver.mjs, a third
 * process in the group) while the layer's receiver listens unused. The baseline gives both
 * floors: the layer's CPU without relayed traffic, and the export latency of any local
 * receiver.
 *
 * The function's handler runs in the sandbox's runtime phase (InvocationSpec.handler): the
 * runtime answers once the export is done. Invocation 1 carries the first export, made while
 * the layer loads its pipeline on that INVOKE, and paying the codec's load (on the first
 * request) and protobufjs's code generation for each message type the layer decodes and
 * encodes; invocation 2 on is the steady state, through SHUTDOWN and its export. The two runs alternate
 * order by repetition; CPU per relayed span is the paired difference of the layer's steady
 * state CPU divided by the spans relayed. Every span the function sent the layer must arrive
 * at the sink exactly once, its root under the invocation span: otherwise the benchmark fails.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startSandbox } from '../../src/sandbox/index.ts';
import { freePort } from '../free-port.ts';
import { inMemoryGroup } from './cgroup.ts';
import type { Confinement } from './cgroup.ts';
import { EXTENSION, ROOT, SIZES, SMALL_MB, measuredEnv, plainEnv } from './environment.ts';
import { watch } from './layer-driver.ts';
import type { OtlpSink } from './otlp-sink.ts';
import { sched } from './proc.ts';
import type { FunctionAnswer } from './relay-function.ts';
import { sleep } from './stats.ts';

export interface RelayRun {
  /** True: the function exported to the layer's receiver; false (the baseline): to the minimal receiver. */
  readonly relayed: boolean;
  /** The function's export wall time per invocation, ms. */
  readonly exportMs: readonly number[];
  /** Layer CPU over invocation 1 (the pipeline loads, the first export) and its telemetry, and from then through SHUTDOWN, ms. */
  readonly firstCpuMs: number;
  readonly steadyCpuMs: number;
  /** Spans the layer relayed in the steady state (invocation 2 on); 0 in the baseline. */
  readonly steadySpans: number;
  /** Highest private memory (RssAnon) and VmHWM of the layer over the run, MiB. */
  readonly anonPeakMiB: number;
  readonly hwmMiB: number;
  readonly oomKills: number;
  /** Function spans that arrived at the sink, of those exported; roots joined under an invocation span that arrived. */
  readonly delivered: number;
  readonly exported: number;
  readonly rootsJoined: number;
  readonly roots: number;
  readonly warnings: readonly string[];
}

export interface RelayResults {
  readonly invocations: number;
  readonly spansPerRequest: number;
  /** Repetition by repetition, both runs of each. */
  readonly pairs: ReadonlyArray<{ readonly baseline: RelayRun; readonly relay: RelayRun }>;
}

export const SPANS_PER_REQUEST = 10;
const RUNTIME_MS = 2;
/** After invocation 1: its telemetry arrives (Telemetry API buffering, 25 ms) and the codec's background load ends before the CPU is read. */
const FIRST_SETTLE_MS = 100;

/** A child process in the cgroup that talks in lines: stdin in, stdout out. */
interface LineChild {
  next(): Promise<string>;
  send(line: string): void;
  /** Ends its stdin, which ends it. */
  close(): void;
}

function startChild(where: Confinement, args: readonly string[]): LineChild {
  const { file, args: argv } = where.command('node', args);
  const child = spawn(file, argv, { cwd: ROOT, env: plainEnv(), stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => waiting.shift()?.resolve(line));
  child.once('exit', (code) => {
    for (const waiter of waiting.splice(0)) waiter.reject(new Error(`${args.at(-2) ?? 'child'} exited (${code})`));
  });
  return {
    next: () => new Promise((resolve, reject) => void waiting.push({ resolve, reject })),
    send: (line) => void child.stdin.write(`${line}\n`),
    close: () => child.stdin.end(),
  };
}

interface SimulatedFunction {
  request(requestId: string): Promise<FunctionAnswer>;
  close(): void;
}

async function startFunction(where: Confinement, target: string): Promise<SimulatedFunction> {
  const child = startChild(where, ['--import', 'tsx', `${ROOT}scripts/bench/relay-function.ts`, target, String(SPANS_PER_REQUEST)]);
  if ((await child.next()) !== 'ready') throw new Error('the simulated function did not start');
  return {
    async request(requestId) {
      const reply = child.next();
      child.send(requestId);
      return JSON.parse(await reply) as FunctionAnswer;
    },
    close: () => child.close(),
  };
}

/** The baseline's receiver (minimal-otlp-receiver.mjs) on 127.0.0.1:`port`, listening. */
async function startMinimalReceiver(where: Confinement, port: number): Promise<LineChild> {
  const child = startChild(where, [`${ROOT}scripts/bench/minimal-otlp-receiver.mjs`, String(port)]);
  if ((await child.next()) !== 'listening') throw new Error('the minimal OTLP receiver did not start');
  return child;
}

/** One run: the function exports to the layer's receiver (`relayed`) or to the minimal one. */
async function runOnce(sink: OtlpSink, relayed: boolean): Promise<RelayRun> {
  const { result, usage } = await inMemoryGroup(SMALL_MB, async (where) => {
    const receiverPort = await freePort();
    const floorPort = relayed ? receiverPort : await freePort();
    const floor = relayed ? null : await startMinimalReceiver(where, floorPort);
    const fn = await startFunction(where, `http://127.0.0.1:${floorPort}/v1/traces`);
    const env = measuredEnv({ LAMBDA_OTEL_LISTENER_PORT: String(await freePort()), OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, LAMBDA_OTEL_FLUSH: 'periodic,10000', LAMBDA_OTEL_RECEIVER: String(receiverPort) });
    sink.reset();
    sink.recordSpans(true);
    try {
      const sandbox = await startSandbox({ extensions: [where.executable(EXTENSION)], env, freeze: false, function: { memorySizeMB: where.sizeMB } });
      const pid = sandbox.report().extensions[0]!.pid!;
      const watcher = watch(pid);
      const answers: FunctionAnswer[] = [];
      // The runtime answers once the function's export is done, as a handler awaiting forceFlush does.
      const handler = async ({ requestId }: { readonly requestId: string }): Promise<void> => {
        const answer = await fn.request(requestId);
        if (answer.error !== null) throw new Error(`the function's export failed: ${answer.error}`);
        answers.push(answer);
      };
      const invoke = async (): Promise<void> => {
        const { handlerError } = await sandbox.invoke({ durationMs: RUNTIME_MS, logs: ['handled'], handler });
        if (handlerError !== undefined) throw new Error(String(handlerError));
      };
      const beforeFirst = sched(pid)!.cpuMs;
      await invoke();
      await sleep(FIRST_SETTLE_MS);
      const afterFirst = sched(pid)!.cpuMs;
      for (let i = 2; i <= SIZES.relayInvocations; i++) await invoke();
      const report = await sandbox.shutdown({ shutdownMs: 10_000 });
      watcher.stop();
      const extension = report.extensions[0]!;
      if (extension.exit?.code !== 0) throw new Error(`the layer did not exit cleanly: ${extension.stderr}`);
      return {
        relayed,
        exportMs: answers.map((a) => a.exportMs),
        firstCpuMs: afterFirst - beforeFirst,
        steadyCpuMs: watcher.cpuMs - afterFirst,
        steadySpans: relayed ? (answers.length - 1) * SPANS_PER_REQUEST : 0,
        anonPeakMiB: watcher.anonPeakMiB,
        hwmMiB: watcher.hwmMiB,
        ...arrivals(sink, relayed ? answers : []),
        warnings: extension.stderr.split('\n').filter((line) => line.includes('"level":"warn"')),
      };
    } finally {
      sink.recordSpans(false);
      fn.close();
      floor?.close();
    }
  });
  return { ...result, oomKills: usage?.oomKills ?? 0 };
}

/** Checks the function's spans at the sink: each exactly once, each root under a span of the layer that arrived too. */
function arrivals(sink: OtlpSink, answers: readonly FunctionAnswer[]): Pick<RelayRun, 'delivered' | 'exported' | 'rootsJoined' | 'roots'> {
  const seen = sink.spans();
  const ours = new Set(answers.flatMap((a) => a.spanIds));
  let delivered = 0;
  let rootsJoined = 0;
  const problems: string[] = [];
  answers.forEach(({ spanIds }, i) => {
    for (const id of spanIds) {
      const count = seen.get(id)?.count ?? 0;
      if (count === 1) delivered++;
      else problems.push(`span ${id} arrived ${count} times`);
    }
    const parent = seen.get(spanIds[0]!)?.parentSpanId ?? '';
    if (parent !== '' && seen.has(parent) && !ours.has(parent)) rootsJoined++;
    else problems.push(`the root span of invocation ${i + 1} arrived ${parent === '' ? 'without a parent' : `under ${parent}, not an invocation span of the layer`}`);
  });
  if (problems.length > 0) throw new Error(`relay: ${problems.length} problems with the ${ours.size} spans the function exported: ${problems.slice(0, 5).join('; ')}`);
  return { delivered, exported: ours.size, rootsJoined, roots: answers.length };
}

export async function measureRelay(sink: OtlpSink, log: (line: string) => void): Promise<RelayResults> {
  const pairs: Array<{ baseline: RelayRun; relay: RelayRun }> = [];
  for (let rep = 0; rep < SIZES.relayReps; rep++) {
    // Alternate which run goes first, so that drift on the machine falls on both alike.
    const first = await runOnce(sink, rep % 2 === 1);
    const second = await runOnce(sink, rep % 2 === 0);
    const [baseline, relay] = first.relayed ? [second, first] : [first, second];
    pairs.push({ baseline, relay });
    const perSpanUs = (1000 * (relay.steadyCpuMs - baseline.steadyCpuMs)) / relay.steadySpans;
    log(`relay ${rep + 1}/${SIZES.relayReps}: ${relay.delivered}/${relay.exported} spans delivered, ${perSpanUs.toFixed(1)} µs layer CPU per relayed span, first export ${relay.exportMs[0]?.toFixed(1)} ms`);
  }
  return { invocations: SIZES.relayInvocations, spansPerRequest: SPANS_PER_REQUEST, pairs };
}

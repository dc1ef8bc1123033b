/**
 * Renders received spans as terminal waterfalls, one per trace: indentation by parent, a bar
 * placed on the trace's time axis, duration and status; and a summary of the metrics.
 */
import { OWN_SPAN_NAMES } from '../../src/otel/spans.ts';
import type { DemoLog, DemoPoint, DemoSpan } from './otlp-json-receiver.ts';

const BAR_WIDTH = 40;
const NAME_WIDTH = 34;
const ERROR_CODE = 2;

export interface RenderOptions {
  /** ANSI colours (a terminal) or plain text. */
  readonly color: boolean;
}

/** The extension's instrumentation scope; spans of any other come from the function's own SDK. */
const EXTENSION_SCOPE = 'lambda-telemetry-otel';

const paint = (on: boolean, code: number, text: string): string => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

/** One block of text per trace, oldest trace first. */
export function renderTraces(spans: readonly DemoSpan[], logs: readonly DemoLog[], options: RenderOptions): string[] {
  const traces = new Map<string, DemoSpan[]>();
  for (const span of spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
  const blocks: Array<{ startNs: bigint; text: string }> = [];
  for (const [traceId, members] of traces) {
    const startNs = members.reduce((min, s) => (s.startNs < min ? s.startNs : min), members[0]!.startNs);
    const endNs = members.reduce((max, s) => (s.endNs > max ? s.endNs : max), members[0]!.endNs);
    const totalNs = endNs - startNs > 0n ? endNs - startNs : 1n;
    const ids = new Set(members.map((s) => s.spanId));
    const roots = members.filter((s) => s.parentSpanId === '' || !ids.has(s.parentSpanId)).sort((a, b) => Number(a.startNs - b.startNs));
    const root = roots.find((s) => s.kind === 2) ?? roots[0]!;
    const coldStart = root.attributes['faas.coldstart'] === true ? '  cold start' : '';
    const logCount = logs.filter((l) => l.traceId === traceId).length;
    // A cold start's trace begins with init, before the invocation's root span.
    const hasInit = members.some((s) => s.name === OWN_SPAN_NAMES.INIT);
    const length = endNs - startNs > root.endNs - root.startNs ? `whole trace ${ms(endNs - startNs)}${hasInit ? ', init included' : ''}` : ms(endNs - startNs);
    const lines = [
      paint(options.color, 1, `trace ${traceId}  ${root.name}${coldStart}  ${length}${logCount > 0 ? `  ${logCount} log record${logCount === 1 ? '' : 's'}` : ''}`),
    ];
    const walk = (span: DemoSpan, depth: number): void => {
      const offset = Number(((span.startNs - startNs) * BigInt(BAR_WIDTH)) / totalNs);
      const width = Math.max(1, Number(((span.endNs - span.startNs) * BigInt(BAR_WIDTH)) / totalNs));
      const bar = ' '.repeat(Math.min(offset, BAR_WIDTH - 1)) + '█'.repeat(Math.min(width, BAR_WIDTH - Math.min(offset, BAR_WIDTH - 1)));
      const failed = span.statusCode === ERROR_CODE;
      const status = failed ? paint(options.color, 31, ` ERROR ${span.statusMessage}`) : '';
      const own = span.scope === EXTENSION_SCOPE || span.scope === '' ? '' : ' (function)';
      const name = `${'  '.repeat(depth)}${span.name}${own}`.padEnd(NAME_WIDTH).slice(0, NAME_WIDTH);
      lines.push(`  ${name} ${paint(options.color, failed ? 31 : 36, bar.padEnd(BAR_WIDTH))} ${ms(span.endNs - span.startNs).padStart(10)}${status}`);
      const children = members.filter((c) => c.parentSpanId === span.spanId).sort((a, b) => Number(a.startNs - b.startNs));
      for (const child of children) walk(child, depth + 1);
    };
    for (const r of roots) walk(r, 0);
    blocks.push({ startNs, text: lines.join('\n') });
  }
  return blocks.sort((a, b) => Number(a.startNs - b.startNs)).map((b) => b.text);
}

/**
 * The line under the waterfalls that says what `postRuntimeExtensions` is, for the flush mode
 * the demo ran with (`LAMBDA_OTEL_FLUSH`, unset meaning adaptive).
 */
export function postRuntimeNote(flush: string | undefined): string {
  const mode = (flush ?? '').trim().toLowerCase().split(',', 1)[0] || 'adaptive';
  if (mode === 'periodic' || mode === 'shutdown') {
    return `${OWN_SPAN_NAMES.POST_RUNTIME} stays near 0 ms: with LAMBDA_OTEL_FLUSH=${mode} the extension never exports at an invocation's end`;
  }
  const when = mode === 'adaptive' ? 'flush mode adaptive, while invocations are rare' : `flush mode ${mode}`;
  return `${OWN_SPAN_NAMES.POST_RUNTIME} is this extension's own export at each invocation's end (${when}), billed to the function; LAMBDA_OTEL_FLUSH=periodic exports in the background and takes it to ~0 ms`;
}

/** Counter totals and the spread of the per-invocation duration gauge. */
export function renderMetrics(points: readonly DemoPoint[]): string {
  const last = (name: string): number => points.filter((p) => p.name === name).reduce((max, p) => Math.max(max, p.value), 0);
  const durations = points.filter((p) => p.name === 'aws.lambda.duration').map((p) => p.value).sort((a, b) => a - b);
  const lines = [
    `invocations ${last('faas.invocations')}   errors ${last('faas.errors')}   timeouts ${last('faas.timeouts')}   cold starts ${last('faas.coldstarts')}`,
  ];
  if (durations.length > 0) {
    const median = durations[Math.floor(durations.length / 2)]!;
    lines.push(`aws.lambda.duration: ${durations.length} points, min ${durations[0]!.toFixed(1)} ms, median ${median.toFixed(1)} ms, max ${durations.at(-1)!.toFixed(1)} ms`);
  }
  const names = [...new Set(points.map((p) => p.name))].sort();
  lines.push(`${names.length} metrics: ${names.join(', ')}`);
  return lines.join('\n');
}

function ms(ns: bigint): string {
  return `${(Number(ns) / 1e6).toFixed(1)} ms`;
}

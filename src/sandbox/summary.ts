/**
 * Human summary of a sandbox report, and the verdict the CLI exits with.
 */
import type { ExtensionReport, SandboxReport } from './types.ts';

function ms(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(1)} ms`;
}

/** Why the run counts as failed; empty when it did not. */
export function failuresOf(report: SandboxReport): string[] {
  const failures: string[] = [];
  if (report.initFailure !== null) failures.push(`init failed: ${report.initFailure}`);
  for (const ext of report.extensions) {
    if (ext.spawnError !== null) failures.push(`${ext.name} could not be started (${ext.spawnError})`);
    if (ext.initError !== null) failures.push(`${ext.name} reported init error ${ext.initError.errorType}`);
    const exit = ext.exit;
    if (exit === null) continue;
    if (exit.killed && !exit.beforeDeadline) failures.push(`${ext.name} was still running at the SHUTDOWN deadline and was killed`);
    else if (exit.code !== null && exit.code !== 0) failures.push(`${ext.name} exited with code ${exit.code}`);
    else if (exit.signal !== null && !exit.killed) failures.push(`${ext.name} was killed by ${exit.signal}`);
  }
  return failures;
}

function describeExit(ext: ExtensionReport): string {
  const exit = ext.exit;
  if (ext.spawnError !== null) return `not started (${ext.spawnError})`;
  if (exit === null) return 'still running';
  const how = exit.signal !== null ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
  const when = exit.beforeDeadline ? 'before the deadline' : 'at the deadline';
  return `${how} at ${ms(exit.atMs)}, ${when}${exit.killed ? ', killed by the sandbox' : ''}`;
}

function describeExtension(ext: ExtensionReport): string[] {
  const lines = [`extension ${ext.name} (pid ${ext.pid ?? '-'})`];
  const reg = ext.registered;
  lines.push(
    reg === null
      ? '  registered    no'
      : `  registered    ${reg.events.join(',')} at ${ms(reg.atMs)}${reg.acceptFeature === null ? '' : ` (accept-feature ${reg.acceptFeature})`}`,
  );
  const sub = ext.subscription;
  const attempts = ext.subscribeAttempts.length;
  if (sub === null) {
    lines.push(`  subscription  none${attempts > 0 ? ` (${attempts} refused attempts)` : ''}`);
  } else {
    const b = sub.buffering;
    lines.push(
      `  subscription  ${sub.schemaVersion} ${sub.types.join(',')} -> ${sub.uri} ` +
        `(maxItems ${b.maxItems}, maxBytes ${b.maxBytes}, timeoutMs ${b.timeoutMs}; ${attempts} attempt${attempts === 1 ? '' : 's'})`,
    );
  }
  lines.push(`  first next    ${ms(ext.firstNextMs)} after spawn; ${ext.nextCalls.length} next calls`);
  const d = ext.delivery;
  lines.push(
    `  delivery      ${d.batches} batches, ${d.events} events, ${d.bytes} bytes; ${d.failures} failed, ` +
      `${d.droppedEvents} dropped, ${d.undeliveredEvents} undelivered`,
  );
  lines.push(`  log events    ${ext.logEvents} extension events from its output lines`);
  if (ext.initError !== null) lines.push(`  init error    ${ext.initError.errorType}`);
  if (ext.exitError !== null) lines.push(`  exit error    ${ext.exitError.errorType}`);
  lines.push(`  exit          ${describeExit(ext)}`);
  if (ext.violations.length > 0) lines.push(`  violations    ${ext.violations.join('; ')}`);
  return lines;
}

/** A compact multi-line summary. */
export function formatReport(report: SandboxReport): string {
  const lines = [
    `sandbox ${report.runtimeApi}: init ${report.initDone ? 'done' : 'FAILED'} in ${ms(report.initDurationMs)}` +
      (report.initFailure === null ? '' : ` (${report.initFailure})`),
  ];
  for (const ext of report.extensions) lines.push(...describeExtension(ext));
  lines.push(`invocations   ${report.invocations.length}`);
  report.invocations.forEach((inv, index) => {
    lines.push(
      `  ${index + 1}. ${inv.requestId} ${inv.status}${inv.errorType === null ? '' : ` (${inv.errorType})`}: ` +
        `runtime ${ms(inv.runtimeDurationMs)}, phase ${ms(inv.durationMs)}, post-runtime ${ms(inv.postRuntimeDurationMs)}, ` +
        `max memory ${inv.maxMemoryUsedMB} MB` +
        (inv.overlappedWith === undefined ? '' : `, overlapped ${inv.overlappedWith.length}, peak concurrency ${inv.peakConcurrency ?? 1}`),
    );
  });
  const sd = report.shutdown;
  if (sd !== null) {
    const took = sd.endedAtMs === null ? 'running' : ms(sd.endedAtMs - sd.startedAtMs);
    lines.push(`shutdown      ${sd.reason}, ${took}`);
  }
  lines.push(`events        ${report.events.length} produced`);
  const failures = failuresOf(report);
  lines.push(failures.length === 0 ? 'result        OK' : `result        FAILED\n  - ${failures.join('\n  - ')}`);
  return `${lines.join('\n')}\n`;
}

/**
 * One extension executable run as Lambda runs `/opt/extensions/*`: its own process group (so
 * freeze and kill reach its children, like Lambda's cgroup), captured output split into log
 * lines, and a last-resort kill of every group when the parent process exits.
 */
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { createLineSplitter } from './line-splitter.ts';
import type { LineListener } from './line-splitter.ts';

/** Cap of captured stdout and stderr, each. */
export const MAX_CAPTURED_OUTPUT_BYTES = 1024 * 1024;

/** How the process ended. `spawnError` is set when it never started. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: string | null;
  readonly spawnError: string | null;
}

/** A spawned extension process. */
export interface ExtensionProcess {
  /** Null when spawning failed. */
  readonly pid: number | null;
  /** Resolves once, when the process exited or failed to start. */
  readonly exited: Promise<ProcessExit>;
  /** Resolves once stdout and stderr are closed (every line was reported). Never rejects. */
  readonly outputClosed: Promise<void>;
  isAlive(): boolean;
  /** Signals the whole process group; a group already gone is ignored. */
  signalGroup(signal: 'SIGSTOP' | 'SIGCONT' | 'SIGKILL'): void;
  /** Resolves once /proc shows the process stopped (or gone), after at most {@link STOP_WAIT_MS}. */
  stopped(): Promise<void>;
  /** SIGKILLs the group and forgets it (idempotent). */
  dispose(): void;
  stdout(): string;
  stderr(): string;
  /** Peak resident memory (VmHWM) in bytes, null when unknown. */
  peakRssBytes(): number | null;
}

/** Spawn options. */
export interface SpawnOptions {
  readonly path: string;
  readonly env: Readonly<Record<string, string>>;
  readonly stdio: 'capture' | 'inherit';
  /** Receives every output line (stdout and stderr, in arrival order); null for none. */
  readonly onLine: LineListener | null;
}

const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  });
}

interface Capture {
  push(chunk: Buffer): void;
  text(): string;
}

const NO_CAPTURE: Capture = { push: () => undefined, text: () => '' };

function createCapture(): Capture {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  return {
    push(chunk) {
      if (size >= MAX_CAPTURED_OUTPUT_BYTES) {
        truncated = true;
        return;
      }
      const room = MAX_CAPTURED_OUTPUT_BYTES - size;
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      if (kept !== chunk) truncated = true;
      chunks.push(kept);
      size += kept.length;
    },
    text: () => Buffer.concat(chunks, size).toString('utf8') + (truncated ? '\n[output truncated]\n' : ''),
  };
}

function readPeakRssBytes(pid: number): number | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const at = status.indexOf('VmHWM:');
  if (at === -1) return null;
  const end = status.indexOf('\n', at);
  const kib = Number.parseInt(status.slice(at + 'VmHWM:'.length, end === -1 ? undefined : end).trim(), 10);
  return Number.isFinite(kib) ? kib * 1024 : null;
}

/**
 * Reads one output stream: keeps it in `capture`, copies it to `tee` (the sandbox's own
 * stream, for `inherit`) and splits it into lines for `onLine`.
 */
function readOutput(stream: Readable | null, capture: Capture, tee: Writable | null, onLine: LineListener | null): void {
  if (stream === null) return;
  const lines = onLine === null ? null : createLineSplitter(onLine);
  stream.on('data', (chunk: Buffer) => {
    capture.push(chunk);
    tee?.write(chunk);
    lines?.push(chunk, Date.now());
  });
  if (lines !== null) stream.once('end', () => lines.end());
}

/** Starts `options.path` detached in its own process group. Never throws. */
export function spawnExtension(options: SpawnOptions): ExtensionProcess {
  installExitHook();
  const inherit = options.stdio === 'inherit';
  // `inherit` without lines hands over the sandbox's own descriptors; with lines the output
  // goes through a pipe and is copied (tee) to the sandbox's stdout/stderr.
  const direct = inherit && options.onLine === null;
  const out = inherit ? NO_CAPTURE : createCapture();
  const err = inherit ? NO_CAPTURE : createCapture();
  const child = spawn(options.path, [], {
    detached: true,
    env: options.env,
    stdio: direct ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  });
  readOutput(child.stdout, out, inherit ? process.stdout : null, options.onLine);
  readOutput(child.stderr, err, inherit ? process.stderr : null, options.onLine);
  const outputClosed = new Promise<void>((resolve) => {
    // 'close' comes after 'exit', once the child's stdio streams are closed; a spawn
    // failure may bring only 'error'.
    child.once('close', () => resolve());
    child.once('error', () => {
      if (child.pid === undefined) resolve();
    });
  });
  const pid = child.pid ?? null;
  if (pid !== null) liveGroups.add(pid);
  let alive = pid !== null;
  let disposed = false;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      alive = false;
      resolve({ code, signal, spawnError: null });
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (pid !== null && alive) return;
      alive = false;
      resolve({ code: null, signal: null, spawnError: error.code ?? error.message });
    });
  });
  const dispose = (): void => {
    if (pid === null || disposed) return;
    disposed = true;
    killGroup(pid, 'SIGKILL');
    liveGroups.delete(pid);
  };
  return {
    pid,
    exited,
    outputClosed,
    isAlive: () => alive,
    signalGroup: (signal) => {
      if (pid !== null && !disposed) killGroup(pid, signal);
    },
    stopped: () => (pid === null ? Promise.resolve() : waitUntilStopped(pid)),
    dispose,
    stdout: out.text,
    stderr: err.text,
    peakRssBytes: () => (pid !== null && alive ? readPeakRssBytes(pid) : null),
  };
}

/** Longest wait for a SIGSTOP to take effect. */
export const STOP_WAIT_MS = 200;

async function waitUntilStopped(pid: number): Promise<void> {
  const until = Date.now() + STOP_WAIT_MS;
  while (Date.now() < until) {
    let state: string | null;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      state = stat.charAt(stat.lastIndexOf(')') + 2);
    } catch {
      return; // gone, or no /proc on this system
    }
    if (state === 'T' || state === 't' || state === 'Z') return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

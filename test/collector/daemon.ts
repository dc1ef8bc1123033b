/**
 * Long-running processes of the collector tests (the OpenTelemetry Collector, VictoriaMetrics):
 * started from a binary path, stopped by their PID, their output kept for failure messages.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** Output kept per process: the last 64 KiB, enough for a start-up error or a stack. */
export const OUTPUT_KEEP_BYTES = 64 * 1024;
/** Time between SIGTERM and SIGKILL in {@link Daemon.stop}. */
export const STOP_GRACE_MS = 5000;
const POLL_INTERVAL_MS = 100;

export interface Daemon {
  readonly name: string;
  readonly pid: number;
  /** The last {@link OUTPUT_KEEP_BYTES} of stdout and stderr, interleaved. */
  output(): string;
  /** Exit code or signal name once exited, null while running. */
  exited(): number | string | null;
  /** SIGTERM by PID, SIGKILL after `graceMs`; resolves once the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

// Safety net: a test process that ends without its `after` hooks still kills its daemons.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Sends a signal by PID; a process that exited meanwhile (ESRCH) is fine. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

class ChildDaemon implements Daemon {
  readonly name: string;
  readonly pid: number;
  readonly #child: ChildProcess;
  readonly #gone: Promise<void>;
  #output = '';
  #exited: number | string | null = null;

  constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.pid = child.pid!;
    this.#child = child;
    const keep = (chunk: Buffer): void => {
      this.#output = (this.#output + chunk.toString('utf8')).slice(-OUTPUT_KEEP_BYTES);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.#gone = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exited = code ?? signal ?? 'unknown';
        running.delete(child);
        resolve();
      });
    });
  }

  output(): string {
    return this.#output;
  }

  exited(): number | string | null {
    return this.#exited;
  }

  async stop(graceMs: number = STOP_GRACE_MS): Promise<void> {
    if (this.#exited !== null) return;
    signal(this.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (this.#exited === null) signal(this.pid, 'SIGKILL');
    }, graceMs);
    await this.#gone;
    clearTimeout(timer);
  }
}

/** Starts `command` with `args`; rejects when it cannot be started at all. */
export async function startDaemon(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Daemon> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new Error(`${name}: cannot start ${command}: ${error.message}`)));
  });
  running.add(child);
  return new ChildDaemon(name, child);
}

/**
 * Resolves once `check` returns true, polled every 100 ms; rejects after `timeoutMs`, or as
 * soon as `daemon` exits, with `what` and the daemon's output.
 */
export async function waitUntil(daemon: Daemon, what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    if (daemon.exited() !== null) {
      throw new Error(`${daemon.name} exited (${daemon.exited()}) while waiting for ${what}; its output:\n${daemon.output()}`);
    }
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadlineMs) {
      throw new Error(`${daemon.name}: no ${what} after ${timeoutMs} ms${lastError ? ` (${lastError})` : ''}; its output:\n${daemon.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/**
 * Memory cgroups (v1) of a function's size, so that the measured processes see the memory
 * Lambda gives them: Node sizes its heap, young generation included, from the limit of its
 * cgroup (or from physical memory without one). One group per measured process, created under
 * /sys/fs/cgroup/memory, removed afterwards. A process joins before node starts: through a
 * /bin/sh that writes its own pid (`$$`) to the group's `cgroup.procs` and then `exec`s the
 * real executable, so the pid, and every figure /proc gives for it, stays the same.
 *
 * The sandbox spawns extensions itself, by path, and names each by its file name; so the
 * joining shell is a wrapper script in a temporary folder with the real extension's file name.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { sleep } from './stats.ts';

const MEMORY_ROOT = '/sys/fs/cgroup/memory';
/** Lambda's MB are MiB. */
const BYTES_PER_MB = 1024 * 1024;
/** Exit code of a joining shell that could not join (the process then never runs). */
const JOIN_FAILED_EXIT = 125;
const EMPTY_WAIT_MS = 2000;

/** What a group saw over its life. */
export interface GroupUsage {
  /** `memory.max_usage_in_bytes`: the group's peak charge (anonymous and page cache it faulted in). */
  readonly maxUsageBytes: number;
  /** `oom_kill` of `memory.oom_control`: processes the kernel killed for the limit. */
  readonly oomKills: number;
}

/** Where a measured process runs: in a memory cgroup of `sizeMB`, or unconfined where the machine does not allow. */
export interface Confinement {
  readonly sizeMB: number;
  /** The path to spawn instead of `path`: an executable of the same file name that joins the group. */
  executable(path: string): string;
  /** `spawn()` file and arguments that run `file args...` inside the group. */
  command(file: string, args: readonly string[]): { readonly file: string; readonly args: string[] };
}

let sequence = 0;
const live = new Set<string>();

function quote(text: string): string {
  if (text.includes("'")) throw new Error(`cgroup wrapper: cannot quote a path with a single quote: ${text}`);
  return `'${text}'`;
}

const joinLine = (group: string): string => `echo $$ > ${quote(`${group}/cgroup.procs`)} || exit ${JOIN_FAILED_EXIT}`;

function readUsage(group: string): GroupUsage {
  const oom = /^oom_kill (\d+)$/m.exec(readFileSync(`${group}/memory.oom_control`, 'utf8'));
  return { maxUsageBytes: Number(readFileSync(`${group}/memory.max_usage_in_bytes`, 'utf8').trim()), oomKills: oom === null ? 0 : Number(oom[1]) };
}

function pidsOf(group: string): number[] {
  try {
    return readFileSync(`${group}/cgroup.procs`, 'utf8').split('\n').filter((line) => line !== '').map(Number);
  } catch {
    return [];
  }
}

/** SIGKILLs what is left in the group (only processes this benchmark put there) and removes it. */
function removeGroup(group: string): string | null {
  for (const pid of pidsOf(group)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  try {
    rmdirSync(group);
    live.delete(group);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function createGroup(sizeMB: number): string {
  const group = `${MEMORY_ROOT}/lambda-telemetry-otel-bench-${process.pid}-${++sequence}`;
  mkdirSync(group);
  live.add(group);
  try {
    writeFileSync(`${group}/memory.limit_in_bytes`, String(sizeMB * BYTES_PER_MB));
  } catch (error) {
    removeGroup(group);
    throw error;
  }
  return group;
}

let problem: string | null | undefined;

/**
 * Null when memory cgroups work here (once: a probe group is created and limited, a shell
 * joins it, and it is removed), else why not: then every measurement runs unconfined, and the
 * report says so. BENCH_CGROUPS=0 asks for that (to compare with the machine's memory).
 */
export function cgroupProblem(): string | null {
  problem ??= process.env['BENCH_CGROUPS'] === '0' ? 'turned off with BENCH_CGROUPS=0' : probe();
  return problem;
}

function probe(): string | null {
  try {
    const group = createGroup(128);
    const joined = spawnSync('/bin/sh', ['-c', joinLine(group)], { encoding: 'utf8' });
    const left = removeGroup(group);
    if (joined.status !== 0) return `a process cannot join a memory cgroup here: ${joined.stderr.trim() || `exit ${joined.status}`}`;
    return left === null ? null : `could not remove the probe group ${group}: ${left}`;
  } catch (error) {
    return `cannot create a memory cgroup under ${MEMORY_ROOT}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Last resort when the benchmark exits early: the groups still there, emptied and removed. */
export function removeLeftoverGroups(): string[] {
  return [...live].filter((group) => removeGroup(group) !== null);
}

const UNCONFINED = (sizeMB: number): Confinement => ({ sizeMB, executable: (path) => path, command: (file, args) => ({ file, args: [...args] }) });

/**
 * Runs `measure` with a fresh group of `sizeMB` (unconfined where {@link cgroupProblem} says
 * so), then removes the group and its wrappers, also when `measure` fails. Resolves with what
 * it measured and the group's usage, read once its processes are gone.
 */
export async function inMemoryGroup<T>(sizeMB: number, measure: (where: Confinement) => Promise<T>): Promise<{ result: T; usage: GroupUsage | null }> {
  if (cgroupProblem() !== null) return { result: await measure(UNCONFINED(sizeMB)), usage: null };
  const group = createGroup(sizeMB);
  const wrappers = mkdtempSync(join(tmpdir(), 'lto-bench-cgroup-'));
  const where: Confinement = {
    sizeMB,
    executable(path) {
      const wrapper = join(wrappers, basename(path));
      writeFileSync(wrapper, `#!/bin/sh\n# Joins a benchmark's memory cgroup, then becomes the extension (same pid).\n${joinLine(group)}\nexec ${quote(path)} "$@"\n`);
      chmodSync(wrapper, 0o755);
      return wrapper;
    },
    command: (file, args) => ({ file: '/bin/sh', args: ['-c', `${joinLine(group)}; exec "$0" "$@"`, file, ...args] }),
  };
  try {
    const result = await measure(where);
    // A process that just exited may still be listed for a moment.
    for (const until = performance.now() + EMPTY_WAIT_MS; pidsOf(group).length > 0 && performance.now() < until; ) await sleep(5);
    return { result, usage: readUsage(group) };
  } catch (error) {
    const { oomKills } = readUsage(group);
    if (oomKills === 0) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message} (the kernel OOM-killed ${oomKills} process(es) of the ${sizeMB} MB cgroup)`, { cause: error });
  } finally {
    rmSync(wrappers, { recursive: true, force: true });
    let left = removeGroup(group);
    for (const until = performance.now() + EMPTY_WAIT_MS; left !== null && performance.now() < until; left = removeGroup(group)) await sleep(10);
    if (left !== null) process.stderr.write(`bench: could not remove the memory cgroup ${group}: ${left}\n`);
  }
}

/**
 * What /proc says about a process: CPU time in nanoseconds, summed over its threads from
 * `/proc/<pid>/task/<tid>/schedstat` (nanosecond resolution, unlike the 10 ms clock ticks of
 * `/proc/<pid>/stat`), and resident memory, private (RssAnon) and in all, from `/proc/<pid>/status`.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Scheduler times of a process, summed over its live threads, in ms. */
export interface SchedTimes {
  /** On a CPU (user + system). */
  readonly cpuMs: number;
  /** Runnable but waiting for a CPU: what other load on the machine cost it. */
  readonly waitMs: number;
}

/** Null when the process is gone. */
export function sched(pid: number): SchedTimes | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let cpuNs = 0;
  let waitNs = 0;
  for (const tid of tids) {
    try {
      // "<ns on a CPU> <ns waiting on a run queue> <timeslices>"
      const [onCpu, waiting] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ');
      cpuNs += Number(onCpu);
      waitNs += Number(waiting);
    } catch {
      // The thread exited between the listing and the read: its time is lost either way.
    }
  }
  return { cpuMs: cpuNs / 1e6, waitMs: waitNs / 1e6 };
}

/** CPU time (user + system) of every live thread of `pid`, in ms; null when the process is gone. */
export function cpuMs(pid: number): number | null {
  return sched(pid)?.cpuMs ?? null;
}

/** Memory figures of `/proc/<pid>/status`, in MiB. */
export interface Memory {
  /** Resident set size now. */
  readonly rssMiB: number;
  /** Peak resident set size (VmHWM). */
  readonly hwmMiB: number;
  /**
   * Private (anonymous) resident memory now (RssAnon): heap, stacks, malloc. The node binary's
   * and libraries' pages (RssFile) are shared with the function's own node on Node runtimes.
   */
  readonly anonMiB: number;
}

function statusKiB(status: string, field: string): number {
  const at = status.indexOf(`${field}:`);
  if (at === -1) return Number.NaN;
  return Number.parseInt(status.slice(at + field.length + 1, status.indexOf('\n', at)).trim(), 10);
}

/** Null when the process is gone. */
export function memory(pid: number): Memory | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  return { rssMiB: statusKiB(status, 'VmRSS') / 1024, hwmMiB: statusKiB(status, 'VmHWM') / 1024, anonMiB: statusKiB(status, 'RssAnon') / 1024 };
}

/** The one-letter state of `/proc/<pid>/stat` (`T` when stopped), null when gone. */
export function state(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2);
  } catch {
    return null;
  }
}

/** Whether per-thread schedstat exists on this kernel (CONFIG_SCHED_INFO). */
export function hasSchedstat(): boolean {
  try {
    readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8');
    return true;
  } catch {
    return false;
  }
}

/** Pids of this process's children (`/proc/self/task/<tid>/children`). */
export function childPids(): Set<number> {
  const pids = new Set<number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      for (const pid of readFileSync(`/proc/self/task/${tid}/children`, 'utf8').trim().split(' ')) if (pid !== '') pids.add(Number(pid));
    } catch {
      // thread gone
    }
  }
  return pids;
}

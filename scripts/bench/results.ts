/** Everything one `npm run bench` measured, as the report renders it. */
import type { BackendDownRun, BackendDownVariant } from './backend-down.ts';
import type { ColdStart } from './cold-start.ts';
import type { GrowthResult } from './memory-growth.ts';
import type { OverheadRun, OverheadVariant } from './invoke-overhead.ts';
import type { RelayResults } from './relay.ts';
import type { LayerSize } from './size.ts';
import type { ThroughputResults } from './throughput.ts';

export interface Machine {
  readonly nproc: number;
  readonly cpuModel: string;
  /** The node the layer and the baselines ran on. */
  readonly node: string;
  /** The node of the benchmark script itself. */
  readonly runner: string;
  readonly kernel: string;
  /** /proc/loadavg (1, 5, 15 min) before and after the run. */
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly extraCaCerts: 'left out' | 'passed to every measured process' | 'not set on this machine';
  /** Null when every measured process ran in a memory cgroup of its function size; else why not. */
  readonly cgroupProblem: string | null;
}

export interface Results {
  readonly date: string;
  readonly quick: boolean;
  readonly elapsedMs: number;
  readonly machine: Machine;
  /** At 128 MB, then at 1 769 MB. */
  readonly cold: readonly ColdStart[];
  readonly overhead: Readonly<Record<OverheadVariant, OverheadRun>>;
  readonly backendDown: Readonly<Record<BackendDownVariant, BackendDownRun>>;
  readonly throughput: ThroughputResults;
  readonly growth: GrowthResult;
  readonly relay: RelayResults;
  readonly size: LayerSize;
}

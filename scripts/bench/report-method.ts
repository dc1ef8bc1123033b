/** The static "Method and caveats" section of BENCHMARKS.md: how every figure is taken. */
export const METHOD = `## Method and caveats

- **Memory as Lambda sizes it.** Every measured process (the layer, the minimal telemetry
  extension, \`node -e 0\`, the JSON.parse baselines) runs in a memory cgroup (v1) of its own with
  the function's memory as limit: 128 MB, and for the cold starts and the one-vCPU throughput
  rows 1 769 MB (Lambda's MB are MiB). Node sizes its heap, young generation included, from that
  limit, as it does on Lambda. A process joins before node starts: the sandbox spawns a wrapper
  in a temporary folder with the extension's own file name (\`lambda-telemetry-otel\`), a
  \`/bin/sh\` that writes its pid (\`$$\`) to the group's \`cgroup.procs\` and \`exec\`s the real
  executable, so pid and /proc figures are the extension's; \`node -e 0\` starts through the same
  shell. That shell is in every variant's wall and CPU time alike. The group's peak charge
  (\`memory.max_usage_in_bytes\`, page cache it faulted in included) and its OOM kills
  (\`memory.oom_control\`) are read once its processes are gone; then it is removed. The CPU is
  not limited: at 128 MB Lambda gives about 7 % of a vCPU, so wall times there are this
  machine's, not Lambda's; CPU times are what the function's share pays.
- **Private memory** is \`RssAnon\` of \`/proc/<pid>/status\` (heap, stacks, malloc), sampled every
  5 ms under load (20 ms in the growth run) and read at points: the first \`event/next\`, idle
  (frozen after invocation 2, when invocation 1 is exported), after forced GCs. The node binary's
  and libraries' pages (\`RssFile\`, in VmRSS and VmHWM) are shared with the function's own node on
  the Node runtimes, so RssAnon is what the extension adds to "Max Memory Used". VmHWM is shown
  beside it.
- **Baseline.** The minimal telemetry extension
  (\`test/sandbox/fixtures/minimal-telemetry-extension.mjs\`) registers, listens on 127.0.0.1,
  subscribes to the Telemetry API with the layer's types and buffering, parses and drops every
  batch, and loops on \`event/next\`; it loads node:http with \`createRequire\` (an ESM import of
  it on Node 22 and later builds the export facade, which loads undici, tls and http2).
- **Same environment for every process.** \`node -e 0\` and both extensions get the sandbox's
  environment (PATH, HOME, LANG and the Lambda variables). NODE_EXTRA_CA_CERTS, set on this
  machine and worth about 35 ms of CPU at every Node start, is left out of all of them, as on
  Lambda (\`BENCH_KEEP_EXTRA_CA_CERTS=1\` passes it to all of them instead).
- **CPU** is user + system time of every thread of the process, from
  \`/proc/<pid>/task/<tid>/schedstat\` (nanoseconds; \`/proc/<pid>/stat\` counts 10 ms ticks).
  It is read at each variant's point: \`node -e 0\` runs \`process.kill(process.pid,'SIGSTOP')\`
  as its script and is read once seen stopped (polled every millisecond, so its wall time is
  ±1 ms); the extensions are read when the sandbox sees every extension's first
  \`event/next\` (init done), before it freezes them. Both extensions are started through their
  executable as Lambda would (\`/bin/sh\` launcher for the layer, \`#!/usr/bin/env node\` for the
  minimal one), which \`node -e 0\` does not pay. Variants and sizes are interleaved run by run,
  order rotated; medians.
- **Per-invocation overhead** is taken from the sandbox's report: INVOKE→next is from the
  sandbox answering the pending \`event/next\` with INVOKE to the extension's next call arriving,
  so it includes the HTTP round trip through the sandbox, which runs in the benchmark process
  together with the receiver, and the telemetry deliveries, which both extensions take. The
  minimal telemetry extension's figure is that floor. Freeze is off and invocations run back
  to back (2 ms runtime, one log line), so telemetry deliveries and exports overlap the next
  invocations as they would under load. In \`end\` mode the extension waits by design for the
  invocation's \`platform.runtimeDone\`, which the Telemetry API delivers after its buffering
  time (25 ms here), then exports.
- **Throughput** runs the built layer in the sandbox (freeze off), loads its SDK with one real
  invocation, then POSTs pre-built bodies straight to its listener on 127.0.0.1, one at a time,
  as Lambda does, with the layer's defaults (the listener holds its answer while the export
  queues are more than an eighth full, so a burst waits instead of being refused). (3b) comes in the
  batches the layer subscribes with by default (1 000 events), since a max-size batch holds
  3 333 invocations, i.e. 13 332 spans (see the loss table for what a burst of those does). The
  warm-up invocation adds its own 5 spans to every run's counts. The receiver answers 200 and
  counts items by walking the protobuf wire format, so nothing is decoded into objects on the
  receiving side. CPU per event is the layer's CPU over the run (SHUTDOWN export included)
  divided by the events; the JSON.parse, \`decode()\` and correlator baselines run on the same
  bodies in a child process on the same node, in a cgroup of the same size
  (\`scripts/bench/parse-baselines.ts\`).
- **Growth** POSTs synthetic invocations straight to the layer's listener instead of invoking
  through the sandbox (which would take minutes), and only for that run preloads
  \`scripts/bench/gc-on-signal.mjs\` (\`--expose-gc\`, a GC and a memory report on SIGUSR2) so
  that readings compare live memory (through \`LAMBDA_OTEL_NODE_OPTIONS\`, which the launcher
  passes to node).
- **Relay** (5) runs the simulated function (\`scripts/bench/relay-function.ts\`, on the same
  node) and, in the baseline, the minimal receiver (\`scripts/bench/minimal-otlp-receiver.mjs\`)
  as processes of their own in the layer's 128 MB cgroup, as on Lambda, where the function and
  its extensions share one memory limit; only the layer's CPU and memory are read. The layer
  runs with \`LAMBDA_OTEL_FLUSH=periodic,10000\` as in (2), so the relay sends a batch each time
  16 of the function's requests are queued, and the rest at SHUTDOWN. Its CPU is read before and
  after invocation 1 from schedstat, and through SHUTDOWN from the last 5 ms sample before the
  process exits, in both runs alike. The function's handler runs in the sandbox's runtime phase
  (\`InvocationSpec.handler\`), so the runtime answers after the export, as on Lambda. The sink
  notes every span id: a relayed span that does not arrive exactly once, or a root that arrives
  without its invocation span as parent, fails the benchmark.
- **Noise.** Wall times depend on what else runs: see the load average above. CPU times and
  the ratios between variants measured in the same run are the robust figures.`;

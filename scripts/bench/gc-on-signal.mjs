// Preloaded (LAMBDA_OTEL_NODE_OPTIONS=--expose-gc --import=...) into the extension for the memory growth
// run only: on SIGUSR2 it collects garbage and prints the process's memory on stderr, so that
// readings after 1 000 and after 100 000 invocations compare live memory, not GC timing.
// Node's signal handlers do not keep the process alive.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  process.stderr.write(`BENCH_MEMORY ${JSON.stringify({ rss, heapUsed, heapTotal, external, arrayBuffers })}\n`);
});

// Preloaded (LAMBDA_OTEL_NODE_OPTIONS=--expose-gc --import=...) into the extension for the memory growth
// run only: on SIGUSR2 it collects garbage and prints the process's memory on stderr, so that
// readings after 1 000 and after 100 000 invocations compare live memory, not GC timing.
// Node's signal handlers do not keep the process alive.
//
// Two readings per signal. First after a full GC, as issue 16 measures. Then after V8's
// last-resort GC (CollectAllAvailableGarbage, memory-reducing): the heap pages a full GC empties go
// to a pool of V8's for reuse and stay resident; only a memory-reducing GC hands them back, and in
// a small heap nothing else runs one (the memory reducer waits for committed-heap growth that a
// 10 MiB heap never shows). The difference between the two readings is that pool.
import { readFileSync } from 'node:fs';

/** RssAnon of this process in bytes, read at once (the bench's /proc reading comes after both GCs). */
function privateBytes() {
  const match = /^RssAnon:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match === null ? Number.NaN : Number(match[1]) * 1024;
}

process.on('SIGUSR2', () => {
  globalThis.gc?.();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  const anon = privateBytes();
  globalThis.gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  const anonReduced = privateBytes();
  const heapTotalReduced = process.memoryUsage().heapTotal;
  process.stderr.write(`BENCH_MEMORY ${JSON.stringify({ rss, heapUsed, heapTotal, external, arrayBuffers, anon, anonReduced, heapTotalReduced })}\n`);
});

/**
 * Does undici's pooled client lower the CPU of an export request against the exporters'
 * node:http transport (issue 16)? Each client (export-transport-client.ts) runs on the node
 * being measured in a 128 MB memory cgroup, sending the same exports to the bench's OTLP sink;
 * variants interleaved run by run, medians printed. Not part of `npm run bench`: the figures
 * are recorded in README.md ("Why node:http").
 *   node --import tsx scripts/bench/export-transport.ts [node major] [runs] [requests] [bytes]
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { delimiter, dirname } from 'node:path';
import { inMemoryGroup } from './cgroup.ts';
import { ROOT, SMALL_MB } from './environment.ts';
import { startOtlpSink } from './otlp-sink.ts';
import { median } from './stats.ts';

const [major = '24', runsText = '5', requests = '500', bytes = '150000'] = process.argv.slice(2);
const node = execFileSync(process.execPath, [`${ROOT}scripts/node-binaries.mjs`, major], { encoding: 'utf8' }).trim();
process.env['PATH'] = `${dirname(node)}${delimiter}${process.env['PATH'] ?? ''}`;

interface ClientFigures {
  readonly cpuUsPerRequest: number;
  readonly anonMiB: number;
}

const sink = await startOtlpSink();
const variants = ['sdk', 'undici', 'fetch'] as const;
const figures = new Map<string, ClientFigures[]>(variants.map((v) => [v, []]));
for (let run = 0; run < Number(runsText); run++) {
  for (const variant of variants) {
    const { result } = await inMemoryGroup(SMALL_MB, async (where) => {
      const { file, args } = where.command('node', ['--import', 'tsx', `${ROOT}scripts/bench/export-transport-client.ts`, variant, sink.url, requests, bytes]);
      // Not execFileSync: the sink answering the client runs in this process.
      const { stdout } = await promisify(execFile)(file, args, { cwd: ROOT, encoding: 'utf8' });
      return JSON.parse(stdout) as ClientFigures;
    });
    figures.get(variant)!.push(result);
  }
}
await sink.close();
const sdk = median(figures.get('sdk')!.map((f) => f.cpuUsPerRequest));
console.log(`Node ${major}: ${requests} exports of ${bytes} bytes per run, two in flight, ${runsText} runs, 128 MB cgroup; medians`);
console.log('| transport | CPU per request (µs) | vs node:http | private MiB after |');
console.log('| --- | ---: | ---: | ---: |');
for (const [variant, runs] of figures) {
  const perRequest = median(runs.map((f) => f.cpuUsPerRequest));
  console.log(`| ${variant} | ${perRequest.toFixed(0)} | ${(perRequest / sdk).toFixed(2)}x | ${median(runs.map((f) => f.anonMiB)).toFixed(1)} |`);
}

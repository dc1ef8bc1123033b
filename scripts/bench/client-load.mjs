#!/usr/bin/env node
// What each HTTP client costs to load and use once, as whole-process CPU time (user+sys,
// from process.cpuUsage() at exit) relative to `node -e 0` measured in the same run.
// Each variant makes one request to a closed local port, so loading and first use count.
import { spawnSync } from 'node:child_process';

const RUNS = Number(process.env.RUNS ?? 15);
const report = "process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('CPU '+(u.user+u.system)+'\\n')});";
const variants = {
  'node -e 0 (floor)': report,
  'node:http': `${report} const h=await import('node:http'); await new Promise(r=>h.request('http://127.0.0.1:9/').on('error',r).end());`,
  'fetch (built-in)': `${report} await fetch('http://127.0.0.1:9/').catch(()=>{});`,
};

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const results = {};
for (let run = 0; run < RUNS; run++) {
  // Interleave the variants so that machine noise hits them alike.
  for (const [name, code] of Object.entries(variants)) {
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
    const match = /CPU (\d+)/.exec(out.stderr);
    if (!match) throw new Error(`${name}: no CPU figure in ${out.stderr}`);
    (results[name] ??= []).push(Number(match[1]) / 1000);
  }
}
const floor = median(results['node -e 0 (floor)']);
console.log(`median of ${RUNS} runs, CPU ms (user+sys) and ratio to node -e 0; NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'unset'}`);
for (const [name, values] of Object.entries(results)) {
  const m = median(values);
  console.log(`${name.padEnd(20)} ${m.toFixed(1).padStart(7)} ms  ${(m / floor).toFixed(2)}x`);
}

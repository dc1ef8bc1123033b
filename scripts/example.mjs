#!/usr/bin/env node
// `npm run example -- <name> [--invocations N]`: runs examples/<name> in the local Lambda sandbox.
// forward-report-metrics gets a local endpoint that prints what it receives, unless
// REPORT_METRICS_URL is set.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [name, ...rest] = process.argv.slice(2);
const invocations = Number(rest[rest.indexOf('--invocations') + 1] ?? 3) || 3;
const examples = readdirSync(new URL('../examples/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const extension = fileURLToPath(new URL(`../examples/${name}/extensions/${name}`, import.meta.url));
if (!name || !examples.includes(name) || !existsSync(extension)) {
  console.error(`${name ? `no example "${name}"; ` : ''}usage: npm run example -- <${examples.join('|')}> [--invocations N]`);
  process.exit(2);
}

// The examples and this runner import the package by name, that is dist/lib: the layer is not needed.
const built = spawnSync(process.execPath, [fileURLToPath(new URL('./build.mjs', import.meta.url)), '--lib'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
const { runScenario } = await import('lambda-telemetry-otel/sandbox');

const env = {};
let server = null;
if (name === 'forward-report-metrics' && !process.env.REPORT_METRICS_URL) {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      console.log(`endpoint received: ${body}`);
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  env.REPORT_METRICS_URL = `http://127.0.0.1:${server.address().port}/reports`;
} else if (process.env.REPORT_METRICS_URL) {
  env.REPORT_METRICS_URL = process.env.REPORT_METRICS_URL;
}

const report = await runScenario({
  extensions: [extension],
  env,
  stdio: 'inherit',
  scenario: { invocations: Array.from({ length: invocations }, (_, i) => ({ durationMs: 20, logs: [`hello from invocation ${i + 1}`], gapMs: i === 0 ? 0 : 100 })) },
});
server?.close();
const exit = report.extensions[0]?.exit;
console.log(`\n${name}: ${report.invocations.length} invocations, exit code ${exit?.code}${exit?.killed ? ' (killed at the deadline)' : ''}`);
process.exitCode = exit?.code === 0 ? 0 : 1;

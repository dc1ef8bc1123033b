#!/usr/bin/env node
// `npm run example -- <name> [--invocations N]`: runs examples/<name> in the local Lambda sandbox.
// forward-report-metrics gets a local endpoint that prints what it receives, unless
// REPORT_METRICS_URL is set.
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runScenario } from 'lambda-telemetry-otel/sandbox';

const [name, ...rest] = process.argv.slice(2);
const invocations = Number(rest[rest.indexOf('--invocations') + 1] ?? 3) || 3;
const extension = fileURLToPath(new URL(`../examples/${name}/extensions/${name}`, import.meta.url));
if (!name || !existsSync(extension)) {
  console.error(`usage: npm run example -- <log-every-event|forward-report-metrics> [--invocations N]`);
  process.exit(2);
}

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

/**
 * (2b) What a down backend costs each invocation. The layer in `end` flush mode runs
 * `SIZES.backendDownInvocations` invocations (freeze on, 2 ms runtime, one log line each)
 * against the local sink and against a port where nothing listens (connection refused), and
 * in `periodic,10000` mode against the sink: the target says that with the backend down an
 * invocation costs within a few ms of a healthy periodic one. Post-runtime duration as the
 * sandbox reports it (what Lambda bills after the runtime's response). In a 128 MB memory cgroup.
 */
import { startSandbox } from '../../src/sandbox/index.ts';
import { freePort } from '../free-port.ts';
import { inMemoryGroup } from './cgroup.ts';
import { EXTENSION, SIZES, SMALL_MB, measuredEnv } from './environment.ts';
import type { OtlpSink } from './otlp-sink.ts';

export type BackendDownVariant = 'end, backend up' | 'end, backend refusing' | 'periodic, backend up';

export interface BackendDownRun {
  readonly postRuntimeMs: number[];
}

async function run(endpoint: string, flush: string): Promise<BackendDownRun> {
  const env = measuredEnv({ LAMBDA_OTEL_LISTENER_PORT: String(await freePort()), LAMBDA_OTEL_RECEIVER: String(await freePort()), OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, LAMBDA_OTEL_FLUSH: flush });
  const { result } = await inMemoryGroup(SMALL_MB, async (where) => {
    const sandbox = await startSandbox({ extensions: [where.executable(EXTENSION)], env, function: { memorySizeMB: where.sizeMB } });
    const postRuntimeMs: number[] = [];
    for (let i = 1; i <= SIZES.backendDownInvocations; i++) {
      postRuntimeMs.push((await sandbox.invoke({ durationMs: 2, logs: [`invocation ${i} done`] })).postRuntimeDurationMs);
    }
    const report = await sandbox.shutdown({ shutdownMs: 2000 });
    if (report.extensions[0]!.exit?.code !== 0) throw new Error(`the layer did not exit cleanly: ${report.extensions[0]!.stderr}`);
    return { postRuntimeMs };
  });
  return result;
}

export async function measureBackendDown(sink: OtlpSink, log: (line: string) => void): Promise<Record<BackendDownVariant, BackendDownRun>> {
  const up = await run(sink.url, 'end');
  const refusing = await run(`http://127.0.0.1:${await freePort()}`, 'end');
  const periodic = await run(sink.url, 'periodic,10000');
  log(`backend down: ${SIZES.backendDownInvocations} invocations per variant`);
  return { 'end, backend up': up, 'end, backend refusing': refusing, 'periodic, backend up': periodic };
}

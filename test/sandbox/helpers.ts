/**
 * Shared helpers of the sandbox tests: fixture paths, temp files, JSON-line records and raw
 * HTTP calls to the emulated API.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TelemetryEvent } from '../../src/telemetry/events.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** Path of a fixture extension executable. */
export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** A temp directory removed by `cleanup()`. */
export function tempDir(): { readonly path: string; file(name: string): string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), 'sandbox-test-'));
  return { path, file: (name) => join(path, name), cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** One line written by the recording extension. */
export interface RecordLine {
  readonly kind: 'env' | 'register' | 'subscribe' | 'batch' | 'refused-batch' | 'event' | 'exit' | 'said';
  readonly atEpochMs: number;
  readonly events?: TelemetryEvent[];
  readonly bytes?: number;
  readonly host?: string;
  readonly contentType?: string;
  readonly eventType?: string;
  readonly requestId?: string | null;
  readonly event?: Record<string, unknown>;
  readonly env?: Record<string, string>;
  readonly status?: number;
  readonly schemaVersion?: string;
  /** `register` / `subscribe` lines of the LMI extension: the answer's raw body. */
  readonly body?: string;
  readonly contentLength?: string;
  /** `said` lines of the chatty extension: what it wrote where, just before writing it. */
  readonly stream?: 'stdout' | 'stderr';
  readonly text?: string;
}

/** Reads the JSON lines of a recording file (empty when absent). */
export function readRecords(path: string): RecordLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as RecordLine);
}

/** Every event of every received batch, in arrival order. */
export function receivedEvents(records: readonly RecordLine[]): TelemetryEvent[] {
  return records.flatMap((line) => (line.kind === 'batch' ? (line.events ?? []) : []));
}

/** A raw HTTP call to `runtimeApi`; resolves status, headers and parsed JSON body. */
export function rawCall(
  runtimeApi: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: Record<string, unknown>; json: unknown }> {
  const [host, port] = runtimeApi.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text === '' ? null : (JSON.parse(text) as unknown) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** State letter of /proc/<pid>/stat (`T` = stopped), null when unreadable. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

/**
 * The function configuration with defaults applied, and the environment Lambda gives an
 * extension process.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
import { randomBytes } from 'node:crypto';
import type { SandboxFunctionOptions } from './types.ts';

/** Function configuration with every default applied. */
export interface FunctionConfig {
  readonly name: string;
  readonly version: string;
  readonly memorySizeMB: number;
  readonly timeoutMs: number;
  readonly region: string;
  readonly accountId: string;
  readonly handler: string;
  readonly logStreamName: string;
  readonly initializationType: string;
  readonly initDurationMs: number | null;
}

/** Runtime the sandbox claims to be, as `AWS_EXECUTION_ENV`. */
export const EXECUTION_ENV = 'AWS_Lambda_nodejs24.x';
/** `runtimeVersion` of platform.initStart. */
export const RUNTIME_VERSION = 'nodejs:20.v0.sandbox';

function defaultLogStreamName(version: string): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[${version}]${randomBytes(16).toString('hex')}`;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`function.${name} must be a positive number`);
  return value;
}

/** Applies defaults; throws RangeError on a non-positive size or timeout. */
export function resolveFunctionConfig(options: SandboxFunctionOptions | undefined): FunctionConfig {
  const o = options ?? {};
  const version = o.version ?? '$LATEST';
  return {
    name: o.name ?? 'sandbox-function',
    version,
    memorySizeMB: positive(o.memorySizeMB, 128, 'memorySizeMB'),
    timeoutMs: positive(o.timeoutMs, 3000, 'timeoutMs'),
    region: o.region ?? 'us-east-1',
    accountId: o.accountId ?? '123456789012',
    handler: o.handler ?? 'index.handler',
    logStreamName: o.logStreamName ?? defaultLogStreamName(version),
    initializationType: o.initializationType ?? 'on-demand',
    initDurationMs: o.initDurationMs ?? null,
  };
}

/** The unqualified ARN Lambda puts in INVOKE events. */
export function functionArn(fn: FunctionConfig): string {
  return `arn:aws:lambda:${fn.region}:${fn.accountId}:function:${fn.name}`;
}

/** A clean Lambda-like environment: PATH, HOME and LANG of `parentEnv`, `extra` applied last. */
export function buildLambdaEnv(
  fn: FunctionConfig,
  runtimeApi: string,
  parentEnv: Readonly<Record<string, string | undefined>>,
  extra: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG'] as const) {
    const value = parentEnv[name];
    if (value !== undefined) env[name] = value;
  }
  env['AWS_LAMBDA_RUNTIME_API'] = runtimeApi;
  env['AWS_LAMBDA_FUNCTION_NAME'] = fn.name;
  env['AWS_LAMBDA_FUNCTION_VERSION'] = fn.version;
  env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'] = String(fn.memorySizeMB);
  env['AWS_REGION'] = fn.region;
  env['AWS_DEFAULT_REGION'] = fn.region;
  env['AWS_LAMBDA_LOG_STREAM_NAME'] = fn.logStreamName;
  env['AWS_LAMBDA_LOG_GROUP_NAME'] = `/aws/lambda/${fn.name}`;
  env['AWS_LAMBDA_INITIALIZATION_TYPE'] = fn.initializationType;
  env['AWS_EXECUTION_ENV'] = EXECUTION_ENV;
  env['TZ'] = ':UTC';
  if (extra !== undefined) Object.assign(env, extra);
  return env;
}

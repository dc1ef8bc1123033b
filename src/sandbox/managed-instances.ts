/**
 * Lambda Managed Instances (LMI) mode: its options, the environment it adds, and the exact
 * answers its Extensions and Telemetry APIs give where on-demand ones differ. The bodies are
 * byte for byte those of AWS's runtime emulator in LMI mode (see README, Sandbox reference).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-execution-environment.html
 */
import { createHash, randomBytes } from 'node:crypto';
import { MANAGED_INSTANCES } from '../lambda/environment.ts';
import { MANAGED_INSTANCES_SCHEMA } from '../telemetry/constants.ts';
import type { ApiReply } from './http-io.ts';
import type { SandboxOptions } from './types.ts';

/** Lambda's Node.js default: 64 concurrent requests per vCPU, and the smallest LMI function has one. */
export const DEFAULT_MAX_CONCURRENCY = 64;
/** Upper bound of `PerExecutionEnvironmentMaxConcurrency`. */
const MAX_CONCURRENCY_LIMIT = 1600;
/** The smallest LMI function: 2 GB, 1 vCPU. */
export const MANAGED_INSTANCES_MEMORY_SIZE_MB = 2048;
/** LMI needs Node.js 22 or later. */
const EXECUTION_ENV = 'AWS_Lambda_nodejs22.x';
/** `runtimeVersion` of platform.initStart. */
export const MANAGED_INSTANCES_RUNTIME_VERSION = 'nodejs:22.v0.sandbox';

// Go's JSON encoder ends the body with a newline: the emulator's 403 is 90 bytes, not 89.
const INVOKE_REFUSAL_BODY = '{"errorMessage":"INVOKE: ErrorInvalidEventType","errorType":"Extension.InvalidEventType"}\n';
// Not valid JSON: the emulator formats the enum value into the message unescaped.
const SCHEMA_REFUSAL_BODY =
  '{"errorType": "ValidationError", "errorMessage": "schema validation error: jsonschema: ' +
  "'/schemaVersion' does not validate with file:///var/task/telemetry-subscription-schema.json" +
  '#/properties/schemaVersion/enum: value must be "2025-01-29""}';

/** LMI settings of one sandbox. */
export interface ManagedInstancesConfig {
  readonly maxConcurrency: number;
  /** `instanceId` of platform.initStart: an EC2 instance id. */
  readonly instanceId: string;
  readonly runtimeVersionArn: string;
}

/** Validates the LMI options; null when the mode is off. Throws RangeError on a conflict. */
export function resolveManagedInstances(options: SandboxOptions): ManagedInstancesConfig | null {
  if (options.managedInstances !== true) {
    if (options.maxConcurrency !== undefined) throw new RangeError('options.maxConcurrency needs managedInstances: true');
    return null;
  }
  if (options.freeze === true) throw new RangeError('a Managed Instances environment is never frozen: drop freeze: true');
  const type = options.function?.initializationType;
  if (type !== undefined && type !== MANAGED_INSTANCES) {
    throw new RangeError(`function.initializationType is ${MANAGED_INSTANCES} with managedInstances`);
  }
  if (options.telemetryApi?.supportedSchemaVersions !== undefined) {
    throw new RangeError(`managedInstances accepts schema ${MANAGED_INSTANCES_SCHEMA} only: drop supportedSchemaVersions`);
  }
  const maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > MAX_CONCURRENCY_LIMIT) {
    throw new RangeError(`options.maxConcurrency must be an integer from 1 to ${MAX_CONCURRENCY_LIMIT}`);
  }
  const region = options.function?.region ?? 'us-east-1';
  const runtimeHash = createHash('sha256').update(MANAGED_INSTANCES_RUNTIME_VERSION).digest('hex');
  return {
    maxConcurrency,
    instanceId: `i-${randomBytes(9).toString('hex').slice(0, 17)}`,
    runtimeVersionArn: `arn:aws:lambda:${region}::runtime:${runtimeHash}`,
  };
}

/** Variables an LMI environment adds to (or changes in) the Lambda env. */
export function managedInstancesEnv(config: ManagedInstancesConfig | null): Record<string, string> {
  if (config === null) return {};
  return { AWS_LAMBDA_MAX_CONCURRENCY: String(config.maxConcurrency), AWS_EXECUTION_ENV: EXECUTION_ENV };
}

/** The 403 an LMI environment answers to a registration that asks for INVOKE. */
export function invokeRefusal(): ApiReply {
  return { statusCode: 403, body: INVOKE_REFUSAL_BODY, raw: true };
}

/** The 400 an LMI environment answers to a subscription with another schema version. */
export function schemaRefusal(): ApiReply {
  return { statusCode: 400, body: SCHEMA_REFUSAL_BODY, raw: true };
}

/** A successful LMI reply: the JSON of `body` with the emulator's trailing newline. */
export function managedInstancesJsonReply(reply: ApiReply): ApiReply {
  return reply.raw === true ? reply : { ...reply, body: `${JSON.stringify(reply.body)}\n`, raw: true };
}

/**
 * The OpenTelemetry resource of everything this extension exports: the function, from the
 * Lambda environment and the registration, merged with `OTEL_RESOURCE_ATTRIBUTES`;
 * `OTEL_SERVICE_NAME` wins for `service.name`, else the function name.
 *
 * Not the Lambda detector of `@opentelemetry/resource-detector-aws` (3.0.0): it reads
 * `process.env` itself and detects nothing unless `AWS_EXECUTION_ENV` starts with `AWS_Lambda_`,
 * which Lambda does not set on the OS-only runtimes (`provided.al2023`) the standalone layer runs
 * on; nor does it know the account id (from the registration) or the Managed Instances memory.
 */
import { detectResources, resourceAttributesEnvDetector, resourceFromAttributes } from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import {
  ATTR_CLOUD_ACCOUNT_ID,
  ATTR_CLOUD_PLATFORM,
  ATTR_CLOUD_PROVIDER,
  ATTR_CLOUD_REGION,
  ATTR_FAAS_INSTANCE,
  ATTR_FAAS_MAX_MEMORY,
  ATTR_FAAS_NAME,
  ATTR_FAAS_VERSION,
  CLOUD_PLATFORM_VALUE_AWS_LAMBDA,
  CLOUD_PROVIDER_VALUE_AWS,
} from '@opentelemetry/semantic-conventions/incubating';
import type { LambdaEnvironment } from './config.ts';
import type { Registration } from '../lambda/extensions-api.ts';

/** Lambda's "MB" of memory are MiB. */
export const BYTES_PER_LAMBDA_MB = 1024 * 1024;

export interface ResourceInputs {
  readonly registration: Pick<Registration, 'functionName' | 'functionVersion' | 'accountId'>;
  readonly lambda: LambdaEnvironment;
  readonly serviceName: string | undefined;
  /** Managed Instances: the environment's memory from `platform.initStart`, in bytes. */
  readonly instanceMaxMemoryBytes?: number | undefined;
}

/** `OTEL_RESOURCE_ATTRIBUTES` is read from `process.env` by the SDK's detector (its value resolved at init: `otel-env.ts`). */
export function buildResource({ registration, lambda: env, serviceName, instanceMaxMemoryBytes }: ResourceInputs): Resource {
  const functionName = functionNameOf(registration, env);
  const lambda = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: functionName,
    [ATTR_CLOUD_PROVIDER]: CLOUD_PROVIDER_VALUE_AWS,
    [ATTR_CLOUD_PLATFORM]: CLOUD_PLATFORM_VALUE_AWS_LAMBDA,
    [ATTR_CLOUD_REGION]: env.region,
    [ATTR_CLOUD_ACCOUNT_ID]: registration.accountId,
    [ATTR_FAAS_NAME]: functionName,
    [ATTR_FAAS_VERSION]: registration.functionVersion || env.functionVersion,
    [ATTR_FAAS_INSTANCE]: env.logStreamName,
    [ATTR_FAAS_MAX_MEMORY]: instanceMaxMemoryBytes ?? (env.memorySizeMB === undefined ? undefined : env.memorySizeMB * BYTES_PER_LAMBDA_MB),
  });
  const fromEnv = detectResources({ detectors: [resourceAttributesEnvDetector] });
  const merged = lambda.merge(fromEnv);
  return serviceName === undefined ? merged : merged.merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }));
}

/** The function's name: from the registration, else the environment. */
export function functionNameOf(registration: Pick<Registration, 'functionName'>, env: LambdaEnvironment): string {
  return registration.functionName || env.functionName || 'unknown_function';
}

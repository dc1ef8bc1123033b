/**
 * The OpenTelemetry resource of everything this extension exports: the function, from the
 * Lambda environment and the registration, merged with `OTEL_RESOURCE_ATTRIBUTES`;
 * `OTEL_SERVICE_NAME` wins for `service.name`, else the function name.
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
import type { Registration } from '../lambda/extensions-api.ts';

/** Lambda's "MB" of memory are MiB. */
export const BYTES_PER_LAMBDA_MB = 1024 * 1024;

export interface ResourceInputs {
  readonly registration: Pick<Registration, 'functionName' | 'functionVersion' | 'accountId'>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly serviceName: string | undefined;
}

export function buildResource({ registration, env, serviceName }: ResourceInputs): Resource {
  const functionName = registration.functionName || env.AWS_LAMBDA_FUNCTION_NAME || 'unknown_function';
  const memoryMB = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  const lambda = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: functionName,
    [ATTR_CLOUD_PROVIDER]: CLOUD_PROVIDER_VALUE_AWS,
    [ATTR_CLOUD_PLATFORM]: CLOUD_PLATFORM_VALUE_AWS_LAMBDA,
    [ATTR_CLOUD_REGION]: env.AWS_REGION,
    [ATTR_CLOUD_ACCOUNT_ID]: registration.accountId,
    [ATTR_FAAS_NAME]: functionName,
    [ATTR_FAAS_VERSION]: registration.functionVersion || env.AWS_LAMBDA_FUNCTION_VERSION,
    [ATTR_FAAS_INSTANCE]: env.AWS_LAMBDA_LOG_STREAM_NAME,
    [ATTR_FAAS_MAX_MEMORY]: Number.isFinite(memoryMB) && memoryMB > 0 ? memoryMB * BYTES_PER_LAMBDA_MB : undefined,
  });
  const fromEnv = detectResources({ detectors: [resourceAttributesEnvDetector] });
  const merged = lambda.merge(fromEnv);
  return serviceName === undefined ? merged : merged.merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }));
}

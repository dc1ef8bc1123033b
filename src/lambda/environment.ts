/**
 * What Lambda puts in every extension's environment, as far as this package reads it.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */

/** Names of the variables Lambda sets. */
export const LAMBDA_ENV = {
  RUNTIME_API: 'AWS_LAMBDA_RUNTIME_API',
  FUNCTION_NAME: 'AWS_LAMBDA_FUNCTION_NAME',
  FUNCTION_VERSION: 'AWS_LAMBDA_FUNCTION_VERSION',
  FUNCTION_MEMORY_SIZE: 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  REGION: 'AWS_REGION',
  LOG_STREAM_NAME: 'AWS_LAMBDA_LOG_STREAM_NAME',
  INITIALIZATION_TYPE: 'AWS_LAMBDA_INITIALIZATION_TYPE',
} as const;

/** `AWS_LAMBDA_INITIALIZATION_TYPE` of a Lambda Managed Instances environment. */
export const MANAGED_INSTANCES = 'lambda-managed-instances';

/** Whether the environment says it is a Lambda Managed Instances one (no INVOKE events there). */
export function isManagedInstances(env: Readonly<Record<string, string | undefined>>): boolean {
  return env[LAMBDA_ENV.INITIALIZATION_TYPE] === MANAGED_INSTANCES;
}

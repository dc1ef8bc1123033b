/**
 * Names of the span and log record attributes this extension sets that
 * `@opentelemetry/semantic-conventions` does not define: Lambda's own figures under `aws.lambda.*`
 * (units in the name, as Lambda reports them), and this extension's under `lambda_otel.*`.
 */

/** `faas.invocation_id`, renamed `faas.invocation.id` in newer semantic conventions. */
export const ATTR_LEGACY_FAAS_INVOCATION_ID = 'faas.invocation_id';
/** `faas.execution`, the request id's name in older semantic conventions, still set by some instrumentations. */
export const ATTR_LEGACY_FAAS_EXECUTION = 'faas.execution';

/** `initializationType` of `platform.initStart`. */
export const ATTR_AWS_LAMBDA_INITIALIZATION_TYPE = 'aws.lambda.initialization_type';
/** `phase` of `platform.initStart`: `init`, or `invoke` when init is suppressed and re-run. */
export const ATTR_AWS_LAMBDA_PHASE = 'aws.lambda.phase';
/** `status` of the report or runtimeDone: `success`, `error`, `failure`, `timeout`. */
export const ATTR_AWS_LAMBDA_STATUS = 'aws.lambda.status';
/** Set only when an invocation or phase was exported without all its events: `evicted` or `shutdown`. */
export const ATTR_AWS_LAMBDA_COMPLETION = 'aws.lambda.completion';
export const ATTR_AWS_LAMBDA_RUNTIME_VERSION = 'aws.lambda.runtime_version';
export const ATTR_AWS_LAMBDA_RUNTIME_VERSION_ARN = 'aws.lambda.runtime_version_arn';
/** `version` of `platform.start`. */
export const ATTR_AWS_LAMBDA_FUNCTION_VERSION = 'aws.lambda.function_version';
export const ATTR_AWS_LAMBDA_DURATION_MS = 'aws.lambda.duration_ms';
export const ATTR_AWS_LAMBDA_BILLED_DURATION_MS = 'aws.lambda.billed_duration_ms';
export const ATTR_AWS_LAMBDA_MEMORY_SIZE_MB = 'aws.lambda.memory_size_mb';
export const ATTR_AWS_LAMBDA_MAX_MEMORY_USED_MB = 'aws.lambda.max_memory_used_mb';
export const ATTR_AWS_LAMBDA_INIT_DURATION_MS = 'aws.lambda.init_duration_ms';
export const ATTR_AWS_LAMBDA_RESTORE_DURATION_MS = 'aws.lambda.restore_duration_ms';
/** `metrics.durationMs` of `platform.runtimeDone`: the runtime's share of the invocation. */
export const ATTR_AWS_LAMBDA_RUNTIME_DURATION_MS = 'aws.lambda.runtime_duration_ms';
export const ATTR_AWS_LAMBDA_PRODUCED_BYTES = 'aws.lambda.produced_bytes';

/** Which stream a log record came from: `function`, `extension` or `platform`. */
export const ATTR_AWS_LAMBDA_LOG_SOURCE = 'aws.lambda.log.source';
/** True on a log record of which something was cut: a long string, or a map or array past the bounds of log-values.ts. */
export const ATTR_LAMBDA_OTEL_LOG_TRUNCATED = 'lambda_otel.log.truncated';
/** How many values of the log record (body included) were cut or kept as JSON text. */
export const ATTR_LAMBDA_OTEL_LOG_TRUNCATED_VALUES = 'lambda_otel.log.truncated_values';
/** UTF-8 size of a text body before it was cut. */
export const ATTR_LAMBDA_OTEL_LOG_ORIGINAL_BYTES = 'lambda_otel.log.original_bytes';

/**
 * Entry point of the Lambda layer: `extensions/lambda-telemetry-otel` runs this bundle.
 * Only the lifecycle loads here; the OpenTelemetry SDK loads after the first `event/next`.
 */
import { run } from '../lifecycle/run.ts';
import { createOtelProcessor } from './otel-processor.ts';

/** Lambda requires the registered name to equal the executable's file name. */
export const EXTENSION_NAME = 'lambda-telemetry-otel';

const result = await run(createOtelProcessor(), { extensionName: EXTENSION_NAME });
process.exit(result.exitCode);

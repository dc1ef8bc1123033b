/** What every deployment under deploy/ must agree on: where the layer zip is, and how it is published. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEPLOY = join(ROOT, 'deploy');
export const LAYER_ZIP = join(ROOT, 'dist', 'layer.zip');

/** The variables a deployment must set for the layer to export anywhere useful. */
export const REQUIRED_ENV = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_SERVICE_NAME', 'LAMBDA_OTEL_FLUSH'] as const;
export const LAYER_RUNTIMES = ['nodejs22.x', 'nodejs24.x'];
export const LAYER_ARCHITECTURES = ['x86_64', 'arm64'];

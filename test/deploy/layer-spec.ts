/** What every deployment under deploy/ must agree on: where the layer zip is, and how it is published. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { standaloneZipName } from '../../scripts/standalone.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEPLOY = join(ROOT, 'deploy');
export const LAYER_ZIP = join(ROOT, 'dist', 'layer.zip');

/** The variables a deployment must set for the layer to export anywhere useful. */
export const REQUIRED_ENV = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_SERVICE_NAME', 'LAMBDA_OTEL_FLUSH'] as const;
export const LAYER_RUNTIMES = ['nodejs22.x', 'nodejs24.x'];
export const LAYER_ARCHITECTURES = ['x86_64', 'arm64'];

/** The standalone layers: one zip per architecture, each with its own node. */
export const STANDALONE_ARCHITECTURES = ['x86_64', 'arm64'] as const;
export const standaloneZipPath = (architecture: string): string => join(ROOT, 'dist', standaloneZipName(architecture));
/**
 * The Amazon Linux 2023 runtimes Lambda supports (December 2026), dotnet8 left out as deprecated
 * (10 Nov 2026): Lambda takes at most 15 compatible runtimes per layer version.
 */
export const STANDALONE_RUNTIMES = ['nodejs22.x', 'nodejs24.x', 'python3.12', 'python3.13', 'python3.14', 'java8.al2023', 'java11.al2023',
  'java17.al2023', 'java21', 'java25', 'dotnet10', 'ruby3.3', 'ruby3.4', 'ruby4.0', 'provided.al2023'];
export const MAX_COMPATIBLE_RUNTIMES = 15;

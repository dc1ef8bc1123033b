/**
 * The Node.js built-ins the cold-start path uses (everything up to the first `event/next`),
 * loaded with `require` rather than an ESM `import`. On Node 22 and 24 importing a built-in from
 * ESM builds its export facade, reading every export once: `node:http`'s getters for
 * `WebSocket`, `CloseEvent` and `MessageEvent` load undici, tls and http2 (10 to 18 ms of CPU
 * and 7 MiB at every cold start), `node:fs`'s load fs/promises, the streams and readline.
 * `require` returns the module object and reads nothing. Code after the first `event/next` may
 * import built-ins as usual.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** `node:http`, loaded without its ESM facade. */
export const http = require('node:http') as typeof import('node:http');
/** `node:dns`, which node:net loads anyway. */
export const dns = require('node:dns') as typeof import('node:dns');
/** `node:fs`, loaded without its ESM facade. */
export const fs = require('node:fs') as typeof import('node:fs');

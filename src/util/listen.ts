/**
 * `server.listen` as a promise: resolves once the server listens, rejects with the server's own
 * error (EADDRINUSE and the like) and leaves no listener behind either way.
 */
import type { Server } from 'node:net';

export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

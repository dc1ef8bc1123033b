/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for a server someone else binds next.
 * Chosen at random below Linux's ephemeral range (32768–60999), not by the kernel from it: a
 * port the kernel hands out for listen(0) is just as likely to be taken next by some process's
 * outgoing connection, between our check and the other server's bind.
 */
import { createServer } from 'node:net';

const LOWEST = 20_000;
const RANGE = 12_000;
const TRIES = 50;

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let i = 0; i < TRIES; i++) {
    const port = LOWEST + Math.floor(Math.random() * RANGE);
    if (await isFree(port)) return port;
  }
  throw new Error(`freePort: no free port found in ${TRIES} tries between ${LOWEST} and ${LOWEST + RANGE}`);
}

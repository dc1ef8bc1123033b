// The floor of the relay benchmark (relay.ts): the least a local OTLP/HTTP receiver can do.
// It reads each body and answers 200 with an empty protobuf export response, decodes
// nothing and keeps nothing, on node:http like the layer's receiver. The simulated function
// exports to it in the baseline runs, so that its export latency there is what any local
// receiver costs. Usage: node minimal-otlp-receiver.mjs <port>; prints `listening` once bound.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': 0 }).end());
});
server.listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('listening\n'));
// Ends with the benchmark: it closes stdin.
process.stdin.on('end', () => process.exit(0)).resume();

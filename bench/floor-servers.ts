/**
 * The floors gatehouse's servers are measured against, each run as its own process:
 *   http  a bare node:http server answering every request with a constant check answer
 *   grpc  a bare @grpc/grpc-js server answering CheckService.Check with a constant
 * Prints the port it listens on (loopback), then serves until killed.
 *
 *   node dist/bench/floor-servers.js http|grpc
 */
import http from 'node:http';
import grpc from '@grpc/grpc-js';
import { checkDefinition } from './check-wire.js';

const kind = process.argv[2];
if (kind === 'http') {
  const body = JSON.stringify({ allowed: true });
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
} else if (kind === 'grpc') {
  const server = new grpc.Server();
  server.addService({ check: checkDefinition } as grpc.ServiceDefinition, {
    check: (_call: unknown, callback: grpc.sendUnaryData<object>) => callback(null, { allowed: true }),
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    process.stdout.write(`${port}\n`);
  });
} else {
  process.stderr.write('usage: floor-servers.js http|grpc\n');
  process.exit(2);
}

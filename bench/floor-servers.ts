/**
 * The floors gatehouse's servers are measured against, each run as its own process:
 *   http  a bare node:http server answering every request with a constant check answer
 *   grpc  a bare @grpc/grpc-js server answering CheckService.Check with a constant
 *   http-head-read DSN  the http floor, each answer sent once gatehouse's freshness gate has
 *         read the head revision of the database at DSN after the request arrived, as a
 *         served process does in the default consistency (the same gate, store and statement,
 *         and no index: the cost of the guarantee itself)
 * Prints the port it listens on (loopback), then serves until killed.
 *
 *   node dist/bench/floor-servers.js http|grpc|http-head-read DSN
 */
import http from 'node:http';
import grpc from '@grpc/grpc-js';
import { FreshnessGate } from '../src/index/freshness-gate.js';
import { openStore } from '../src/store/open.js';
import { checkDefinition } from './check-wire.js';

/** A bare node:http server answering every request with a constant, after `before` when it gives a promise. */
function httpFloor(before: () => Promise<void> | undefined): void {
  const body = JSON.stringify({ allowed: true });
  const server = http.createServer((req, res) => {
    req.resume();
    const answer = () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const wait = before();
    if (wait === undefined) answer();
    else void wait.then(answer);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
}

const kind = process.argv[2];
if (kind === 'http') httpFloor(() => undefined);
else if (kind === 'http-head-read') {
  const store = await openStore(process.argv[3]!);
  // An index that is always at the head: each request waits for its head read only.
  const follower = { applied: Number.MAX_SAFE_INTEGER, freshAsOf: -Infinity, reach: async () => undefined };
  const gate = new FreshnessGate({ read: () => store.headRevision() }, follower, 0, () => true);
  httpFloor(() => gate.ready());
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
  process.stderr.write('usage: floor-servers.js http|grpc|http-head-read DSN\n');
  process.exit(2);
}

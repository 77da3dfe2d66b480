/**
 * The load generator, run as its own process: keeps CONCURRENCY requests in flight
 * against one loopback server for DURATION, then prints one JSON line with the request
 * rate and latency percentiles, and exits. Requests cycle through the given list.
 *
 *   node dist/bench/load-generator.js '{"protocol":"http"|"grpc","port":N,"requests":[…],"concurrency":C,"durationMs":D}'
 */
import http from 'node:http';
import grpc from '@grpc/grpc-js';
import { checkDefinition } from './check-wire.js';

interface Spec {
  readonly protocol: 'http' | 'grpc';
  readonly port: number;
  /** HTTP: a path to GET, or a path and a JSON body to POST; gRPC: CheckRequest objects. */
  readonly requests: readonly unknown[];
  readonly concurrency: number;
  readonly durationMs: number;
}

const spec = JSON.parse(process.argv[2]!) as Spec;

function httpCaller(): () => Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });
  let i = 0;
  return () =>
    new Promise((resolve, reject) => {
      const request = spec.requests[i++ % spec.requests.length] as string | { path: string; body: unknown };
      const post = typeof request === 'string' ? undefined : Buffer.from(JSON.stringify(request.body));
      const path = typeof request === 'string' ? request : request.path;
      const headers = post === undefined ? {} : { 'content-type': 'application/json', 'content-length': post.length };
      const req = http.request({ host: '127.0.0.1', port: spec.port, method: post === undefined ? 'GET' : 'POST', path, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(post);
    });
}

function grpcCaller(): { call: () => Promise<number>; close: () => void } {
  const Client = grpc.makeGenericClientConstructor({ check: checkDefinition }, 'Check');
  const client = new Client(`127.0.0.1:${spec.port}`, grpc.credentials.createInsecure()) as unknown as {
    check(req: object, cb: (err: grpc.ServiceError | null) => void): void;
    close(): void;
  };
  let i = 0;
  const call = () =>
    new Promise<number>((resolve) => client.check(spec.requests[i++ % spec.requests.length] as object, (err) => resolve(err ? 500 + err.code : 200)));
  return { call, close: () => client.close() };
}

const grpcClient = spec.protocol === 'grpc' ? grpcCaller() : undefined;
const call = grpcClient?.call ?? httpCaller();

for (let w = 0; w < Math.min(200, spec.requests.length * 2); w++) await call();
const latencies: number[] = [];
let failures = 0;
const started = performance.now();
const until = started + spec.durationMs;
await Promise.all(
  Array.from({ length: spec.concurrency }, async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const status = await call().catch(() => 0);
      latencies.push(performance.now() - t0);
      if (status !== 200 && status !== 403) failures++;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
process.stdout.write(
  `${JSON.stringify({ requests: latencies.length, perSecond: latencies.length / seconds, p50Ms: at(0.5), p99Ms: at(0.99), failures })}\n`,
);
grpcClient?.close();
process.exit(0);

/**
 * The load generator, run as its own process: keeps CONCURRENCY requests in flight
 * against one loopback server for DURATION, then prints one JSON line with the request
 * rate, latency percentiles, every request's start and end and the number of requests
 * sent before measuring, and exits. Requests cycle through the given list. HTTP goes
 * through node:http with keep-alive, gRPC through gatehouse's own lean HTTP/2 client, the
 * cheaper of the clients at hand, so that the server rather than the client is measured.
 *
 *   node dist/bench/load-generator.js '{"protocol":"http"|"grpc","port":N,"requests":[…],"concurrency":C,"durationMs":D}'
 */
import http from 'node:http';
import { GrpcConnection } from '../src/client/connection.js';
import { methodCodec } from '../src/client/schema.js';
import { CHECK_SERVICE } from './check-wire.js';
import { quantile } from './figure.js';

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

/** gRPC calls over gatehouse's lean HTTP/2 client (one connection), each request encoded once. */
async function grpcCaller(): Promise<{ call: () => Promise<number>; close: () => void }> {
  const connection = await GrpcConnection.connect({ remote: `127.0.0.1:${spec.port}`, plaintext: true });
  const check = methodCodec(CHECK_SERVICE, 'Check');
  const bodies = spec.requests.map((r) => check.encode(r as object));
  let i = 0;
  const call = () =>
    connection.unary(check.path, bodies[i++ % bodies.length]!).then(
      () => 200,
      (err: { code?: number }) => 500 + (err.code ?? 0),
    );
  return { call, close: () => connection.close() };
}

const grpcClient = spec.protocol === 'grpc' ? await grpcCaller() : undefined;
const call = grpcClient?.call ?? httpCaller();

const warmUp = Math.min(200, spec.requests.length * 2);
for (let w = 0; w < warmUp; w++) await call();
const latencies: number[] = [];
/** Start and end of every request, in pairs, in ms since `started`. */
const spans: number[] = [];
let failures = 0;
const started = performance.now();
const until = started + spec.durationMs;
await Promise.all(
  Array.from({ length: spec.concurrency }, async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const status = await call().catch(() => 0);
      const t1 = performance.now();
      latencies.push(t1 - t0);
      spans.push(Math.round((t0 - started) * 1000) / 1000, Math.round((t1 - started) * 1000) / 1000);
      if (status !== 200 && status !== 403) failures++;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const result = { warmUp, requests: latencies.length, perSecond: latencies.length / seconds, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), failures };
grpcClient?.close();
// Exits only once the line is written: a pipe takes it asynchronously, and the spans make it long.
process.stdout.write(`${JSON.stringify({ ...result, spansFrom: performance.timeOrigin + started, spans })}\n`, () => process.exit(0));

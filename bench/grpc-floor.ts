/**
 * gRPC unary throughput on loopback, three servers answering VersionService.GetVersion:
 *   lean      gatehouse's own gRPC handler on its shared node:http2 listener (what ships)
 *   injected  @grpc/grpc-js's server fed the same sniffed connections (createConnectionInjector)
 *   bare      a plain @grpc/grpc-js server on its own port (the floor to hold)
 * Each server runs in its own process; a separate @grpc/grpc-js client process keeps
 * CONCURRENCY calls in flight for SECONDS and reports calls/s, and the server's CPU time per
 * call (which a machine shared with other work distorts less than calls/s), each the median
 * of the rounds. Bounded: it stops by itself.
 *
 *   node dist/bench/grpc-floor.js [seconds=5] [concurrency=32] [rounds=2]
 */
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import { createMetrics } from '../src/observability/metrics.js';
import { createLogger } from '../src/observability/logger.js';
import { grpcHandler, isGrpcRequest } from '../src/transport/grpc/server.js';
import { versionMethod } from '../src/transport/grpc/version.js';
import { InFlight } from '../src/transport/in-flight.js';
import { Listener, sniffPreface } from '../src/transport/listener.js';
import { methodDefinition } from '../test/server/grpc-clients.js';
import { printFigure, quantile } from './figure.js';

const PATH = '/ory.keto.relation_tuples.v1alpha2.VersionService/GetVersion';
const VERSION = '0.0.0-bench';

const definition = methodDefinition(
  PATH,
  'ory.keto.relation_tuples.v1alpha2.GetVersionRequest',
  'ory.keto.relation_tuples.v1alpha2.GetVersionResponse',
);

function grpcJsServer(): grpc.Server {
  const server = new grpc.Server();
  server.addService({ getVersion: definition } as grpc.ServiceDefinition, {
    getVersion: (_call: unknown, callback: grpc.sendUnaryData<object>) => callback(null, { version: VERSION }),
  });
  return server;
}

async function serve(kind: string): Promise<number> {
  if (kind === 'bare') {
    const server = grpcJsServer();
    return new Promise((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
  }
  if (kind === 'injected') {
    const injector = grpcJsServer().createConnectionInjector(grpc.ServerCredentials.createInsecure());
    const front = net.createServer((socket) => sniffPreface(socket, () => injector.injectConnection(socket)));
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    return (front.address() as net.AddressInfo).port;
  }
  const logger = createLogger({ level: 'error', format: 'json', leak_sensitive_values: false }, openSync('/dev/null', 'w'));
  const metrics = createMetrics();
  const onStream = grpcHandler({
    unary: [versionMethod(VERSION)],
    streaming: [],
    logger,
    metrics,
    inFlight: new InFlight(),
    maxMessageSize: () => 4 * 1024 * 1024,
    stopping: new AbortController().signal,
  });
  const listener = new Listener({
    name: 'bench',
    host: '127.0.0.1',
    port: 0,
    onHttp: () => {},
    grpc: { accepts: isGrpcRequest, onStream },
    logger,
  });
  return (await listener.listen()).port;
}

async function load(port: number, seconds: number, concurrency: number): Promise<{ calls: number; perSecond: number }> {
  const Client = grpc.makeGenericClientConstructor({ getVersion: definition }, 'Version');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as any;
  const call = () => new Promise<void>((resolve, reject) => client.getVersion({}, (err: Error | null) => (err ? reject(err) : resolve())));
  for (let i = 0; i < 200; i++) await call();
  let done = 0;
  const until = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await call();
        done++;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  client.close();
  return { calls: done + 200, perSecond: done / elapsed };
}

/** A child process of this script; `line()` resolves with its next stdout line. */
function child(args: string[]): { proc: ReturnType<typeof spawn>; line: () => Promise<string> } {
  const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let partial = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => {
    const parts = (partial + c).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      const wake = waiting.shift();
      if (wake) wake(line);
      else lines.push(line);
    }
  });
  const line = () =>
    lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise<string>((resolve) => waiting.push(resolve));
  return { proc, line };
}

const cpuMicros = async (server: ReturnType<typeof child>) => {
  server.proc.kill('SIGUSR2');
  return Number(await server.line());
};

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === 'server') {
    process.on('SIGUSR2', () => {
      const { user, system } = process.cpuUsage();
      process.stdout.write(`${user + system}\n`);
    });
    process.stdout.write(`${await serve(rest[0]!)}\n`);
    return;
  }
  if (mode === 'client') {
    const { calls, perSecond } = await load(Number(rest[0]), Number(rest[1]), Number(rest[2]));
    process.stdout.write(`${calls} ${perSecond}\n`);
    process.exit(0);
  }
  const seconds = Number(mode ?? 5);
  const concurrency = Number(rest[0] ?? 32);
  const rounds = Number(rest[1] ?? 2);
  const results: Record<string, { perSecond: number[]; cpuPerCall: number[] }> = {
    lean: { perSecond: [], cpuPerCall: [] },
    injected: { perSecond: [], cpuPerCall: [] },
    bare: { perSecond: [], cpuPerCall: [] },
  };
  for (let round = 0; round < rounds; round++) {
    for (const [kind, runs] of Object.entries(results)) {
      const server = child(['server', kind]);
      const port = await server.line();
      const before = await cpuMicros(server);
      const client = child(['client', port, String(seconds), String(concurrency)]);
      const [calls, perSecond] = (await client.line()).split(' ').map(Number) as [number, number];
      runs.perSecond.push(perSecond);
      runs.cpuPerCall.push(((await cpuMicros(server)) - before) / calls);
      server.proc.kill('SIGKILL');
    }
  }
  const part = `gRPC server floor (GetVersion, ${concurrency} in flight, ${seconds} s × ${rounds})`;
  const median = (values: number[]) => quantile(values.sort((a, b) => a - b), 0.5);
  const names = { lean: "gatehouse's lean handler", injected: 'grpc-js fed the same connections', bare: 'bare grpc-js on its own port' };
  for (const [kind, runs] of Object.entries(results)) {
    const name = names[kind as keyof typeof names];
    printFigure({ part, name: `${name}: server CPU per call`, value: Math.round(median(runs.cpuPerCall)), unit: 'µs' });
    printFigure({ part, name: `${name}: calls/s`, value: Math.round(median(runs.perSecond)), unit: 'calls/s' });
  }
}

await main();

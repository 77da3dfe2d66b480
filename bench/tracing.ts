/**
 * The cost of tracing: start-to-ready (median of RUNS, `dsn: memory`) and served REST check
 * throughput (medians of ROUNDS alternating runs, c=10), with tracing off, with
 * `tracing.provider: otel` tracing every request (sampling_ratio 1), and with it on but
 * sampling none (Keto's default ratio 0). Spans go to a receiver in this process that
 * answers every export 200.
 *
 *   node dist/bench/tracing.js [RUNS=5] [DURATION_MS=3000]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatehouseProcess, type GatehouseProcess } from '../test/support/server.js';
import { printFigure } from './figure.js';
import { runLoad, type LoadResult } from './served-process.js';
import { readyEnv, serveToReady } from './ready-time.js';

const runs = Number(process.argv[2] ?? 5);
const durationMs = Number(process.argv[3] ?? 3000);
const ROUNDS = 3;
const CONCURRENCY = 10;
const PART = 'tracing cost';

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const otlp = (ratio: number) => ({
  provider: 'otel',
  providers: { otlp: { server_url: `127.0.0.1:${(receiver.address() as AddressInfo).port}`, insecure: true, sampling: { sampling_ratio: ratio } } },
});
const MODES: readonly { name: string; tracing?: object }[] = [
  { name: 'tracing off' },
  { name: 'tracing on, every request sampled', tracing: otlp(1) },
  { name: 'tracing on, none sampled', tracing: otlp(0) },
];
const config = (tracing?: object) => ({ dsn: 'memory', namespaces: [{ name: 'files' }], log: { level: 'error' }, ...(tracing && { tracing }) });

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tracing-bench-'));
try {
  const listenFile = join(dir, 'read.addr');
  const env = readyEnv(listenFile);
  for (const [i, mode] of MODES.entries()) {
    const file = join(dir, `config-${i}.json`);
    writeFileSync(file, JSON.stringify(config(mode.tracing)));
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let run = 0; run < runs; run++) {
      const ready = await serveToReady(['-c', file], env, listenFile);
      wall.push(ready.wall);
      cpu.push(ready.cpu);
    }
    printFigure({ part: PART, name: `serve → /health/ready 200, ${mode.name} (median of ${runs})`, value: Math.round(median(wall)), unit: `ms (CPU ${Math.round(median(cpu))} ms)` });
  }

  const servers: GatehouseProcess[] = [];
  try {
    for (const mode of MODES) servers.push(await startGatehouseProcess({ config: config(mode.tracing) }));
    const tuple = { namespace: 'files', object: 'readme', relation: 'viewer', subject_id: 'alice' };
    for (const gh of servers) await fetch(`${gh.url.write}/admin/relation-tuples`, { method: 'PUT', body: JSON.stringify(tuple) });
    const requests = ['/relation-tuples/check/openapi?namespace=files&object=readme&relation=viewer&subject_id=alice'];
    const results: LoadResult[][] = MODES.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      const order = MODES.map((_, i) => (i + round) % MODES.length);
      for (const i of order) results[i]!.push(await runLoad('http', servers[i]!.ports.read, requests, CONCURRENCY, durationMs));
    }
    const off = median(results[0]!.map((r) => r.perSecond));
    for (const [i, mode] of MODES.entries()) {
      const rate = median(results[i]!.map((r) => r.perSecond));
      const p99 = median(results[i]!.map((r) => r.p99Ms));
      printFigure({
        part: PART,
        name: `REST check, c=${CONCURRENCY}, ${mode.name} (median of ${ROUNDS} alternating runs)`,
        value: Math.round(rate),
        unit: `req/s (p99 ${p99.toFixed(2)} ms, ${((rate / off) * 100).toFixed(1)} % of off)`,
      });
    }
  } finally {
    await Promise.all(servers.map((gh) => gh.stop()));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  receiver.close();
}

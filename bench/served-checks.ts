/**
 * Check throughput over the wire, loopback only, load generator in its own process:
 *  - the floors: a bare node:http server and a bare @grpc/grpc-js server answering a constant;
 *  - gatehouse REST and gRPC checks (direct tuple, 3-hop nested groups, permit with
 *    traverse and negation) on the synthetic data set, at concurrency 1, 10 and 64;
 *  - index on (default freshness guarantee), index on with bounded staleness, index off,
 *    over SQLite and (when TEST_POSTGRES_DSN is set) PostgreSQL.
 * Every run stops by itself after DURATION_MS. BENCH_FRESHNESS_ONLY=1 measures only the
 * cost of the default freshness guarantee over PostgreSQL (no floors, no SQLite, no other checks).
 *
 *   node dist/bench/served-checks.js [TUPLES] [DURATION_MS]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TupleIndex } from '../src/index/tuple-index.js';
import { openStore } from '../src/store/open.js';
import type { RelationTuple } from '../src/tuple.js';
import { postgresDatabase, sqliteFileDatabase, type TestDatabase } from '../test/store/databases.js';
import type { GatehouseProcess } from '../test/support/server.js';
import { sampleChecks } from './check-samples.js';
import { grpcCheckRequest, restCheckPath } from './check-wire.js';
import { DATASET_OPL, loadDataset, shapeFor, tuplesOf } from './dataset.js';
import { type Figure, printFigure } from './figure.js';
import { type LoadResult, runLoad, startServer } from './served-process.js';

const tuples = Number(process.argv[2] ?? 100_000);
const durationMs = Number(process.argv[3] ?? 2000);
const label = tuples >= 1e6 ? `${tuples / 1e6}M` : `${tuples / 1e3}k`;
const CONCURRENCY = [1, 10, 64] as const;
const freshnessOnly = process.env['BENCH_FRESHNESS_ONLY'] === '1';
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

function startFloor(kind: 'http' | 'grpc'): Promise<{ port: number; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [here('./floor-servers.js'), kind], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.setEncoding('utf8').once('data', (line: string) => resolve({ port: Number(line.trim()), stop: () => child.kill('SIGKILL') }));
    child.once('exit', (code) => reject(new Error(`${kind} floor exited with ${code}`)));
  });
}

const floors: Record<string, LoadResult> = {};

function report(part: string, name: string, r: LoadResult, floor?: LoadResult, floorTarget?: { rate: number; p99?: number }): void {
  const ratio = floor ? r.perSecond / floor.perSecond : undefined;
  const rate: Figure = {
    part,
    name: `${name}: throughput`,
    value: Math.round(r.perSecond),
    unit: 'req/s',
    ...(ratio !== undefined && floorTarget ? { target: `≥ ${floorTarget.rate}× floor (${ratio.toFixed(2)}×)`, met: ratio >= floorTarget.rate } : {}),
  };
  printFigure(rate);
  const p99Ratio = floor ? r.p99Ms / floor.p99Ms : undefined;
  printFigure({
    part,
    name: `${name}: p50 / p99`,
    value: Math.round(r.p99Ms * 1000) / 1000,
    unit: `ms p99 (p50 ${r.p50Ms.toFixed(3)} ms)`,
    ...(p99Ratio !== undefined && floorTarget?.p99 !== undefined
      ? { target: `p99 ≤ ${floorTarget.p99}× floor (${p99Ratio.toFixed(2)}×)`, met: p99Ratio <= floorTarget.p99 }
      : {}),
  });
  if (r.failures > 0) printFigure({ part, name: `${name}: failed requests`, value: r.failures, unit: 'requests' });
}

async function measureFloors(): Promise<void> {
  for (const kind of ['http', 'grpc'] as const) {
    const floor = await startFloor(kind);
    try {
      for (const c of CONCURRENCY) {
        const r = await runLoad(kind, floor.port, kind === 'http' ? ['/relation-tuples/check/openapi?namespace=Doc'] : [{}], c, durationMs);
        floors[`${kind}:${c}`] = r;
        report('floors', `bare ${kind === 'http' ? 'node:http' : '@grpc/grpc-js'} constant answer, c=${c}`, r);
      }
    } finally {
      floor.stop();
    }
  }
}

async function load(dsn: string): Promise<void> {
  const store = await openStore(dsn);
  try {
    await store.migrations.up();
    await loadDataset(store, dsn, tuples);
  } finally {
    await store.close();
  }
}

/** Rounds of the comparison between the default guarantee and bounded staleness, alternating between two servers. */
const COST_ROUNDS = 3;

/**
 * The cost the default guarantee may have by concurrency: at c = 1 every request waits for
 * its own head read, a database round trip; concurrent requests share one.
 */
const FRESHNESS_COST_TARGET: Readonly<Record<(typeof CONCURRENCY)[number], number>> = { 1: 0.25, 10: 0.1, 64: 0.1 };

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * The cost of the default freshness guarantee: REST 3-hop throughput of a server in the
 * default mode against one in bounded-staleness mode, both warm over the same database,
 * measured in alternating rounds (the order swapped every round) so that a noisy moment
 * of the machine does not fall on one side only.
 */
async function costOfFreshness(dialect: string, strict: GatehouseProcess, bounded: GatehouseProcess, requests: string[]): Promise<void> {
  const part = `served checks, ${dialect}, index on, bounded staleness 100ms (${label} tuples)`;
  for (const c of CONCURRENCY) {
    const runs: Record<'strict' | 'bounded', LoadResult[]> = { strict: [], bounded: [] };
    for (let round = 0; round < COST_ROUNDS; round++) {
      const order = round % 2 === 0 ? (['strict', 'bounded'] as const) : (['bounded', 'strict'] as const);
      for (const side of order) runs[side].push(await runLoad('http', (side === 'strict' ? strict : bounded).ports.read, requests, c, durationMs));
    }
    const medianRun = (list: LoadResult[]) => list.find((r) => r.perSecond === median(list.map((x) => x.perSecond)))!;
    report(part, `REST 3-hop check, c=${c} (median of ${COST_ROUNDS} runs)`, medianRun(runs.bounded), floors[`http:${c}`], { rate: 0.8, p99: 1.25 });
    const cost = 1 - median(runs.strict.map((r) => r.perSecond)) / median(runs.bounded.map((r) => r.perSecond));
    const target = FRESHNESS_COST_TARGET[c];
    printFigure({
      part: `served checks, ${dialect}, ratios (${label} tuples)`,
      name: `cost of the default freshness guarantee (REST 3-hop throughput vs bounded staleness, medians of ${COST_ROUNDS} alternating runs), c=${c}`,
      value: Math.round(cost * 1000) / 10,
      unit: '%',
      target: `≤ ${target * 100} %`,
      met: cost <= target,
    });
  }
}

async function measureServer(dialect: string, db: TestDatabase, oplFile: string, samples: ReturnType<typeof sampleChecks>): Promise<void> {
  const loadStarted = performance.now();
  await load(db.dsn);
  printFigure({ part: `served checks, ${dialect}`, name: `data set loaded (${label} tuples)`, value: Math.round(performance.now() - loadStarted), unit: 'ms' });
  const kinds: [string, RelationTuple[]][] = [
    ['direct', samples.direct],
    ['3-hop', samples.threeHop],
    ['permit', samples.permit],
  ];
  const threeHopPaths = samples.threeHop.map(restCheckPath);
  const indexOn = `served checks, ${dialect}, index on (${label} tuples)`;
  const threeHopOn: LoadResult[] = [];
  const strict = await startServer(db.dsn, oplFile, { enabled: true, max_staleness: '0s' });
  try {
    for (const [kind, list] of freshnessOnly ? [] : kinds) {
      for (const c of CONCURRENCY) {
        const r = await runLoad('http', strict.ports.read, list.map(restCheckPath), c, durationMs);
        report(indexOn, `REST ${kind} check, c=${c}`, r, floors[`http:${c}`], { rate: 0.8, p99: 1.25 });
        if (kind === '3-hop') threeHopOn.push(r);
      }
    }
    for (const [kind, list] of freshnessOnly ? [] : kinds) {
      for (const c of CONCURRENCY) {
        const r = await runLoad('grpc', strict.ports.read, list.map(grpcCheckRequest), c, durationMs);
        report(indexOn, `gRPC ${kind} check, c=${c}`, r, floors[`grpc:${c}`], { rate: 1.0 });
      }
    }
    const bounded = await startServer(db.dsn, oplFile, { enabled: true, max_staleness: '100ms' });
    try {
      await costOfFreshness(dialect, strict, bounded, threeHopPaths);
    } finally {
      await bounded.stop();
    }
  } finally {
    await strict.stop();
  }
  if (freshnessOnly) return;
  const off = await startServer(db.dsn, oplFile, { enabled: false, max_staleness: '0s' });
  try {
    for (const [i, c] of CONCURRENCY.entries()) {
      const r = await runLoad('http', off.ports.read, threeHopPaths, c, durationMs);
      report(`served checks, ${dialect}, index off (${label} tuples)`, `REST 3-hop check, c=${c}`, r);
      printFigure({
        part: `served checks, ${dialect}, ratios (${label} tuples)`,
        name: `REST 3-hop throughput, index on / index off, c=${c}`,
        value: Math.round((threeHopOn[i]!.perSecond / r.perSecond) * 100) / 100,
        unit: '×',
      });
    }
  } finally {
    await off.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
try {
  const oplFile = join(dir, 'namespaces.ts');
  writeFileSync(oplFile, DATASET_OPL);
  const index = new TupleIndex();
  for (const t of tuplesOf(shapeFor(tuples))) index.insert(t);
  const samples = sampleChecks(index, shapeFor(tuples), 500);
  if (!freshnessOnly) {
    await measureFloors();
    const sqlite = sqliteFileDatabase();
    try {
      await measureServer('SQLite', sqlite, oplFile, samples);
    } finally {
      await sqlite.drop();
    }
  }
  const pgDsn = process.env['TEST_POSTGRES_DSN'];
  if (pgDsn) {
    const pg = await postgresDatabase(pgDsn);
    try {
      await measureServer('PostgreSQL', pg, oplFile, samples);
    } finally {
      await pg.drop();
    }
  } else process.stderr.write('TEST_POSTGRES_DSN is not set: served checks over PostgreSQL were not measured\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}

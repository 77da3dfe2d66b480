/**
 * Check throughput over the wire, loopback only, load generator in its own process on one
 * core and the server on the other (taskset), every figure the median of REPETITIONS runs
 * and the p99 compared with the floor's:
 *  - the floors: a bare node:http server and a bare @grpc/grpc-js server answering a constant,
 *    a fresh process per repetition, measured beside each server at each concurrency;
 *  - gatehouse REST and gRPC checks (direct tuple, 3-hop nested groups, permit with
 *    traverse and negation) on the synthetic data set, at concurrency 1, 10 and 64:
 *    on a fresh `dsn: memory` server seeded with the data set through its write API per
 *    repetition, then over SQLite and (when TEST_POSTGRES_DSN is set) PostgreSQL with a
 *    fresh server warmed from the database per repetition;
 *  - index on (default freshness guarantee), index on with bounded staleness, index off;
 *  - beside the default guarantee's cost, the head read's alone: the node:http floor with and
 *    without gatehouse's freshness gate reading the same database (floor-servers.ts).
 * Every server and floor first takes a second of unmeasured load per kind of request. The
 * server's garbage collections during each run are counted (a GC observer loaded into the
 * benchmarked processes only), with the p99 of the requests none of them overlapped, and
 * the server's CPU time per request is read from /proc. Servers and floors run with the
 * container image's NODE_OPTIONS (its larger young generation). Every run stops by itself
 * after DURATION_MS.
 *
 *   node dist/bench/served-checks.js [TUPLES] [DURATION_MS] [--only memory|sqlite|postgres]
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
import { DATASET_OPL, loadDataset, seedOverRest, shapeFor, tuplesOf } from './dataset.js';
import { type Figure, printFigure } from './figure.js';
import { GC_OBSERVER, type LoadResult, type ObservedServer, pinnedTo, runLoad, SERVED_ENV, SERVER_CORE, startServer } from './served-process.js';

const argv = process.argv.slice(2);
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? argv[onlyAt + 1] : undefined;
const positional = argv.filter((a, i) => !a.startsWith('--') && (onlyAt < 0 || i !== onlyAt + 1));
const tuples = Number(positional[0] ?? 100_000);
const durationMs = Number(positional[1] ?? 2000);
const label = tuples >= 1e6 ? `${tuples / 1e6}M` : `${tuples / 1e3}k`;
const CONCURRENCY = [1, 10, 64] as const;
const REPETITIONS = 3;
const REST_TARGET = { rate: 0.8, p99: 1.25 };
const GRPC_TARGET = { rate: 1.0 };
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

function startFloor(kind: 'http' | 'grpc' | 'http-head-read', ...options: string[]): Promise<ObservedServer & { port: number; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const [program, ...args] = pinnedTo(SERVER_CORE, [process.execPath, ...GC_OBSERVER, here('./floor-servers.js'), kind, ...options]);
    const child = spawn(program!, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...SERVED_ENV } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdout.setEncoding('utf8').once('data', (line: string) =>
      resolve({ port: Number(line.trim()), child, stderr: () => stderr, stop: () => child.kill('SIGKILL') }),
    );
    child.once('exit', (code) => reject(new Error(`${kind} floor exited with ${code}: ${stderr}`)));
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Each measure's median over the runs (failures added up). */
function medianOf(runs: LoadResult[]): LoadResult {
  const of = (pick: (r: LoadResult) => number) => median(runs.map(pick));
  const gc = runs.every((r) => r.gc !== undefined)
    ? {
        count: of((r) => r.gc!.count),
        totalMs: of((r) => r.gc!.totalMs),
        maxMs: of((r) => r.gc!.maxMs),
        heldUp: of((r) => r.gc!.heldUp),
        p99UnheldMs: of((r) => r.gc!.p99UnheldMs),
      }
    : undefined;
  return {
    requests: of((r) => r.requests),
    perSecond: of((r) => r.perSecond),
    p50Ms: of((r) => r.p50Ms),
    p99Ms: of((r) => r.p99Ms),
    failures: runs.reduce((n, r) => n + r.failures, 0),
    ...(gc ? { gc } : {}),
    ...(runs.every((r) => r.serverCpuUs !== undefined) ? { serverCpuUs: of((r) => r.serverCpuUs!) } : {}),
  };
}

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
    unit: `ms p99 (p50 ${r.p50Ms.toFixed(3)} ms${p99Ratio === undefined ? '' : `, ${p99Ratio.toFixed(2)}× the floor's p99`})`,
    ...(p99Ratio !== undefined && floorTarget?.p99 !== undefined
      ? { target: `p99 ≤ ${floorTarget.p99}× floor (${p99Ratio.toFixed(2)}×)`, met: p99Ratio <= floorTarget.p99 }
      : {}),
  });
  if (r.gc)
    printFigure({
      part,
      name: `${name}: server GC pauses during the run`,
      value: Math.round(r.gc.totalMs * 10) / 10,
      unit: `ms in total (${r.gc.count} pauses, longest ${r.gc.maxMs.toFixed(2)} ms)`,
    });
  if (r.gc)
    printFigure({
      part,
      name: `${name}: p99 of the requests no server GC pause overlapped`,
      value: Math.round(r.gc.p99UnheldMs * 1000) / 1000,
      unit: `ms (${(r.gc.heldUp * 100).toFixed(1)} % of the requests overlapped a pause${floor?.gc ? `; the floor's: ${floor.gc.p99UnheldMs.toFixed(3)} ms` : ''})`,
    });
  if (r.serverCpuUs !== undefined)
    printFigure({
      part,
      name: `${name}: server CPU per request`,
      value: Math.round(r.serverCpuUs * 10) / 10,
      unit: `µs (every thread, user and system)${floor?.serverCpuUs !== undefined ? `; the floor's: ${floor.serverCpuUs.toFixed(1)} µs` : ''}`,
    });
  if (r.failures > 0) printFigure({ part, name: `${name}: failed requests`, value: r.failures, unit: 'requests' });
}

const FLOOR_REQUESTS = { http: ['/relation-tuples/check/openapi?namespace=Doc'], grpc: [{}] };

/**
 * Unmeasured load before a process's first measured run, so that no figure pays for compiling
 * the code it runs or for the garbage that seeding left (the first c = 1 run on a fresh
 * server measured 4348 req/s and 127 µs of server CPU per request; the same run again, 4964
 * and 95 µs).
 */
const WARM_UP = { concurrency: 10, ms: 1000 };
async function warmUp(port: number, protocol: 'http' | 'grpc', requestLists: readonly unknown[][]): Promise<void> {
  for (const requests of requestLists) await runLoad(protocol, port, requests, WARM_UP.concurrency, WARM_UP.ms);
}
const requestsOf = (protocol: 'http' | 'grpc', list: RelationTuple[]): unknown[] => (protocol === 'http' ? list.map(restCheckPath) : list.map(grpcCheckRequest));
async function warmServer(gh: GatehouseProcess, kinds: Kinds): Promise<void> {
  for (const protocol of ['http', 'grpc'] as const) await warmUp(gh.ports.read, protocol, kinds.map(([, list]) => requestsOf(protocol, list)));
}
const floorName = (protocol: 'http' | 'grpc', c: number) => `bare ${protocol === 'http' ? 'node:http' : '@grpc/grpc-js'} constant answer, c=${c} (median of ${REPETITIONS})`;

async function load(dsn: string): Promise<void> {
  const store = await openStore(dsn);
  try {
    await store.migrations.up();
    await loadDataset(dsn, tuples);
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

/**
 * The cost of the default freshness guarantee: REST 3-hop throughput of a server in the
 * default mode against one in bounded-staleness mode, both warm over the same database,
 * and beside it the cost of the head read alone: the bare node:http floor with and without
 * gatehouse's freshness gate reading the same database's head. All four are measured in
 * alternating rounds (the order swapped every round) so that a noisy moment of the machine
 * does not fall on one side only.
 */
async function costOfFreshness(dialect: string, dsn: string, strict: GatehouseProcess, bounded: GatehouseProcess, requests: string[], restFloors: LoadResult[]): Promise<void> {
  const part = `served checks, ${dialect}, index on, bounded staleness 100ms (${label} tuples)`;
  const ratios = `served checks, ${dialect}, ratios (${label} tuples)`;
  const floor = await startFloor('http');
  const headRead = await startFloor('http-head-read', dsn);
  try {
    for (const server of [floor, headRead]) await warmUp(server.port, 'http', [FLOOR_REQUESTS.http]);
    const sides = {
      strict: { port: strict.ports.read, requests, server: strict },
      bounded: { port: bounded.ports.read, requests, server: bounded },
      floor: { port: floor.port, requests: FLOOR_REQUESTS.http, server: floor },
      headRead: { port: headRead.port, requests: FLOOR_REQUESTS.http, server: headRead },
    };
    const order = Object.keys(sides) as (keyof typeof sides)[];
    for (const [i, c] of CONCURRENCY.entries()) {
      const runs: Record<keyof typeof sides, LoadResult[]> = { strict: [], bounded: [], floor: [], headRead: [] };
      for (let round = 0; round < COST_ROUNDS; round++) {
        for (const side of round % 2 === 0 ? order : [...order].reverse()) {
          const { port, requests: list, server } = sides[side];
          runs[side].push(await runLoad('http', port, list, c, durationMs, server));
        }
      }
      report(part, `REST 3-hop check, c=${c} (median of ${COST_ROUNDS} runs)`, medianOf(runs.bounded), restFloors[i], REST_TARGET);
      const costOf = (paying: LoadResult[], free: LoadResult[]) => 1 - median(paying.map((r) => r.perSecond)) / median(free.map((r) => r.perSecond));
      const cost = costOf(runs.strict, runs.bounded);
      const target = FRESHNESS_COST_TARGET[c];
      printFigure({
        part: ratios,
        name: `cost of the default freshness guarantee (REST 3-hop throughput vs bounded staleness, medians of ${COST_ROUNDS} alternating runs), c=${c}`,
        value: Math.round(cost * 1000) / 10,
        unit: '%',
        target: `≤ ${target * 100} %`,
        met: cost <= target,
      });
      printFigure({
        part: ratios,
        name: `cost of the head read alone: the node:http floor with gatehouse's freshness gate vs without (medians of ${COST_ROUNDS} alternating runs), c=${c}`,
        value: Math.round(costOf(runs.headRead, runs.floor) * 1000) / 10,
        unit: '%',
      });
    }
  } finally {
    floor.stop();
    headRead.stop();
  }
}

type Kinds = [string, RelationTuple[]][];

/**
 * REST and gRPC checks of every kind at every concurrency, each figure the median over
 * REPETITIONS fresh servers. In each repetition a fresh floor of the protocol is measured
 * at each concurrency just before the server, so that a busy moment of a shared machine
 * falls on both; the floors' medians are reported in the same part. Returns the REST
 * 3-hop medians and the REST floors by concurrency.
 */
async function indexOnChecks(part: string, start: () => Promise<GatehouseProcess>, kinds: Kinds): Promise<{ threeHop: LoadResult[]; restFloors: LoadResult[] }> {
  const runs: Record<string, LoadResult[]> = {};
  for (let rep = 0; rep < REPETITIONS; rep++) {
    const gh = await start();
    try {
      await warmServer(gh, kinds);
      for (const protocol of ['http', 'grpc'] as const) {
        const floor = await startFloor(protocol);
        try {
          await warmUp(floor.port, protocol, [FLOOR_REQUESTS[protocol]]);
          for (const c of CONCURRENCY) {
            (runs[`${protocol} floor ${c}`] ??= []).push(await runLoad(protocol, floor.port, FLOOR_REQUESTS[protocol], c, durationMs, floor));
            for (const [kind, list] of kinds) {
              (runs[`${protocol} ${kind} ${c}`] ??= []).push(await runLoad(protocol, gh.ports.read, requestsOf(protocol, list), c, durationMs, gh));
            }
          }
        } finally {
          floor.stop();
        }
      }
    } finally {
      await gh.stop();
    }
  }
  const floorOf = (protocol: 'http' | 'grpc', c: number) => medianOf(runs[`${protocol} floor ${c}`]!);
  for (const protocol of ['http', 'grpc'] as const) {
    for (const c of CONCURRENCY) report(part, floorName(protocol, c), floorOf(protocol, c));
    for (const [kind] of kinds)
      for (const c of CONCURRENCY)
        report(
          part,
          `${protocol === 'http' ? 'REST' : 'gRPC'} ${kind} check, c=${c} (median of ${REPETITIONS} servers)`,
          medianOf(runs[`${protocol} ${kind} ${c}`]!),
          floorOf(protocol, c),
          protocol === 'http' ? REST_TARGET : GRPC_TARGET,
        );
  }
  return { threeHop: CONCURRENCY.map((c) => medianOf(runs[`http 3-hop ${c}`]!)), restFloors: CONCURRENCY.map((c) => floorOf('http', c)) };
}

/** The issue's harness: a fresh `dsn: memory` server per repetition, seeded through its write API. */
async function measureMemory(oplFile: string, kinds: Kinds): Promise<void> {
  const seeding: number[] = [];
  const start = () =>
    startServer('memory', oplFile, { enabled: true, max_staleness: '0s' }, async (gh) => {
      const started = performance.now();
      await seedOverRest(gh.url.write, tuples);
      seeding.push(performance.now() - started);
    });
  await indexOnChecks(`served checks, memory, index on (${label} tuples)`, start, kinds);
  printFigure({ part: 'served checks, memory', name: `data set seeded through REST PATCH (${label} tuples, median of ${REPETITIONS})`, value: Math.round(median(seeding)), unit: 'ms' });
}

async function measureServer(dialect: string, db: TestDatabase, oplFile: string, kinds: Kinds): Promise<void> {
  const loadStarted = performance.now();
  await load(db.dsn);
  printFigure({ part: `served checks, ${dialect}`, name: `data set loaded (${label} tuples)`, value: Math.round(performance.now() - loadStarted), unit: 'ms' });
  const threeHopPaths = kinds.find(([kind]) => kind === '3-hop')![1].map(restCheckPath);
  const strictConfig = { enabled: true, max_staleness: '0s' };
  const { threeHop: threeHopOn, restFloors } = await indexOnChecks(`served checks, ${dialect}, index on (${label} tuples)`, () => startServer(db.dsn, oplFile, strictConfig), kinds);
  const strict = await startServer(db.dsn, oplFile, strictConfig);
  try {
    const bounded = await startServer(db.dsn, oplFile, { enabled: true, max_staleness: '100ms' });
    try {
      for (const server of [strict, bounded]) await warmUp(server.ports.read, 'http', [threeHopPaths]);
      await costOfFreshness(dialect, db.dsn, strict, bounded, threeHopPaths, restFloors);
    } finally {
      await bounded.stop();
    }
  } finally {
    await strict.stop();
  }
  const off = await startServer(db.dsn, oplFile, { enabled: false, max_staleness: '0s' });
  try {
    for (const [i, c] of CONCURRENCY.entries()) {
      const r = await runLoad('http', off.ports.read, threeHopPaths, c, durationMs, off);
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
  const kinds: Kinds = [
    ['direct', samples.direct],
    ['3-hop', samples.threeHop],
    ['permit', samples.permit],
  ];
  if (only === undefined || only === 'memory') await measureMemory(oplFile, kinds);
  if (only === undefined || only === 'sqlite') {
    const sqlite = sqliteFileDatabase();
    try {
      await measureServer('SQLite', sqlite, oplFile, kinds);
    } finally {
      await sqlite.drop();
    }
  }
  const pgDsn = process.env['TEST_POSTGRES_DSN'];
  if (only === undefined || only === 'postgres') {
    if (pgDsn) {
      const pg = await postgresDatabase(pgDsn);
      try {
        await measureServer('PostgreSQL', pg, oplFile, kinds);
      } finally {
        await pg.drop();
      }
    } else process.stderr.write('TEST_POSTGRES_DSN is not set: served checks over PostgreSQL were not measured\n');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Warm-up of a served process on each SQL database: loads the data set of N tuples into a
 * fresh database, starts `gatehouse serve` on it (with the container image's NODE_OPTIONS,
 * as the served benchmarks do) and times, from the spawn, the first
 * `/health/ready` 200 (the process answers from SQL while it warms) and the "index: warm"
 * log line; the warm-up rate is the one that line reports. SQLite on a file always,
 * PostgreSQL with TEST_POSTGRES_DSN, MySQL with TEST_MYSQL_DSN.
 *
 * Then, in this process, what the warm-up's time goes to: the same walk of the store
 * with the rows thrown away (database, driver and row parsing alone), and with every
 * tuple inserted into an index, the inserts timed apart, with the CPU time of this
 * process and of the database server (PostgreSQL: the backends serving the database;
 * MySQL: the whole server process, other clients included; SQLite runs in this process).
 *
 *   node --max-old-space-size=8192 dist/bench/warm-up.js [tuples=1000000] [sqlite|postgres|mysql …]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TupleIndex } from '../src/index/tuple-index.js';
import { openSqlDriver, openStore } from '../src/store/open.js';
import type { SqlDriver } from '../src/store/sql/driver.js';
import type { RelationTupleStore } from '../src/store/store.js';
import type { RelationTuple } from '../src/tuple.js';
import { mysqlDatabase, postgresDatabase, sqliteFileDatabase, type TestDatabase } from '../test/store/databases.js';
import { startGatehouseProcess } from '../test/support/server.js';
import { DATASET_OPL, loadDataset } from './dataset.js';
import { printFigure } from './figure.js';
import { cpuMsOf, indexWarm, SERVED_ENV } from './served-process.js';

const tuples = Number(process.argv[2] ?? 1_000_000);
const label = tuples >= 1e6 ? `${tuples / 1e6}M` : `${tuples / 1e3}k`;
/** Room for the whole data set: the default budget (512 MiB) holds about 7M tuples of it. */
const MEMORY_BUDGET = 4 * 2 ** 30;
const PAGE = 5000;

const rate = (ms: number) => Math.round(tuples / (ms / 1000));

interface Database {
  readonly name: string;
  readonly skip: string | false;
  create(): Promise<TestDatabase>;
  /** CPU time (ms) the database server spent for `driver`'s database so far, or undefined where it runs in this process. */
  serverCpuMs(driver: SqlDriver): Promise<number | undefined>;
}

/** CPU time of a single-threaded process (a PostgreSQL backend), from its scheduler statistics. */
const schedMs = (pid: number): number => {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return 0; // a backend that ended meanwhile
  }
};

const DATABASES: readonly Database[] = [
  { name: 'SQLite', skip: false, create: async () => sqliteFileDatabase(), serverCpuMs: async () => undefined },
  {
    name: 'PostgreSQL',
    skip: process.env['TEST_POSTGRES_DSN'] ? false : 'TEST_POSTGRES_DSN is not set',
    create: () => postgresDatabase(process.env['TEST_POSTGRES_DSN']!),
    async serverCpuMs(driver) {
      const rows = await driver.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      return rows.reduce((sum, { pid }) => sum + schedMs(pid), 0);
    },
  },
  {
    name: 'MySQL',
    skip: process.env['TEST_MYSQL_DSN'] ? false : 'TEST_MYSQL_DSN is not set',
    create: () => mysqlDatabase(process.env['TEST_MYSQL_DSN']!),
    async serverCpuMs(driver) {
      const [row] = await driver.query<{ file: string }>('SELECT @@pid_file AS file');
      const pid = Number(readFileSync(row!.file, 'utf8').trim());
      const ms = cpuMsOf(pid);
      if (ms === undefined) throw new Error(`cannot read the CPU time of the MySQL server (pid ${pid})`);
      return ms;
    },
  },
];

async function served(part: string, dsn: string, dir: string): Promise<void> {
  const opl = join(dir, 'namespaces.ts');
  writeFileSync(opl, DATASET_OPL);
  const started = performance.now();
  const gh = await startGatehouseProcess({
    config: {
      dsn,
      namespaces: { location: pathToFileURL(opl).href },
      index: { enabled: true, memory_budget: MEMORY_BUDGET },
      log: { level: 'info', format: 'json' },
    },
    env: SERVED_ENV,
    timeoutMs: 600_000,
  });
  try {
    const ready = performance.now() - started;
    const line = await indexWarm(gh, 3_600_000);
    const warm = performance.now() - started;
    if (line.tuples !== tuples) throw new Error(`the warm index holds ${line.tuples} tuples, not ${tuples}`);
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${gh.child.pid}/status`, 'utf8'))![1]);
    printFigure({ part, name: 'serve → /health/ready 200 (answering from SQL)', value: Math.round(ready), unit: 'ms' });
    printFigure({ part, name: 'serve → "index: warm" logged', value: Math.round(warm), unit: 'ms' });
    printFigure({ part, name: 'rss of the served process once warm', value: Math.round(rssKiB / 1024), unit: 'MiB' });
    printFigure({ part, name: 'index size the process logs once warm', value: Math.round(line.bytes / 2 ** 20), unit: 'MiB' });
    printFigure({ part, name: 'warm-up rate (tuples over the warm-up the process logs)', value: rate(line.ms), unit: 'tuples/s', target: '≥ 500k tuples/s', met: rate(line.ms) >= 500_000 });
  } finally {
    await gh.stop();
  }
}

interface WalkTimes {
  readonly wall: number;
  readonly here: number;
  readonly server: number | undefined;
}

const cpuHere = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** One walk of the store, `onPage` given each page; wall and CPU times. */
async function walk(store: RelationTupleStore, database: Database, driver: SqlDriver, onPage: (page: RelationTuple[]) => void): Promise<WalkTimes> {
  const serverBefore = await database.serverCpuMs(driver);
  const hereBefore = cpuHere();
  const started = performance.now();
  await store.walk(PAGE, (page) => {
    onPage(page);
    return true;
  });
  const wall = performance.now() - started;
  const here = cpuHere() - hereBefore;
  const serverAfter = await database.serverCpuMs(driver);
  return { wall, here, server: serverBefore === undefined ? undefined : serverAfter! - serverBefore };
}

function printWalk(part: string, what: string, times: WalkTimes, serverName: string): void {
  printFigure({ part, name: `${what}: rate`, value: rate(times.wall), unit: 'tuples/s' });
  printFigure({ part, name: `${what}: wall time`, value: Math.round(times.wall), unit: 'ms' });
  printFigure({ part, name: `${what}: CPU of this process`, value: Math.round(times.here), unit: 'ms' });
  if (times.server !== undefined) printFigure({ part, name: `${what}: CPU of ${serverName}`, value: Math.round(times.server), unit: 'ms' });
}

async function split(part: string, database: Database, dsn: string): Promise<void> {
  const store = await openStore(dsn);
  const { driver } = await openSqlDriver(dsn, { maxConnections: 1 });
  const serverName = database.name === 'MySQL' ? 'the server process' : "the database's backends";
  try {
    let walked = 0;
    const bare = await walk(store, database, driver, (page) => (walked += page.length));
    if (walked !== tuples) throw new Error(`the walk read ${walked} tuples, not ${tuples}`);
    const index = new TupleIndex();
    let inserting = 0;
    const full = await walk(store, database, driver, (page) => {
      const started = performance.now();
      for (const t of page) index.insert(t);
      inserting += performance.now() - started;
    });
    printWalk(part, 'walk alone (database, driver, row parsing)', bare, serverName);
    printWalk(part, 'walk into an index', full, serverName);
    printFigure({ part, name: 'walk into an index: of which index inserts', value: Math.round(inserting), unit: 'ms' });
  } finally {
    await driver.close();
    await store.close();
  }
}

async function measure(database: Database): Promise<void> {
  const part = `warm-up on ${database.name} (${label} tuples)`;
  const db = await database.create();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-warm-up-'));
  try {
    const store = await openStore(db.dsn);
    try {
      await store.migrations.up();
      const started = performance.now();
      await loadDataset(db.dsn, tuples);
      printFigure({ part, name: 'load through the store (5000-tuple transactions, indexes built after)', value: rate(performance.now() - started), unit: 'tuples/s' });
    } finally {
      await store.close();
    }
    await served(part, db.dsn, dir);
    await split(part, database, db.dsn);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
}

async function main(): Promise<void> {
  const only = process.argv.slice(3).map((name) => name.toLowerCase());
  for (const database of DATABASES) {
    if (only.length > 0 && !only.some((name) => database.name.toLowerCase().startsWith(name))) continue;
    if (database.skip) {
      process.stderr.write(`${database.skip}: the warm-up figures on ${database.name} were not measured\n`);
      continue;
    }
    await measure(database);
  }
}

await main();

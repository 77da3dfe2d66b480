/**
 * Warm-up of a served process on PostgreSQL (needs TEST_POSTGRES_DSN): loads the data set
 * of N tuples into a fresh database, starts `gatehouse serve` on it and times, from the
 * spawn, the first `/health/ready` 200 (the process answers from SQL while it warms) and
 * the "index: warm" log line; the warm-up rate is the one that line reports.
 *
 * Then, in this process, what the warm-up's time goes to: the same walk of the store
 * with the rows thrown away (database, driver and row parsing alone), and with every
 * tuple inserted into an index, the inserts timed apart, with the CPU time of this
 * process and of the database's backends.
 *
 *   node --max-old-space-size=8192 dist/bench/warm-up.js [tuples=1000000]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { TupleIndex } from '../src/index/tuple-index.js';
import { openStore } from '../src/store/open.js';
import type { RelationTupleStore } from '../src/store/store.js';
import type { RelationTuple } from '../src/tuple.js';
import { postgresDatabase } from '../test/store/databases.js';
import { startGatehouseProcess } from '../test/support/server.js';
import { DATASET_OPL, loadDataset } from './dataset.js';
import { printFigure } from './figure.js';
import { waitFor } from './served-process.js';

const tuples = Number(process.argv[2] ?? 1_000_000);
const label = tuples >= 1e6 ? `${tuples / 1e6}M` : `${tuples / 1e3}k`;
const part = `warm-up on PostgreSQL (${label} tuples)`;
/** Room for the whole data set: the default budget (512 MiB) holds about 7M tuples of it. */
const MEMORY_BUDGET = 4 * 2 ** 30;
const PAGE = 5000;

const rate = (ms: number) => Math.round(tuples / (ms / 1000));

/** CPU time (ms) of the database's backends serving `dsn`'s database, and of this process. */
async function cpuMs(admin: pg.Client): Promise<{ database: number; here: number }> {
  const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  let database = 0;
  for (const { pid } of rows) {
    try {
      database += Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
    } catch {
      // a backend that ended meanwhile
    }
  }
  const { user, system } = process.cpuUsage();
  return { database, here: (user + system) / 1000 };
}

async function served(dsn: string, dir: string): Promise<void> {
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
    timeoutMs: 600_000,
  });
  try {
    const ready = performance.now() - started;
    const warmLine = () => gh.logs.find((l) => typeof l === 'object' && l !== null && String((l as { msg?: unknown }).msg).startsWith('index: warm')) as { ms: number; tuples: number; bytes: number } | undefined;
    await waitFor('the index to be warm', () => warmLine() !== undefined, 3_600_000);
    const warm = performance.now() - started;
    const line = warmLine()!;
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

/** One walk of the store, `onPage` given each page; wall and CPU times. */
async function walk(store: RelationTupleStore, admin: pg.Client, onPage: (page: RelationTuple[]) => void): Promise<{ wall: number; database: number; here: number }> {
  const before = await cpuMs(admin);
  const started = performance.now();
  await store.walk(PAGE, (page) => {
    onPage(page);
    return true;
  });
  const wall = performance.now() - started;
  const after = await cpuMs(admin);
  return { wall, database: after.database - before.database, here: after.here - before.here };
}

async function split(dsn: string): Promise<void> {
  const store = await openStore(dsn);
  const admin = new pg.Client({ connectionString: dsn });
  await admin.connect();
  try {
    let walked = 0;
    const bare = await walk(store, admin, (page) => (walked += page.length));
    if (walked !== tuples) throw new Error(`the walk read ${walked} tuples, not ${tuples}`);
    const index = new TupleIndex();
    let inserting = 0;
    const full = await walk(store, admin, (page) => {
      const started = performance.now();
      for (const t of page) index.insert(t);
      inserting += performance.now() - started;
    });
    printFigure({ part, name: 'walk alone (database, driver, row parsing): rate', value: rate(bare.wall), unit: 'tuples/s' });
    printFigure({ part, name: 'walk alone: CPU of this process', value: Math.round(bare.here), unit: 'ms' });
    printFigure({ part, name: "walk alone: CPU of the database's backends", value: Math.round(bare.database), unit: 'ms' });
    printFigure({ part, name: 'walk into an index: rate', value: rate(full.wall), unit: 'tuples/s' });
    printFigure({ part, name: 'walk into an index: wall time', value: Math.round(full.wall), unit: 'ms' });
    printFigure({ part, name: 'walk into an index: of which index inserts', value: Math.round(inserting), unit: 'ms' });
    printFigure({ part, name: 'walk into an index: CPU of this process', value: Math.round(full.here), unit: 'ms' });
    printFigure({ part, name: "walk into an index: CPU of the database's backends", value: Math.round(full.database), unit: 'ms' });
  } finally {
    await admin.end();
    await store.close();
  }
}

async function main(): Promise<void> {
  const adminDsn = process.env['TEST_POSTGRES_DSN'];
  if (!adminDsn) {
    process.stderr.write('TEST_POSTGRES_DSN is not set: the warm-up figures were not measured\n');
    return;
  }
  const db = await postgresDatabase(adminDsn);
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
    await served(db.dsn, dir);
    await split(db.dsn);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
}

await main();

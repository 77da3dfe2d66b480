/**
 * The index against the database it mirrors, in process, per dialect (SQLite file
 * always; PostgreSQL and MySQL when TEST_POSTGRES_DSN and TEST_MYSQL_DSN name servers on loopback):
 *  - index build (warm-up walk) rate from the store;
 *  - a 3-hop nested group check through the engine with the index off (every hop a
 *    query, Keto's design) and on;
 *  - the cost of the default freshness guarantee (one coalesced head probe per check);
 *  - replica coherence lag in bounded-staleness mode (write on one store handle, seen by
 *    the other handle's index).
 *
 *   node dist/bench/index-vs-database.js [TUPLES] [BUDGET_MS_PER_FIGURE]
 */
import { CheckEngine } from '../src/engine/check-engine.js';
import { defaultCheckSettings } from '../src/engine/limits.js';
import type { TupleSource } from '../src/reader.js';
import { currentReads } from '../src/reader.js';
import { LiveIndex } from '../src/index/live-index.js';
import { openStore } from '../src/store/open.js';
import type { RelationTuple } from '../src/tuple.js';
import { mysqlDatabase, postgresDatabase, sqliteFileDatabase, type TestDatabase } from '../test/store/databases.js';
import { sampleChecks } from './check-samples.js';
import { datasetModel, loadDataset, shapeFor } from './dataset.js';
import { printFigure, quantile } from './figure.js';

const tuples = Number(process.argv[2] ?? 1_000_000);
const budgetMs = Number(process.argv[3] ?? 3000);
const label = tuples >= 1e6 ? `${tuples / 1e6}M` : `${tuples / 1e3}k`;
const settings = () => defaultCheckSettings;
const model = () => datasetModel;


/** Latencies (µs) of `run` over `list`, one at a time, for the time budget. */
async function latencies(list: RelationTuple[], run: (t: RelationTuple) => unknown): Promise<number[]> {
  const out: number[] = [];
  const deadline = performance.now() + budgetMs;
  for (let i = 0; performance.now() < deadline; i++) {
    const started = performance.now();
    await run(list[i % list.length]!);
    out.push((performance.now() - started) * 1000);
  }
  return out.sort((a, b) => a - b);
}

async function measure(dialect: string, db: TestDatabase): Promise<void> {
  const part = `index vs database, ${dialect} (${label} tuples)`;
  const store = await openStore(db.dsn);
  const other = await openStore(db.dsn);
  const replicas: LiveIndex[] = [];
  try {
    await store.migrations.up();
    const loadStarted = performance.now();
    await loadDataset(db.dsn, tuples);
    printFigure({ part, name: 'load through the store (5000-tuple transactions)', value: Math.round(tuples / ((performance.now() - loadStarted) / 1000)), unit: 'tuples/s' });

    const live = new LiveIndex({ store, memoryBudgetBytes: 4 * 2 ** 30, maxStalenessMs: 0 });
    replicas.push(live);
    const buildStarted = performance.now();
    await live.start();
    const rate = tuples / ((performance.now() - buildStarted) / 1000);
    printFigure({
      part,
      name: 'index build (warm-up walk of the store)',
      value: Math.round(rate),
      unit: 'tuples/s',
      ...(dialect === 'PostgreSQL' ? { target: '≥ 500k tuples/s', met: rate >= 500_000 } : {}),
    });

    const samples = sampleChecks(live.index, shapeFor(tuples), 500);
    const engineOver = (source: TupleSource) => new CheckEngine({ reads: currentReads(source), model, settings });
    const off = await latencies(samples.threeHop, (t) => engineOver(store).check(t));
    const on = await latencies(samples.threeHop, (t) => engineOver(live.source).check(t));
    const fresh = new CheckEngine({ reads: live.reads, model, settings });
    const guarded = await latencies(samples.threeHop, (t) => fresh.check(t));
    const p50 = (l: number[]) => Math.round(quantile(l, 0.5) * 100) / 100;
    printFigure({ part, name: '3-hop check, index off: p50', value: p50(off), unit: 'µs' });
    printFigure({ part, name: '3-hop check, index off: p99', value: Math.round(quantile(off, 0.99)), unit: 'µs' });
    printFigure({ part, name: '3-hop check, index on: p50', value: p50(on), unit: 'µs' });
    printFigure({ part, name: '3-hop check, index on, with the freshness probe (one at a time): p50', value: p50(guarded), unit: 'µs' });
    const speedup = quantile(off, 0.5) / quantile(on, 0.5);
    printFigure({
      part,
      name: '3-hop check speed-up, index on vs off (p50)',
      value: Math.round(speedup),
      unit: '×',
      ...(dialect === 'PostgreSQL' ? { target: '≥ 300×', met: speedup >= 300 } : {}),
    });

    const follower = new LiveIndex({ store: other, memoryBudgetBytes: 4 * 2 ** 30, maxStalenessMs: 50 });
    replicas.push(follower);
    await follower.start();
    const lags: number[] = [];
    const deadline = performance.now() + budgetMs;
    for (let i = 0; performance.now() < deadline && i < 1000; i++) {
      const t: RelationTuple = { namespace: 'Doc', object: `lag_${i}`, relation: 'owner', subject: { id: `user_lag_${i}` } };
      await live.store.transact([t], []);
      const written = performance.now();
      while (!follower.index.hasSubject([t], t.subject)[0]) await new Promise((resolve) => setImmediate(resolve));
      lags.push(performance.now() - written);
    }
    lags.sort((a, b) => a - b);
    const lagP99 = quantile(lags, 0.99);
    printFigure({ part, name: `replica coherence lag, bounded staleness 50 ms (${lags.length} writes): p50`, value: Math.round(quantile(lags, 0.5) * 100) / 100, unit: 'ms' });
    printFigure({ part, name: 'replica coherence lag, bounded staleness 50 ms: p99', value: Math.round(lagP99 * 100) / 100, unit: 'ms', target: '≤ 50 ms', met: lagP99 <= 50 });
  } finally {
    for (const r of replicas) await r.close();
    await other.close();
    await store.close();
    await db.drop();
  }
}

await measure('SQLite', sqliteFileDatabase());
const pgDsn = process.env['TEST_POSTGRES_DSN'];
if (pgDsn) await measure('PostgreSQL', await postgresDatabase(pgDsn));
else process.stderr.write('TEST_POSTGRES_DSN is not set: the PostgreSQL figures were not measured\n');
const mysqlDsn = process.env['TEST_MYSQL_DSN'];
if (mysqlDsn) await measure('MySQL', await mysqlDatabase(mysqlDsn));
else process.stderr.write('TEST_MYSQL_DSN is not set: the MySQL figures were not measured\n');

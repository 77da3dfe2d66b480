/**
 * Filtered listing: the cost of a 500-tuple page for every filter combination Keto's list
 * API accepts, against an unfiltered page, over the generated data set (200k tuples by
 * default) on SQLite (file) and, when TEST_POSTGRES_DSN / TEST_MYSQL_DSN name a server, on a
 * fresh PostgreSQL / MySQL database. Target: a filtered page costs at most 2× an unfiltered one.
 * Also the walk of a whole namespace page by page (what `relation-tuple export --namespace`
 * does) against the unfiltered walk, and write throughput with and without gatehouse's
 * listing indexes (the step migrated down, then up again).
 *
 *   node dist/bench/listing.js [TUPLES] [--only sqlite|postgres|mysql]
 */
import { mysqlDatabase, postgresDatabase, sqliteFileDatabase, type TestDatabase } from '../test/store/databases.js';
import { openStore } from '../src/store/open.js';
import type { RelationTupleStore } from '../src/store/store.js';
import type { RelationQuery, RelationTuple, Subject } from '../src/tuple.js';
import { loadDataset } from './dataset.js';
import { printFigure, quantile } from './figure.js';

const argv = process.argv.slice(2);
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? argv[onlyAt + 1] : undefined;
const tuples = Number(argv.find((a, i) => !a.startsWith('--') && i !== onlyAt + 1) ?? 200_000);
const PAGE = 500;
/** Pages timed per combination and round (fewer when the result is shorter). */
const PAGES = 8;
/** Pages timed per combination in all: a result shorter than PAGES is walked in more rounds, so that one slow query is not its median. */
const SAMPLES = PAGES * 3;
const PART = 'filtered listing';
const WRITES = 20_000;
const WRITE_BATCH = 1000;

/** Seconds per page of `query`, the median of SAMPLES timings of its first PAGES pages walked again and again; and the pages seen. */
async function pageCost(store: RelationTupleStore, query: RelationQuery): Promise<{ seconds: number; pages: number }> {
  const samples: number[] = [];
  let pages = 0;
  while (samples.length < SAMPLES) {
    let token: string | undefined;
    pages = 0;
    do {
      const started = performance.now();
      const page = await store.list(query, { size: PAGE, token });
      samples.push((performance.now() - started) / 1000);
      token = page.nextPageToken === '' ? undefined : page.nextPageToken;
      pages++;
    } while (token !== undefined && pages < PAGES);
  }
  return { seconds: quantile(samples.sort((a, b) => a - b), 0.5), pages };
}

async function walkSeconds(store: RelationTupleStore, query: RelationQuery): Promise<{ seconds: number; count: number }> {
  const started = performance.now();
  let count = 0;
  let token: string | undefined;
  do {
    const page = await store.list(query, { size: PAGE, token });
    count += page.tuples.length;
    token = page.nextPageToken === '' ? undefined : page.nextPageToken;
  } while (token !== undefined);
  return { seconds: (performance.now() - started) / 1000, count };
}

const describeQuery = (q: RelationQuery): string =>
  [
    q.namespace !== undefined ? 'namespace' : '',
    q.object !== undefined ? 'object' : '',
    q.relation !== undefined ? 'relation' : '',
    q.subject === undefined ? '' : 'id' in q.subject ? 'subject_id' : 'subject_set',
  ]
    .filter((s) => s !== '')
    .join('+');

function combinations(probe: RelationTuple, subjects: readonly Subject[]): RelationQuery[] {
  const out: RelationQuery[] = [];
  for (let mask = 1; mask < 16; mask++)
    for (const subject of mask & 8 ? subjects : [undefined])
      out.push({
        ...(mask & 1 ? { namespace: probe.namespace } : {}),
        ...(mask & 2 ? { object: probe.object } : {}),
        ...(mask & 4 ? { relation: probe.relation } : {}),
        ...(subject !== undefined ? { subject } : {}),
      });
  return out;
}

async function writesPerSecond(store: RelationTupleStore, from: number): Promise<number> {
  const started = performance.now();
  for (let at = 0; at < WRITES; at += WRITE_BATCH)
    await store.transact(
      Array.from({ length: WRITE_BATCH }, (_, k) => ({ namespace: 'Bench', object: `w_${from + at + k}`, relation: 'owner', subject: { id: `u_${(at + k) % 997}` } })),
      [],
    );
  return WRITES / ((performance.now() - started) / 1000);
}

async function measure(dialect: string, database: TestDatabase): Promise<void> {
  const store = await openStore(database.dsn);
  try {
    await store.migrations.up();
    const loadStarted = performance.now();
    await loadDataset(database.dsn, tuples);
    console.log(`${dialect}: ${tuples} tuples loaded in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);
    // A probe from the data: a document's owner by subject id, a document's viewers by subject set.
    const owner = (await store.list({ namespace: 'Doc', object: 'd_7', relation: 'owner' }, { size: 1 })).tuples[0]!;
    const viewer = (await store.list({ namespace: 'Doc', object: 'd_7', relation: 'viewer' }, { size: 1 })).tuples[0]!;
    const unfiltered = await pageCost(store, {});
    console.log(`${dialect}: unfiltered page of ${PAGE}: ${(unfiltered.seconds * 1000).toFixed(2)} ms`);
    let worst = 0;
    for (const query of combinations(owner, [owner.subject, viewer.subject])) {
      const cost = await pageCost(store, query);
      const ratio = cost.seconds / unfiltered.seconds;
      worst = Math.max(worst, ratio);
      console.log(`${dialect}: ${describeQuery(query).padEnd(36)} ${(cost.seconds * 1000).toFixed(2).padStart(8)} ms/page (${cost.pages} page(s)) ${ratio.toFixed(2)}×`);
      printFigure({ part: PART, name: `${dialect} page cost ${describeQuery(query)} vs unfiltered`, value: Number(ratio.toFixed(2)), unit: '×', target: '≤ 2×', met: ratio <= 2 });
    }
    printFigure({ part: PART, name: `${dialect} worst filtered page vs unfiltered`, value: Number(worst.toFixed(2)), unit: '×', target: '≤ 2×', met: worst <= 2 });
    const all = await walkSeconds(store, {});
    const namespace = await walkSeconds(store, { namespace: 'Doc' });
    console.log(
      `${dialect}: walk in pages of ${PAGE}: all ${all.count} tuples ${all.seconds.toFixed(2)} s; namespace Doc ${namespace.count} tuples ${namespace.seconds.toFixed(2)} s`,
    );
    printFigure({ part: PART, name: `${dialect} walk of namespace Doc (pages of ${PAGE})`, value: Math.round(namespace.count / namespace.seconds), unit: 'tuples/s' });
    printFigure({ part: PART, name: `${dialect} walk of all tuples (pages of ${PAGE})`, value: Math.round(all.count / all.seconds), unit: 'tuples/s' });
    const withIndexes = await writesPerSecond(store, 0);
    await store.migrations.down(1);
    const without = await writesPerSecond(store, WRITES);
    await store.migrations.up();
    console.log(`${dialect}: writes (${WRITES} tuples, ${WRITE_BATCH} a transaction): ${Math.round(without)}/s without the listing indexes, ${Math.round(withIndexes)}/s with them`);
    printFigure({ part: PART, name: `${dialect} write throughput with listing indexes vs without`, value: Number((withIndexes / without).toFixed(2)), unit: '×' });
  } finally {
    await store.close();
    await database.drop();
  }
}

const postgres = process.env['TEST_POSTGRES_DSN'];
const mysql = process.env['TEST_MYSQL_DSN'];
if (only === undefined || only === 'sqlite') await measure('SQLite', sqliteFileDatabase());
if ((only === undefined || only === 'postgres') && postgres) await measure('PostgreSQL', await postgresDatabase(postgres));
else if (only === undefined) console.log('PostgreSQL: skipped (TEST_POSTGRES_DSN is not set)');
if ((only === undefined || only === 'mysql') && mysql) await measure('MySQL', await mysqlDatabase(mysql));
else if (only === undefined) console.log('MySQL: skipped (TEST_MYSQL_DSN is not set)');
